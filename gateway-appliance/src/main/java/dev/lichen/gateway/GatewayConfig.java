package dev.lichen.gateway;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * How a gateway runs. Ports 0 ask the OS for a free port (tests). jdbcUrl null means SQLite in
 * {@code dataDir/lichen.db}. Raw readings are kept rawRetentionDays, 1-minute rollups
 * minuteRetentionDays, hourly rollups for ever. mqttInMemory keeps the broker's sessions and
 * queued messages in memory (spares an SD card; the readings themselves are durable in the store).
 * offlineAfterSeconds is the floor of the offline rule (see {@code Presence}): a CoAP device is
 * shown offline when it sent nothing for max(offlineAfterSeconds, 3 x its usual interval).
 * pskFile, when not null, holds CoAPS pre-shared keys imported at start ({@code PskFile}).
 * limits bound what a hostile network can make the gateway hold ({@link Limits}).
 * httpsPort serves the web UI over https with the gateway CA's certificate; httpPort then only
 * redirects there. {@link #HTTPS_OFF} serves the web UI on httpPort in the clear. mqttTlsPort is
 * the broker's MQTT over TLS listener, with the same certificate (see {@link #AUTO_MQTT_TLS_PORT}).
 * tlsNames are names and addresses the certificate carries beside the machine's own.
 * commandLifetimeSeconds is how long a command to a device's output waits for the device before
 * it expires and is not carried out any more. location is where the house is, for automations'
 * sunrise and sunset and times of day.
 */
public record GatewayConfig(Path dataDir, String bindHost, int coapPort, int mqttPort, int httpPort,
                            String jdbcUrl, int rawRetentionDays, int minuteRetentionDays, int maxPackBytes,
                            boolean mqttInMemory, int offlineAfterSeconds, int coapsPort, Path pskFile,
                            Limits limits, int httpsPort, int mqttTlsPort, List<String> tlsNames,
                            int commandLifetimeSeconds, Location location) {
    public static final int DEFAULT_COAP_PORT = 5683;
    public static final int DEFAULT_MQTT_PORT = 1883;
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_HTTPS_PORT = 8443;
    /** httpsPort -1: the web UI on plain http at httpPort (behind a reverse proxy that does TLS, or a test harness). */
    public static final int HTTPS_OFF = -1;
    public static final int DEFAULT_MAX_PACK_BYTES = 16 * 1024;
    public static final int DEFAULT_COAPS_PORT = 5684;
    public static final int DEFAULT_MQTT_TLS_PORT = 8883;
    /** mqttTlsPort -1: 8883 when MQTT is on its default 1883, else any free port (as for CoAPS). */
    public static final int AUTO_MQTT_TLS_PORT = -1;
    static final int MAX_TLS_NAMES = 20;
    /** A DNS name or an IPv4/IPv6 literal, as a certificate's subject alternative name carries it. */
    private static final java.util.regex.Pattern TLS_NAME = java.util.regex.Pattern.compile(
            "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]{2,45}");
    /** coapsPort -1: 5684 when CoAP is on its default 5683, else any free port (a harness that picks a CoAP port binds no fixed CoAPS port). */
    public static final int AUTO_COAPS_PORT = -1;
    public static final int DEFAULT_OFFLINE_AFTER_SECONDS = 120;
    /** How long a command waits for its device before it expires (Commands.DEFAULT_LIFETIME). */
    public static final int DEFAULT_COMMAND_LIFETIME_SECONDS = 30;

    private static final Set<String> KEYS = Set.of("dataDir", "bindHost", "coapPort", "mqttPort", "httpPort",
            "jdbcUrl", "rawRetentionDays", "minuteRetentionDays", "maxPackBytes", "mqttInMemory",
            "offlineAfterSeconds", "coapsPort", "pskFile", "maxNewDevices", "perAddressPerSecond", "httpsPort", "mqttTlsPort", "tlsNames",
            "commandLifetimeSeconds", "latitude", "longitude", "timeZone");

    public GatewayConfig {
        if (dataDir == null) throw new IllegalArgumentException("dataDir is required");
        if (bindHost == null || bindHost.isBlank()) throw new IllegalArgumentException("bindHost is required (e.g. 0.0.0.0)");
        port("coapPort", coapPort);
        port("mqttPort", mqttPort);
        port("httpPort", httpPort);
        if (coapsPort != AUTO_COAPS_PORT) port("coapsPort", coapsPort);
        if (httpsPort != HTTPS_OFF) port("httpsPort", httpsPort);
        if (mqttTlsPort != AUTO_MQTT_TLS_PORT) port("mqttTlsPort", mqttTlsPort);
        tlsNames = List.copyOf(tlsNames == null ? List.of() : tlsNames);
        if (tlsNames.size() > MAX_TLS_NAMES) throw new IllegalArgumentException("tlsNames: at most " + MAX_TLS_NAMES + " names, got " + tlsNames.size());
        for (String n : tlsNames) {
            if (!TLS_NAME.matcher(n).matches()) {
                throw new IllegalArgumentException("tlsNames: '" + n + "' is not a host name or an IP address (letters, digits, '.', '-', ':')");
            }
        }
        if (httpsPort > 0 && httpsPort == httpPort) {
            throw new IllegalArgumentException("httpsPort and httpPort must differ (http only redirects to https), both are " + httpPort);
        }
        if (location == null) location = Location.UNKNOWN;
        if (commandLifetimeSeconds < 1 || commandLifetimeSeconds > 24 * 3600) {
            throw new IllegalArgumentException("commandLifetimeSeconds must be within 1..86400 (a day), got " + commandLifetimeSeconds);
        }
        if (offlineAfterSeconds < 1 || offlineAfterSeconds > 7 * 24 * 3600) {
            throw new IllegalArgumentException("offlineAfterSeconds must be within 1..604800 (a week), got " + offlineAfterSeconds);
        }
        if (jdbcUrl != null && !(jdbcUrl.startsWith("jdbc:sqlite:") || jdbcUrl.startsWith("jdbc:postgresql:"))) {
            throw new IllegalArgumentException("jdbcUrl must start with jdbc:sqlite: or jdbc:postgresql:, got " + jdbcUrl);
        }
        if (rawRetentionDays < 1) throw new IllegalArgumentException("rawRetentionDays must be at least 1, got " + rawRetentionDays);
        if (minuteRetentionDays < rawRetentionDays) {
            throw new IllegalArgumentException("minuteRetentionDays (" + minuteRetentionDays
                    + ") must be at least rawRetentionDays (" + rawRetentionDays + ")");
        }
        if (maxPackBytes < 256 || maxPackBytes > 1024 * 1024) {
            throw new IllegalArgumentException("maxPackBytes must be within 256..1048576, got " + maxPackBytes);
        }
        if (limits == null) throw new IllegalArgumentException("limits are required (Limits.DEFAULTS)");
    }

    /**
     * Limits against a hostile network. newDevices: how many devices may wait for adoption (NEW);
     * a device beyond that is refused until a person adopts or rejects some. perAddressPerSecond:
     * from one source address, MQTT connects and first packs of devices the gateway does not know
     * yet, a second (bursts of five seconds' worth), so that one machine cannot churn through ids.
     */
    public record Limits(int newDevices, int perAddressPerSecond) {
        public static final Limits DEFAULTS = new Limits(100, 10);

        /** For a simulator or load run: n devices, all new, all from one host, as if each were its own. */
        public static Limits forDevicesOnOneHost(int n) {
            return new Limits(Math.max(DEFAULTS.newDevices, 2 * n), Math.max(DEFAULTS.perAddressPerSecond, 10 * n));
        }

        public Limits {
            if (newDevices < 1 || newDevices > 1_000_000) {
                throw new IllegalArgumentException("maxNewDevices must be within 1..1000000, got " + newDevices);
            }
            if (perAddressPerSecond < 1 || perAddressPerSecond > 1_000_000) {
                throw new IllegalArgumentException("perAddressPerSecond must be within 1..1000000, got " + perAddressPerSecond);
            }
        }
    }

    /**
     * Where the house is, for sunrise and sunset (computed on the gateway, no service asked), and
     * its time zone for times of day; latitude and longitude are both given or both null (sun
     * triggers are then refused), timeZone null is the machine's.
     */
    public record Location(Double latitude, Double longitude, String timeZone) {
        public static final Location UNKNOWN = new Location(null, null, null);

        public Location {
            if ((latitude == null) != (longitude == null)) throw new IllegalArgumentException("give latitude and longitude together");
            if (latitude != null && !(latitude >= -90 && latitude <= 90)) throw new IllegalArgumentException("latitude must be within -90..90, got " + latitude);
            if (longitude != null && !(longitude >= -180 && longitude <= 180)) throw new IllegalArgumentException("longitude must be within -180..180, got " + longitude);
            if (timeZone != null) {
                try {
                    java.time.ZoneId.of(timeZone);
                } catch (java.time.DateTimeException e) {
                    throw new IllegalArgumentException("timeZone '" + timeZone + "' is not a time zone (e.g. Europe/Berlin)");
                }
            }
        }

        public boolean known() {
            return latitude != null;
        }

        public java.time.ZoneId zone() {
            return timeZone == null ? java.time.ZoneId.systemDefault() : java.time.ZoneId.of(timeZone);
        }
    }

    public GatewayConfig withLocation(Location l) {
        return new GatewayConfig(dataDir, bindHost, coapPort, mqttPort, httpPort, jdbcUrl, rawRetentionDays, minuteRetentionDays, maxPackBytes, mqttInMemory, offlineAfterSeconds, coapsPort, pskFile, limits, httpsPort, mqttTlsPort, tlsNames, commandLifetimeSeconds, l);
    }

    /** How long a command waits for its device. */
    public java.time.Duration commandLifetime() {
        return java.time.Duration.ofSeconds(commandLifetimeSeconds);
    }

    public GatewayConfig withCommandLifetimeSeconds(int seconds) {
        return new GatewayConfig(dataDir, bindHost, coapPort, mqttPort, httpPort, jdbcUrl, rawRetentionDays, minuteRetentionDays, maxPackBytes, mqttInMemory, offlineAfterSeconds, coapsPort, pskFile, limits, httpsPort, mqttTlsPort, tlsNames, seconds, location);
    }

    public GatewayConfig withLimits(Limits l) {
        return new GatewayConfig(dataDir, bindHost, coapPort, mqttPort, httpPort, jdbcUrl, rawRetentionDays, minuteRetentionDays, maxPackBytes, mqttInMemory, offlineAfterSeconds, coapsPort, pskFile, l, httpsPort, mqttTlsPort, tlsNames, commandLifetimeSeconds, location);
    }

    /** The CoAPS port to bind: coapsPort, or when it is -1, 5684 next to a CoAP 5683 and any free port otherwise. */
    /** The MQTT over TLS port to bind (0: any free one). */
    public int effectiveMqttTlsPort() {
        if (mqttTlsPort != AUTO_MQTT_TLS_PORT) return mqttTlsPort;
        return mqttPort == DEFAULT_MQTT_PORT ? DEFAULT_MQTT_TLS_PORT : 0;
    }

    /** More names the certificate should carry than the machine knows (a router's DNS name, a forwarded address). */
    public GatewayConfig withTlsNames(List<String> names) {
        return new GatewayConfig(dataDir, bindHost, coapPort, mqttPort, httpPort, jdbcUrl, rawRetentionDays, minuteRetentionDays, maxPackBytes, mqttInMemory, offlineAfterSeconds, coapsPort, pskFile, limits, httpsPort, mqttTlsPort, names, commandLifetimeSeconds, location);
    }

    public GatewayConfig withMqttTlsPort(int port) {
        return new GatewayConfig(dataDir, bindHost, coapPort, mqttPort, httpPort, jdbcUrl, rawRetentionDays, minuteRetentionDays, maxPackBytes, mqttInMemory, offlineAfterSeconds, coapsPort, pskFile, limits, httpsPort, port, tlsNames, commandLifetimeSeconds, location);
    }

    public int effectiveCoapsPort() {
        if (coapsPort != AUTO_COAPS_PORT) return coapsPort;
        return coapPort == DEFAULT_COAP_PORT ? DEFAULT_COAPS_PORT : 0;
    }

    private static void port(String name, int p) {
        if (p < 0 || p > 65535) throw new IllegalArgumentException(name + " must be within 0..65535 (0 = any free port), got " + p);
    }

    /** The defaults: ./lichen-data, all interfaces, 5683/1883/8080 (CoAPS 5684, see AUTO_COAPS_PORT), SQLite, raw 30 days, 1-minute 365 days, offline floor 120 s. */
    public static GatewayConfig defaults() {
        return new GatewayConfig(Path.of("lichen-data"), "0.0.0.0", DEFAULT_COAP_PORT, DEFAULT_MQTT_PORT,
                DEFAULT_HTTP_PORT, null, 30, 365, DEFAULT_MAX_PACK_BYTES, true, DEFAULT_OFFLINE_AFTER_SECONDS,
                AUTO_COAPS_PORT, null, Limits.DEFAULTS, DEFAULT_HTTPS_PORT, AUTO_MQTT_TLS_PORT, List.of(),
                DEFAULT_COMMAND_LIFETIME_SECONDS, Location.UNKNOWN);
    }

    /**
     * For tests: loopback only, every port chosen by the OS, the web UI on plain http (the tests
     * of https ask for it with {@code withHttpsPort(0)}).
     */
    public static GatewayConfig forTest(Path dataDir) {
        return defaults().withDataDir(dataDir).withBindHost("127.0.0.1").withPorts(0, 0, 0).withHttpsPort(HTTPS_OFF);
    }

    public GatewayConfig withHttpsPort(int port) {
        return new GatewayConfig(dataDir, bindHost, coapPort, mqttPort, httpPort, jdbcUrl, rawRetentionDays, minuteRetentionDays, maxPackBytes, mqttInMemory, offlineAfterSeconds, coapsPort, pskFile, limits, port, mqttTlsPort, tlsNames, commandLifetimeSeconds, location);
    }

    public GatewayConfig withDataDir(Path d) {
        return new GatewayConfig(d, bindHost, coapPort, mqttPort, httpPort, jdbcUrl, rawRetentionDays, minuteRetentionDays, maxPackBytes, mqttInMemory, offlineAfterSeconds, coapsPort, pskFile, limits, httpsPort, mqttTlsPort, tlsNames, commandLifetimeSeconds, location);
    }

    public GatewayConfig withBindHost(String h) {
        return new GatewayConfig(dataDir, h, coapPort, mqttPort, httpPort, jdbcUrl, rawRetentionDays, minuteRetentionDays, maxPackBytes, mqttInMemory, offlineAfterSeconds, coapsPort, pskFile, limits, httpsPort, mqttTlsPort, tlsNames, commandLifetimeSeconds, location);
    }

    public GatewayConfig withPorts(int coap, int mqtt, int http) {
        return new GatewayConfig(dataDir, bindHost, coap, mqtt, http, jdbcUrl, rawRetentionDays, minuteRetentionDays, maxPackBytes, mqttInMemory, offlineAfterSeconds, coapsPort, pskFile, limits, httpsPort, mqttTlsPort, tlsNames, commandLifetimeSeconds, location);
    }

    public GatewayConfig withJdbcUrl(String url) {
        return new GatewayConfig(dataDir, bindHost, coapPort, mqttPort, httpPort, url, rawRetentionDays, minuteRetentionDays, maxPackBytes, mqttInMemory, offlineAfterSeconds, coapsPort, pskFile, limits, httpsPort, mqttTlsPort, tlsNames, commandLifetimeSeconds, location);
    }

    public GatewayConfig withRetention(int rawDays, int minuteDays) {
        return new GatewayConfig(dataDir, bindHost, coapPort, mqttPort, httpPort, jdbcUrl, rawDays, minuteDays, maxPackBytes, mqttInMemory, offlineAfterSeconds, coapsPort, pskFile, limits, httpsPort, mqttTlsPort, tlsNames, commandLifetimeSeconds, location);
    }

    public GatewayConfig withMaxPackBytes(int max) {
        return new GatewayConfig(dataDir, bindHost, coapPort, mqttPort, httpPort, jdbcUrl, rawRetentionDays, minuteRetentionDays, max, mqttInMemory, offlineAfterSeconds, coapsPort, pskFile, limits, httpsPort, mqttTlsPort, tlsNames, commandLifetimeSeconds, location);
    }

    public GatewayConfig withMqttInMemory(boolean inMemory) {
        return new GatewayConfig(dataDir, bindHost, coapPort, mqttPort, httpPort, jdbcUrl, rawRetentionDays, minuteRetentionDays, maxPackBytes, inMemory, offlineAfterSeconds, coapsPort, pskFile, limits, httpsPort, mqttTlsPort, tlsNames, commandLifetimeSeconds, location);
    }

    public GatewayConfig withOfflineAfterSeconds(int seconds) {
        return new GatewayConfig(dataDir, bindHost, coapPort, mqttPort, httpPort, jdbcUrl, rawRetentionDays, minuteRetentionDays, maxPackBytes, mqttInMemory, seconds, coapsPort, pskFile, limits, httpsPort, mqttTlsPort, tlsNames, commandLifetimeSeconds, location);
    }

    public GatewayConfig withCoapsPort(int port) {
        return new GatewayConfig(dataDir, bindHost, coapPort, mqttPort, httpPort, jdbcUrl, rawRetentionDays, minuteRetentionDays, maxPackBytes, mqttInMemory, offlineAfterSeconds, port, pskFile, limits, httpsPort, mqttTlsPort, tlsNames, commandLifetimeSeconds, location);
    }

    public GatewayConfig withPskFile(Path file) {
        return new GatewayConfig(dataDir, bindHost, coapPort, mqttPort, httpPort, jdbcUrl, rawRetentionDays, minuteRetentionDays, maxPackBytes, mqttInMemory, offlineAfterSeconds, coapsPort, file, limits, httpsPort, mqttTlsPort, tlsNames, commandLifetimeSeconds, location);
    }

    /**
     * Reads a JSON config file whose keys are this record's component names; keys absent keep
     * the values of {@code base}. Unknown keys and wrong types are errors naming the key.
     */
    public static GatewayConfig load(Path file, GatewayConfig base) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(Files.readAllBytes(file));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(file + ": must hold a JSON object");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) throw new IllegalArgumentException(file + ": unknown key '" + k + "' (known: " + KEYS + ")");
        }
        GatewayConfig c = base;
        try {
            return new GatewayConfig(
                    root.has("dataDir") ? Path.of(text(root, "dataDir", file)) : c.dataDir,
                    root.has("bindHost") ? text(root, "bindHost", file) : c.bindHost,
                    root.has("coapPort") ? integer(root, "coapPort", file) : c.coapPort,
                    root.has("mqttPort") ? integer(root, "mqttPort", file) : c.mqttPort,
                    root.has("httpPort") ? integer(root, "httpPort", file) : c.httpPort,
                    root.has("jdbcUrl") ? (root.get("jdbcUrl").isNull() ? null : text(root, "jdbcUrl", file)) : c.jdbcUrl,
                    root.has("rawRetentionDays") ? integer(root, "rawRetentionDays", file) : c.rawRetentionDays,
                    root.has("minuteRetentionDays") ? integer(root, "minuteRetentionDays", file) : c.minuteRetentionDays,
                    root.has("maxPackBytes") ? integer(root, "maxPackBytes", file) : c.maxPackBytes,
                    root.has("mqttInMemory") ? bool(root, "mqttInMemory", file) : c.mqttInMemory,
                    root.has("offlineAfterSeconds") ? integer(root, "offlineAfterSeconds", file) : c.offlineAfterSeconds,
                    root.has("coapsPort") ? integer(root, "coapsPort", file) : c.coapsPort,
                    root.has("pskFile") ? (root.get("pskFile").isNull() ? null : Path.of(text(root, "pskFile", file))) : c.pskFile,
                    new Limits(root.has("maxNewDevices") ? integer(root, "maxNewDevices", file) : c.limits.newDevices(),
                            root.has("perAddressPerSecond") ? integer(root, "perAddressPerSecond", file) : c.limits.perAddressPerSecond()),
                    root.has("httpsPort") ? integer(root, "httpsPort", file) : c.httpsPort,
                    root.has("mqttTlsPort") ? integer(root, "mqttTlsPort", file) : c.mqttTlsPort,
                    root.has("tlsNames") ? texts(root, "tlsNames", file) : c.tlsNames,
                    root.has("commandLifetimeSeconds") ? integer(root, "commandLifetimeSeconds", file) : c.commandLifetimeSeconds,
                    new Location(root.has("latitude") ? (Double) number(root, "latitude", file) : c.location.latitude(),
                            root.has("longitude") ? (Double) number(root, "longitude", file) : c.location.longitude(),
                            root.has("timeZone") ? text(root, "timeZone", file) : c.location.timeZone()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String k, Path f) {
        if (!n.get(k).isTextual()) throw new IllegalArgumentException(f + ": '" + k + "' must be a string");
        return n.get(k).asText();
    }

    private static List<String> texts(JsonNode n, String k, Path f) {
        JsonNode a = n.get(k);
        if (!a.isArray()) throw new IllegalArgumentException(f + ": '" + k + "' must be a list of strings");
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode e : a) {
            if (!e.isTextual()) throw new IllegalArgumentException(f + ": '" + k + "' must be a list of strings");
            out.add(e.asText());
        }
        return out;
    }

    private static int integer(JsonNode n, String k, Path f) {
        if (!n.get(k).isInt()) throw new IllegalArgumentException(f + ": '" + k + "' must be an integer");
        return n.get(k).asInt();
    }

    private static double number(JsonNode n, String k, Path f) {
        if (!n.get(k).isNumber()) throw new IllegalArgumentException(f + ": '" + k + "' must be a number");
        return n.get(k).asDouble();
    }

    private static boolean bool(JsonNode n, String k, Path f) {
        if (!n.get(k).isBoolean()) throw new IllegalArgumentException(f + ": '" + k + "' must be true or false");
        return n.get(k).asBoolean();
    }
}
