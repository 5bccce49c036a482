package dev.lichen.appliance;

import static dev.lichen.appliance.DeviceConfig.*;

import dev.lichen.appliance.DeviceConfigReader.RawConfig;
import dev.lichen.appliance.DeviceConfigReader.RawGateway;
import dev.lichen.appliance.DeviceConfigReader.RawPsk;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the raw records {@link DeviceConfigReader} read and builds the {@link DeviceConfig}.
 * Collects every problem, each named by its path ("gateway.port: ..."), so one run of the
 * appliance shows all of them.
 */
final class DeviceConfigValidation {
    private static final Pattern INTERVAL = Pattern.compile("([0-9]{1,6})(ms|s|m|h)");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern ROM_ID = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{12}");
    private static final String HEX = "0123456789ABCDEF";

    private final Set<String> knownChips;
    private final Path baseDir;
    private final List<String> problems = new ArrayList<>();
    /** Each sensor spec's place in the file as messages name it ("sensors[2] (pir)"), for the outputs' checks. */
    private final List<String> sensorLabels = new ArrayList<>();

    DeviceConfigValidation(Set<String> knownChips, Path baseDir) {
        this.knownChips = knownChips;
        this.baseDir = baseDir;
    }

    DeviceConfig validate(String source, RawConfig raw) throws ConfigException {
        String deviceId = raw.deviceId();
        if (deviceId == null) problems.add("deviceId: missing (e.g. \"kitchen-climate\")");
        else if (!SenmlCodec.DEVICE_ID.matcher(deviceId).matches()) {
            problems.add("deviceId: '" + deviceId + "' is not a device id: use 1-63 of a-z, 0-9, '_' and '-', starting with a letter or digit");
        }
        Gateway gateway = gateway(raw.gateway());
        String board = raw.board();
        if (board == null) problems.add("board: missing (one of " + sorted(BOARDS) + ")");
        else if (!BOARDS.contains(board)) problems.add("board: unknown board '" + board + "' (one of " + sorted(BOARDS) + ")");
        Path dataDir = Path.of("lichen-data");
        if (raw.dataDir() != null) {
            if (raw.dataDir().isBlank()) problems.add("dataDir: empty: give the folder for the outbox (e.g. /var/lib/lichen)");
            else dataDir = Path.of(raw.dataDir());
        }
        long budget = DEFAULT_OUTBOX_BUDGET;
        if (raw.outbox() != null && raw.outbox().budgetBytes() != null) {
            budget = raw.outbox().budgetBytes();
            if (budget < 65536) problems.add("outbox.budgetBytes: " + budget + " is too small: give at least 65536");
        }
        // a device that only acts (a relay box) has outputs and no sensors
        boolean acts = raw.outputs() != null && !raw.outputs().isEmpty();
        List<SensorSpec> sensors = sensors(raw.sensors(), acts);
        List<OutputSpec> outputs = new OutputsValidation(problems, board, sensors, sensorLabels).outputs(raw.outputs());
        if (!problems.isEmpty()) throw new ConfigException(source, problems);
        return new DeviceConfig(deviceId, gateway, board, dataDir, budget, sensors, outputs);
    }

