package dev.lichen.gateway;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lichen gateway}: runs the gateway appliance until SIGINT/SIGTERM. */
@Command(name = "gateway", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Runs the gateway appliance: CoAP (udp, POST /r), CoAPS (DTLS 1.2, per-device",
            "pre-shared keys) and MQTT (tcp, lichen/{device}/readings) ingest, storage",
            "(SQLite in the data folder, or PostgreSQL by --jdbc-url), retention, alerts",
            "and the web UI.",
            "Flags override the --config file, which overrides the defaults. Stops cleanly on Ctrl-C / SIGTERM."},
        footer = {"", "Online/offline: an MQTT device is online while its broker session lives",
            "(status topic, last will). A CoAP/CoAPS device has no session: it is marked",
            "offline (dashboard, API, live events) once it sent nothing for",
            "max(--offline-after, 3 x its usual interval between packs); its usual",
            "interval is learnt from its packs (until two were seen, it gets",
            "3 x --offline-after). It is online again with its next pack.",
            "",
            "Device keys: an admin creates or rotates a device's key on its device page",
            "or with POST /api/v1/devices/{id}/psk; the key is shown once and stored in",
            "the database. --psk-file imports keys at start, one per line: <deviceId>",
            "<base64 key> (16..64 bytes), '#' comments. Over CoAPS the key is the DTLS",
            "pre-shared key and the identity is the device id (a pack of another device:",
            "4.03; plain CoAP is refused for a device with a key). Over MQTT a device",
            "with a key logs in as user <deviceId> with the base64 key as password (else",
            "CONNACK not authorized); a device publishes only its own readings and",
            "status and subscribes only to its own cmd topic, nobody subscribes to #;",
            "devices without a key connect anonymously, for themselves only.",
            "",
            "Limits: at most --max-new-devices devices wait for adoption; from one",
            "address at most --per-address-rate MQTT connects and first packs of unknown",
            "devices a second. Refusals: lichen_ingest_rejects_total and",
            "lichen_mqtt_refused_total on /metrics.",
            "",
            "Config file (JSON, every key optional):",
            "  {\"dataDir\": \"/var/lib/lichen\", \"bindHost\": \"0.0.0.0\", \"coapPort\": 5683,",
            "   \"mqttPort\": 1883, \"mqttTlsPort\": -1, \"httpPort\": 8080, \"httpsPort\": 8443,",
            "   \"jdbcUrl\": null, \"rawRetentionDays\": 30, \"minuteRetentionDays\": 365,",
            "   \"maxPackBytes\": 16384, \"mqttInMemory\": true, \"offlineAfterSeconds\": 120,",
            "   \"coapsPort\": -1, \"pskFile\": null, \"tlsNames\": [],",
            "   \"maxNewDevices\": 100, \"perAddressPerSecond\": 10, \"commandLifetimeSeconds\": 30,",
            "   \"latitude\": null, \"longitude\": null, \"timeZone\": null}",
            "  (coapsPort -1: 5684 when CoAP is on 5683, else any free port; mqttTlsPort -1:",
            "   8883 when MQTT is on 1883, else any free port;",
            "   httpsPort -1: the web UI on plain http at httpPort, as --plain-http)",
            "",
            "The web UI is on https with a certificate from the gateway's own CA, made on",
            "first start in <data>/tls (keys 0600). Browsers warn until they trust it:",
            "compare the fingerprint printed at start (and on the first-run page) and",
            "install https://<gateway>:8443/ca.crt, or accept the warning once."})
public final class GatewayCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR", description = "Data folder (database, broker state). Default: ./lichen-data")
    Path data;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON config file (keys as in the footer).")
    Path config;

    @Option(names = "--bind", paramLabel = "HOST", description = "Address to listen on. Default: 0.0.0.0 (all)")
    String bind;

    @Option(names = "--coap-port", paramLabel = "PORT", description = "CoAP udp port. Default: 5683 (0 = any free port)")
    Integer coapPort;

    @Option(names = "--coaps-port", paramLabel = "PORT", description = "CoAPS (DTLS 1.2: a device's pre-shared key or its own key pair) udp port. Default: 5684 when CoAP is on 5683, else any free port (printed at start); 0 = any free port")
    Integer coapsPort;

    @Option(names = "--psk-file", paramLabel = "FILE", description = "Import CoAPS pre-shared keys at start: lines '<deviceId> <base64 key>' (see below).")
    Path pskFile;

    @Option(names = "--offline-after", paramLabel = "SECONDS", description = "A quiet CoAP device is offline after max(this, 3 x its usual interval). Default: 120")
    Integer offlineAfter;

    @Option(names = "--latitude", paramLabel = "DEGREES", description = "Where the house is (with --longitude), for automations at sunrise and sunset, computed on the gateway. Default: unknown (sun triggers refused)")
    Double latitude;

    @Option(names = "--longitude", paramLabel = "DEGREES", description = "Where the house is, east positive (with --latitude)")
    Double longitude;

    @Option(names = "--time-zone", paramLabel = "ZONE", description = "The house's time zone for automations' times of day, e.g. Europe/Berlin. Default: the machine's")
    String timeZone;

    @Option(names = "--command-lifetime", paramLabel = "SECONDS", description = "How long a command to a device's output waits for the device before it expires. Default: 30")
    Integer commandLifetime;

    @Option(names = "--mqtt-port", paramLabel = "PORT", description = "MQTT tcp port. Default: 1883 (0 = any free port)")
    Integer mqttPort;

    @Option(names = "--mqtt-tls-port", paramLabel = "PORT", description = "MQTT over TLS tcp port, with a certificate from the gateway's CA. Default: 8883 when MQTT is on 1883, else any free port (printed at start); 0 = any free port")
    Integer mqttTlsPort;

    @Option(names = "--http-port", paramLabel = "PORT", description = "Plain http port: only redirects to https, or serves the web UI with --plain-http. Default: 8080 (0 = any free port)")
    Integer httpPort;

    @Option(names = "--https-port", paramLabel = "PORT", description = "Web UI / REST API over https, with a certificate from the gateway's own CA (<data>/tls). Default: 8443 (0 = any free port)")
    Integer httpsPort;

    @Option(names = "--tls-name", paramLabel = "NAME", description = "A host name or address the gateway's certificate should also carry (repeatable): a name the home's router gives it, a forwarded address. The machine's own names and addresses are always in it.")
    java.util.List<String> tlsNames;

    @Option(names = "--plain-http", description = "Serve the web UI and API on --http-port in the clear (behind a reverse proxy that does TLS); no https port.")
    boolean plainHttp;

    @Option(names = "--retention-days", paramLabel = "DAYS", description = "Days raw readings are kept before they become 1-minute rollups. Default: 30")
    Integer rawDays;

    @Option(names = "--minute-retention-days", paramLabel = "DAYS", description = "Days 1-minute rollups are kept before they become hourly rollups (kept for ever). Default: 365")
    Integer minuteDays;

    @Option(names = "--jdbc-url", paramLabel = "URL", description = "Use this database instead of SQLite, e.g. jdbc:postgresql://db:5432/lichen?user=lichen&password=...")
    String jdbcUrl;

    @Option(names = "--max-pack-bytes", paramLabel = "BYTES", description = "Largest SenML pack accepted (CoAP 4.13 / MQTT 0x99 beyond). Default: 16384")
    Integer maxPackBytes;

    @Option(names = "--mqtt-persistence", paramLabel = "MODE", description = "Broker sessions and queues: in-memory (spares the SD card; readings are durable in the database anyway) or file. Default: in-memory")
    String mqttPersistence;

    @Option(names = "--max-new-devices", paramLabel = "N", description = "Devices that may wait for adoption at once; more are refused (CoAP 5.03, MQTT 0x97) until some are adopted or rejected. Default: 100")
    Integer maxNewDevices;

    @Option(names = "--per-address-rate", paramLabel = "N", description = "From one address: MQTT connects and first packs of unknown devices a second (bursts of 5 s worth); beyond, CONNACK 0x9F / CoAP 4.29. Default: 10")
    Integer perAddressRate;

    @Option(names = "--ingest-only", description = "Run ingest, storage, retention and alerts only: no web UI or other components.")
    boolean ingestOnly;

    /** The configuration these flags describe (defaults < config file < flags). */
    public GatewayConfig resolve() throws Exception {
        GatewayConfig c = GatewayConfig.defaults();
        if (config != null) c = GatewayConfig.load(config, c);
        if (data != null) c = c.withDataDir(data);
        if (bind != null) c = c.withBindHost(bind);
        c = c.withPorts(coapPort != null ? coapPort : c.coapPort(), mqttPort != null ? mqttPort : c.mqttPort(),
                httpPort != null ? httpPort : c.httpPort());
        if (rawDays != null || minuteDays != null) {
            c = c.withRetention(rawDays != null ? rawDays : c.rawRetentionDays(), minuteDays != null ? minuteDays : c.minuteRetentionDays());
        }
        if (plainHttp && httpsPort != null) throw new IllegalArgumentException("--plain-http and --https-port exclude each other: choose one");
        if (plainHttp) c = c.withHttpsPort(GatewayConfig.HTTPS_OFF);
        if (httpsPort != null) {
            if (httpsPort < 0) throw new IllegalArgumentException("--https-port must be 0..65535, got " + httpsPort + " (for plain http say --plain-http)");
            c = c.withHttpsPort(httpsPort);
        }
        if (mqttTlsPort != null) c = c.withMqttTlsPort(mqttTlsPort);
        if (tlsNames != null) c = c.withTlsNames(tlsNames);
        if (jdbcUrl != null) c = c.withJdbcUrl(jdbcUrl);
        if (coapsPort != null) c = c.withCoapsPort(coapsPort);
        if (pskFile != null) c = c.withPskFile(pskFile);
        if (offlineAfter != null) c = c.withOfflineAfterSeconds(offlineAfter);
        if (maxPackBytes != null) c = c.withMaxPackBytes(maxPackBytes);
        if (latitude != null || longitude != null || timeZone != null) {
            var l = c.location();
            c = c.withLocation(new GatewayConfig.Location(latitude != null ? latitude : l.latitude(), longitude != null ? longitude : l.longitude(),
                    timeZone != null ? timeZone : l.timeZone()));
        }
        if (commandLifetime != null) c = c.withCommandLifetimeSeconds(commandLifetime);
        if (maxNewDevices != null || perAddressRate != null) {
            c = c.withLimits(new GatewayConfig.Limits(maxNewDevices != null ? maxNewDevices : c.limits().newDevices(),
                    perAddressRate != null ? perAddressRate : c.limits().perAddressPerSecond()));
        }
        if (mqttPersistence != null) {
            switch (mqttPersistence) {
                case "in-memory" -> c = c.withMqttInMemory(true);
                case "file" -> c = c.withMqttInMemory(false);
                default -> throw new IllegalArgumentException("--mqtt-persistence must be in-memory or file, got " + mqttPersistence);
            }
        }
        return c;
    }

    /** How the gateway's ready line starts and ends (printed by {@link #call}, waited for by {@link #saysReady}). */
    private static final String READY_START = "lichen gateway: ", READY_END = ", ready";

    /**
     * Whether a gateway's output so far holds its own ready line (libraries print "ready" too,
     * e.g. Scandium's "JCE setup: ... ready."): what harnesses that start `lichen gateway` wait for.
     */
    public static boolean saysReady(String output) {
        return output.lines().anyMatch(l -> l.startsWith(READY_START) && l.endsWith(READY_END));
    }

    /** Runs the command without the launcher (used by tests that start a gateway as its own process). */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new GatewayCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        GatewayConfig c;
        try {
            c = resolve();
        } catch (IllegalArgumentException e) {
            System.err.println("lichen gateway: " + e.getMessage());
            return 2;
        }
        // what the gateway writes (database, broker state, add-on tokens) is its own: add-ons run as other users
        dev.lichen.runtime.system.Linux.umask(0077);
        Gateway g;
        try {
            g = ingestOnly ? Gateway.start(c, java.util.List.of()) : Gateway.start(c);
        } catch (IllegalArgumentException e) {
            System.err.println("lichen gateway: " + e.getMessage()); // e.g. a bad line in --psk-file
            return 2;
        } catch (Exception e) {
            System.err.println("lichen gateway: cannot start: " + e.getMessage()
                    + " (is another gateway using the ports or the data folder? try other --coap-port/--mqtt-port/--data)");
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            System.out.println("lichen gateway: stopping (committing what is queued)...");
            g.close();
            stopped.countDown();
        }, "lichen-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String web = "";
        for (var w : g.components(dev.lichen.gateway.web.WebComponent.class)) {
            String host = c.bindHost().equals("0.0.0.0") || c.bindHost().equals("::") ? "localhost" : c.bindHost();
            if (host.contains(":")) host = "[" + host + "]";
            web = w.server().https()
                    ? ", web https://" + host + ":" + w.server().httpsPort() + "/ (CA fingerprint SHA-256 " + g.tls().caFingerprint() + ")"
                    : ", web http://" + host + ":" + w.server().httpPort() + "/ (plain http)";
        }
        System.out.printf(READY_START + "data %s (%s), CoAP udp %d, CoAPS udp %d, MQTT tcp %d, MQTT/TLS tcp %d%s" + READY_END + "%n",
                c.dataDir().toAbsolutePath(), g.store().dialect(), g.coapPort(), g.coapsPort(), g.mqttPort(), g.mqttTlsPort(), web);
        System.out.flush();
        stopped.await();
        return 0;
    }
}