    private Gateway gateway(RawGateway g) {
        if (g == null) {
            problems.add("gateway: missing (e.g. {\"uplink\": \"coap\", \"host\": \"192.168.1.10\"})");
            return null;
        }
        UplinkKind kind = null;
        if (g.uplink() == null) problems.add("gateway.uplink: missing (coap, coaps or mqtt)");
        else {
            try {
                kind = UplinkKind.valueOf(g.uplink().toUpperCase(java.util.Locale.ROOT));
                if (!g.uplink().equals(g.uplink().toLowerCase(java.util.Locale.ROOT))) throw new IllegalArgumentException();
            } catch (IllegalArgumentException e) {
                problems.add("gateway.uplink: unknown uplink '" + g.uplink() + "' (coap, coaps or mqtt)");
                kind = null;
            }
        }
        if (g.host() == null) problems.add("gateway.host: missing (the gateway's IP address or host name)");
        else if (!validHost(g.host())) {
            problems.add("gateway.host: '" + g.host() + "' is not an IP address or host name");
        }
        // a CA to trust means TLS: "tls" need not be said as well
        boolean tls = kind == UplinkKind.MQTT && (Boolean.TRUE.equals(g.tls()) || g.tls() == null && g.caFile() != null);
        int port = kind == null ? 0 : switch (kind) {
            case COAP -> 5683;
            case COAPS -> 5684;
            case MQTT -> tls ? 8883 : 1883;
        };
        if (g.port() != null) {
            port = g.port();
            if (port < 1 || port > 65535) problems.add("gateway.port: " + port + " is not a port: give 1-65535");
        }
        Optional<Psk> psk = Optional.empty();
        if (g.psk() != null) {
            if (kind != null && kind != UplinkKind.COAPS) problems.add("gateway.psk: only used with uplink coaps");
            psk = psk(g.psk());
        } else if (kind == UplinkKind.COAPS && g.caFile() == null) {
            problems.add("gateway.caFile: missing: coaps presents the device's own key and checks the gateway by its CA"
                    + " (copy the gateway's https://<gateway>:8443/ca.crt beside device.json); or give gateway.psk"
                    + " {\"identity\": ..., \"key\": base64} made on the gateway");
        }
        if (kind != null && kind != UplinkKind.MQTT) {
            if (g.username() != null) problems.add("gateway.username: only used with uplink mqtt");
            if (g.password() != null) problems.add("gateway.password: only used with uplink mqtt");
            if (g.tls() != null) problems.add("gateway.tls: only used with uplink mqtt (use uplink coaps for CoAP over DTLS)");
        }
        if (g.password() != null && g.username() == null) problems.add("gateway.password: given without gateway.username");
        Optional<dev.lichen.runtime.uplink.TrustedCa> ca = Optional.empty();
        if (g.caFile() != null) {
            if (kind == UplinkKind.COAP) {
                problems.add("gateway.caFile: not used with uplink coap, which is unencrypted: use uplink coaps");
            } else if (kind == UplinkKind.COAPS && g.psk() != null) {
                problems.add("gateway.caFile: not used with gateway.psk (the pre-shared key proves the gateway too): drop one of them");
            } else if (kind == UplinkKind.MQTT && !tls) {
                problems.add("gateway.caFile: given with \"tls\": false: drop one of them");
            } else {
                try {
                    Path file = Path.of(g.caFile());
                    if (!file.isAbsolute() && baseDir != null) file = baseDir.resolve(file);
                    ca = Optional.of(dev.lichen.runtime.uplink.TrustedCa.read(file));
                } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
                    problems.add("gateway.caFile: " + (e instanceof java.nio.file.NoSuchFileException
                            ? ((java.nio.file.NoSuchFileException) e).getFile() + " does not exist: copy the gateway's https://<gateway>:8443/ca.crt there"
                            : e.getMessage()));
                }
            }
        }
        SenmlFormat format = SenmlFormat.CBOR;
        if (g.format() != null) {
            switch (g.format()) {
                case "cbor" -> format = SenmlFormat.CBOR;
                case "json" -> format = SenmlFormat.JSON;
                default -> problems.add("gateway.format: unknown format '" + g.format() + "' (cbor or json)");
            }
        }
        return new Gateway(kind, g.host(), port, psk, Optional.ofNullable(g.username()),
                Optional.ofNullable(g.password()), tls, format, ca);
    }

    private Optional<Psk> psk(RawPsk p) {
        boolean ok = true;
        if (p.identity() == null || p.identity().isBlank() || p.identity().length() > 128) {
            problems.add("gateway.psk.identity: missing or empty (1-128 characters, usually the device id)");
            ok = false;
        }
        byte[] key = null;
        if (p.key() == null) {
            problems.add("gateway.psk.key: missing (the pre-shared key, base64)");
            ok = false;
        } else {
            try {
                key = Base64.getDecoder().decode(p.key());
                if (key.length < 16 || key.length > 64) {
                    problems.add("gateway.psk.key: " + key.length + " bytes: give a key of 16-64 bytes, base64");
                    ok = false;
                }
            } catch (IllegalArgumentException e) {
                problems.add("gateway.psk.key: not base64: " + e.getMessage());
                ok = false;
            }
        }
        return ok ? Optional.of(new Psk(p.identity(), key)) : Optional.empty();
    }

    private List<SensorSpec> sensors(List<Map<String, Object>> raw, boolean hasOutputs) {
        if (raw == null || raw.isEmpty()) {
            if (!hasOutputs) problems.add("sensors: missing or empty: list at least one sensor with its channels");
            return List.of();
        }
        List<SensorSpec> out = new ArrayList<>();
        Map<Integer, String> pins = new HashMap<>();
        Map<String, Claim> addresses = new HashMap<>();
        for (int i = 0; i < raw.size(); i++) {
            String at = "sensors[" + i + "]";
            Map<String, Object> node = raw.get(i);
            if (node == null) {
                problems.add(at + ": expected an object");
                continue;
            }
            String chip = null;
            if (!(node.get("chip") instanceof String name) || name.isBlank()) {
                problems.add(at + ".chip: missing (e.g. \"bme280\")");
            } else {
                chip = name;
                if (!knownChips.contains(chip)) {
                    problems.add(at + ".chip: unknown chip '" + chip + "' (known: "
                            + (knownChips.isEmpty() ? "none: no SensorFactory is installed" : sorted(knownChips)) + ")");
                }
            }
            at = at + (chip == null ? "" : " (" + chip + ")");
            Map<String, Schedule> channels = channels(at, node.get("channels"));
            Map<String, Object> placement = placement(at, node);
            Object pin = placement.get("pin");
            if (pin instanceof Integer p) {
                String prev = pins.putIfAbsent(p, at);
                if (prev != null) problems.add(at + ".pin: pin " + p + " is already used by " + prev);
            }
            Object address = placement.get("address");
            if (address instanceof Integer a) {
                int bus = placement.get("bus") instanceof Integer b ? b : 1;
                String key = "i2c-" + bus + "@" + a;
                String prev = shared(addresses, key, chip, placement.get("input"), at);
                if (prev != null) {
                    problems.add(at + ".address: %s and %s are both at 0x%02x on i2c bus %d; give one another address".formatted(prev, at, a, bus));
                }
            }
            if (placement.get("chipSelect") instanceof Integer cs) {
                int bus = placement.get("bus") instanceof Integer b ? b : 0;
                String prev = shared(addresses, "spi-" + bus + "@" + cs, chip, placement.get("input"), at);
                if (prev != null) problems.add(at + ".chipSelect: %s already uses chip select %d on spi bus %d".formatted(prev, cs, bus));
            }
            if (placement.get("romId") instanceof String rom) {
                String prev = shared(addresses, "w1@" + rom, chip, null, at);
                if (prev != null) problems.add(at + ".romId: %s already reads 1-Wire device %s".formatted(prev, rom));
            }
            out.add(new SensorSpec(chip, placement, channels));
            sensorLabels.add(at);
        }
        return out;
    }

    /** Who holds a bus address: the first entry there, its chip, and which ADC inputs are taken. */
    private record Claim(String holder, String chip, Map<Integer, String> inputs) {}

    /**
     * Claims a bus address for a sensor entry; returns the entry already holding it, or null.
     * Several probes may share one ADC chip (an ADS1115, an MCP3008) when each reads its own
     * input: the same chip at the same address with distinct inputs is no conflict.
     */
    private static String shared(Map<String, Claim> claims, String key, String chip, Object input, String at) {
        Integer in = input instanceof Integer i ? i : null;
        Claim claim = claims.get(key);
        if (claim == null) {
            Map<Integer, String> inputs = new HashMap<>();
            if (in != null) inputs.put(in, at);
            claims.put(key, new Claim(at, chip, inputs));
            return null;
        }
        boolean sharesAdc = in != null && !claim.inputs().isEmpty() && chip != null && chip.equals(claim.chip());
        return sharesAdc ? claim.inputs().putIfAbsent(in, at) : claim.holder();
    }

    private Map<String, Schedule> channels(String at, Object node) {
        if (!(node instanceof Map<?, ?> named) || named.isEmpty()) {
            problems.add(at + ".channels: missing or empty: name each channel to read with its interval, e.g. {\"temperature\": \"10s\"}");
            return Map.of();
        }
        Map<String, Schedule> out = new LinkedHashMap<>();
        for (var e : named.entrySet()) {
            String name = (String) e.getKey();
            String cat = at + ".channels." + name;
            if (!SenmlCodec.CHANNEL.matcher(name).matches()) {
                problems.add(cat + ": not a channel name: use letters, digits and - . / _ (SenML's name characters), starting with a letter or digit");
                continue;
            }
            if (!(e.getValue() instanceof String v)) {
                problems.add(cat + ": expected an interval such as \"10s\", \"5m\" or \"event\"");
                continue;
            }
            if (v.equals("event")) {
                out.put(name, new Schedule.OnEvent());
                continue;
            }
            Duration d = interval(v);
            if (d == null) {
                problems.add(cat + ": bad interval '" + v + "': use a number with ms, s, m or h (\"500ms\", \"10s\", \"5m\"), or \"event\"");
                continue;
            }
            if (d.compareTo(MIN_INTERVAL) < 0 || d.compareTo(MAX_INTERVAL) > 0) {
                problems.add(cat + ": interval " + v + " is out of range: give 100ms to 24h");
                continue;
            }
            out.put(name, new Schedule.Every(d));
        }
        return out;
    }

    /** An interval as the config writes it ("500ms", "10s", "5m", "2h"), or null if it is not one. */
    static Duration interval(String v) {
        Matcher m = INTERVAL.matcher(v);
        if (!m.matches()) return null;
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** Checks the placement keys and hands them on with numbers as Integer. */
    private Map<String, Object> placement(String at, Map<String, Object> node) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : node.entrySet()) {
            String key = e.getKey();
            if (key.equals("chip") || key.equals("channels")) continue;
            Object v = e.getValue();
            String kat = at + "." + key;
            switch (key) {
                case "bus" -> put(out, key, intIn(kat, v, 0, 9, "a bus number 0-9"));
                case "address" -> put(out, key, address(kat, v));
                case "chipSelect" -> put(out, key, intIn(kat, v, 0, 3, "a chip select 0-3"));
                case "pin" -> put(out, key, intIn(kat, v, 0, 27, "a BCM GPIO number 0-27"));
                case "input" -> put(out, key, intIn(kat, v, 0, 15, "an input number 0-15"));
                case "romId" -> {
                    if (v instanceof String s && ROM_ID.matcher(s).matches()) out.put(key, s);
                    else problems.add(kat + ": expected a 1-Wire ROM id such as \"28-0000075e3a1b\"");
                }
                case "pull" -> {
                    if (v instanceof String s && Set.of("up", "down", "none").contains(s)) out.put(key, s);
                    else problems.add(kat + ": expected \"up\", \"down\" or \"none\"");
                }
                case "calibration", "settings" -> {
                    if (v instanceof Map<?, ?> m && scalarsOnly(m)) out.put(key, m);
                    else problems.add(kat + ": expected an object of numbers, strings or booleans");
                }
                default -> problems.add(at + ": unknown field '" + key + "' (a sensor has chip, channels and "
                        + sorted(PLACEMENT_KEYS) + ")");
            }
        }
        return out;
    }

    private static void put(Map<String, Object> out, String key, Object value) {
        if (value != null) out.put(key, value);
    }

    /** The value if it is a whole number from min to max, else null (and a problem). */
    private Integer intIn(String at, Object v, int min, int max, String what) {
        // the reader gives a whole number as Integer when it fits one
        if (v instanceof Integer i && i >= min && i <= max) return i;
        problems.add(at + ": " + json(v) + " is not " + what);
        return null;
    }

    /** A 7-bit I2C address: "0x76" or 118; 0x00-0x02 and 0x78-0x7f are reserved by I2C. */
    private Integer address(String at, Object v) {
        Integer a = null;
        if (v instanceof String s && s.matches("0[xX][0-9a-fA-F]{1,2}")) a = Integer.parseInt(s.substring(2), 16);
        else if (v instanceof Integer i) a = i;
        if (a == null || a < 0x03 || a > 0x77) {
            problems.add(at + ": bad address " + json(v) + ": give a 7-bit I2C address 0x03-0x77, e.g. \"0x76\"");
            return null;
        }
        return a;
    }

    private static boolean scalarsOnly(Map<?, ?> obj) {
        for (Object v : obj.values()) {
            if (v == null || v instanceof Map || v instanceof List) return false;
        }
        return true;
    }

    /** A value as compact JSON for a message, as Jackson writes it: "0x99", 1000.0, {"a":1}. */
    static String json(Object v) {
        StringBuilder sb = new StringBuilder();
        json(sb, v);
        return sb.toString();
    }

    private static void json(StringBuilder sb, Object v) {
        if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Double d && !Double.isFinite(d)) {
            quote(sb, d.toString()); // Jackson quotes them: "Infinity"
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (var e : m.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                quote(sb, (String) e.getKey());
                sb.append(':');
                json(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(',');
                json(sb, l.get(i));
            }
            sb.append(']');
        } else {
            sb.append(v); // null, Boolean, Integer, Long, BigInteger, Double
        }
    }

    /** Quoted as Jackson quotes: \" \\ \b \f \n \r \t, other control characters as a 4-hex-digit escape. */
    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append("\\u00").append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    private static boolean validHost(String host) {
        if (host.isEmpty() || host.length() > 253) return false;
        Matcher m = IPV4.matcher(host);
        if (m.matches()) {
            for (int i = 1; i <= 4; i++) if (Integer.parseInt(m.group(i)) > 255) return false;
            return true;
        }
        if (host.contains(":")) {
            try {
                // only literals reach InetAddress here, so this never resolves a name
                return host.matches("[0-9a-fA-F:.]+") && java.net.InetAddress.getByName(host) instanceof java.net.Inet6Address;
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        if (host.matches("[0-9.]+")) return false;
        for (String label : host.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) return false;
        }
        return true;
    }

    static String sorted(Set<String> s) {
        return String.join(", ", new TreeSet<>(s));
    }
}
