package dev.lichen.appliance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
 * A sensor appliance's configuration (the JSON format in the shared brief), fully validated:
 * {@link #parse} either returns a config every part of the appliance can use as is, or throws
 * a {@link ConfigException} naming each bad field.
 */
public record DeviceConfig(String deviceId, Gateway gateway, String board, Path dataDir,
                           long outboxBudgetBytes, List<SensorSpec> sensors) {

    public enum UplinkKind { COAP, COAPS, MQTT }

    /** format is the SenML content format sent (CBOR 112 unless the config says "json"). */
    public record Gateway(UplinkKind uplink, String host, int port, Optional<Psk> psk,
                          Optional<String> username, Optional<String> password, boolean tls,
                          SenmlFormat format) {}

    public record Psk(String identity, byte[] key) {}

    /** One chip: its placement (bus, address, pin...) for its SensorFactory, and its channels. */
    public record SensorSpec(String chip, Map<String, Object> placement, Map<String, Schedule> channels) {}

    /** When a channel is read: on a fixed interval, or when the sensor raises an event. */
    public sealed interface Schedule {
        record Every(Duration interval) implements Schedule {}

        record OnEvent() implements Schedule {}
    }

    public static final Set<String> BOARDS = Set.of("rpi3", "rpi4", "arm64-virt", "sim");
    /** Placement keys a sensor entry may carry besides chip and channels. */
    public static final Set<String> PLACEMENT_KEYS =
            Set.of("bus", "address", "chipSelect", "pin", "romId", "input", "pull", "calibration", "settings");
    public static final long DEFAULT_OUTBOX_BUDGET = 8L << 20;
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    public static final Duration MAX_INTERVAL = Duration.ofHours(24);

    private static final Pattern INTERVAL = Pattern.compile("([0-9]{1,6})(ms|s|m|h)");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern ROM_ID = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{12}");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    // What Jackson binds: the file's shape. Values are checked afterwards, all at once.
    private record RawConfig(String deviceId, RawGateway gateway, String board, String dataDir,
                             RawOutbox outbox, List<ObjectNode> sensors) {}

    private record RawGateway(String uplink, String host, Integer port, RawPsk psk, String username,
                              String password, Boolean tls, String format) {}

    private record RawPsk(String identity, String key) {}

    private record RawOutbox(Long budgetBytes) {}

    public static DeviceConfig load(Path file, Set<String> knownChips) throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of("no such file: give the path of the device's JSON config"));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read: " + e.getMessage()));
        }
        return parse(file.toString(), bytes, knownChips);
    }

    /**
     * Parses and validates. knownChips are the chips some SensorFactory offers; a sensor with
     * any other chip is an error.
     */
    public static DeviceConfig parse(String source, byte[] json, Set<String> knownChips) throws ConfigException {
        if (new String(json, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw new ConfigException(source, List.of("the file is empty: expected a JSON object (see README.md, device config)"));
        }
        RawConfig raw;
        try {
            raw = JSON.readValue(json, RawConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(source, List.of(where(e) + "unknown field '" + e.getPropertyName()
                    + "' (known fields here: " + String.join(", ", new TreeSet<>(
                            e.getKnownPropertyIds().stream().map(String::valueOf).toList())) + ")"));
        } catch (MismatchedInputException e) {
            String path = path(e);
            throw new ConfigException(source, List.of((path.isEmpty() ? "the config" : path)
                    + ": wrong type, expected " + describe(e.getTargetType())));
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new ConfigException(source, List.of("not valid JSON"
                    + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                    + ": " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(source, List.of("cannot read: " + e.getMessage()));
        }
        if (raw == null) throw new ConfigException(source, List.of("the config is empty: expected a JSON object"));
        return new Validator(knownChips).validate(source, raw);
    }

    private static String where(JsonMappingException e) {
        String p = path(e);
        int dot = p.lastIndexOf('.');
        // the unknown field itself ends the path; name the object it sits in
        String parent = dot < 0 ? "" : p.substring(0, dot);
        return parent.isEmpty() ? "" : parent + ": ";
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) return "another type";
        if (type == Integer.class || type == Long.class || type == int.class || type == long.class) return "a whole number";
        if (type == String.class) return "a string";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == List.class) return "a list";
        return "an object";
    }

    /** Collects every problem, so one run of the appliance shows all of them. */
    private static final class Validator {
        private final Set<String> knownChips;
        private final List<String> problems = new ArrayList<>();

        Validator(Set<String> knownChips) {
            this.knownChips = knownChips;
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
            List<SensorSpec> sensors = sensors(raw.sensors());
            if (!problems.isEmpty()) throw new ConfigException(source, problems);
            return new DeviceConfig(deviceId, gateway, board, dataDir, budget, sensors);
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
            int port = kind == null ? 0 : switch (kind) {
                case COAP -> 5683;
                case COAPS -> 5684;
                case MQTT -> Boolean.TRUE.equals(g.tls()) ? 8883 : 1883;
            };
            if (g.port() != null) {
                port = g.port();
                if (port < 1 || port > 65535) problems.add("gateway.port: " + port + " is not a port: give 1-65535");
            }
            Optional<Psk> psk = Optional.empty();
            if (g.psk() != null) {
                if (kind != null && kind != UplinkKind.COAPS) problems.add("gateway.psk: only used with uplink coaps");
                psk = psk(g.psk());
            } else if (kind == UplinkKind.COAPS) {
                problems.add("gateway.psk: missing: coaps needs {\"identity\": ..., \"key\": base64}");
            }
            if (kind != null && kind != UplinkKind.MQTT) {
                if (g.username() != null) problems.add("gateway.username: only used with uplink mqtt");
                if (g.password() != null) problems.add("gateway.password: only used with uplink mqtt");
                if (g.tls() != null) problems.add("gateway.tls: only used with uplink mqtt (use uplink coaps for CoAP over DTLS)");
            }
            if (g.password() != null && g.username() == null) problems.add("gateway.password: given without gateway.username");
            SenmlFormat format = SenmlFormat.CBOR;
            if (g.format() != null) {
                switch (g.format()) {
                    case "cbor" -> format = SenmlFormat.CBOR;
                    case "json" -> format = SenmlFormat.JSON;
                    default -> problems.add("gateway.format: unknown format '" + g.format() + "' (cbor or json)");
                }
            }
            return new Gateway(kind, g.host(), port, psk, Optional.ofNullable(g.username()),
                    Optional.ofNullable(g.password()), Boolean.TRUE.equals(g.tls()), format);
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

        private List<SensorSpec> sensors(List<ObjectNode> raw) {
            if (raw == null || raw.isEmpty()) {
                problems.add("sensors: missing or empty: list at least one sensor with its channels");
                return List.of();
            }
            List<SensorSpec> out = new ArrayList<>();
            Map<Integer, String> pins = new HashMap<>();
            Map<String, Claim> addresses = new HashMap<>();
            for (int i = 0; i < raw.size(); i++) {
                String at = "sensors[" + i + "]";
                ObjectNode node = raw.get(i);
                if (node == null) {
                    problems.add(at + ": expected an object");
                    continue;
                }
                String chip = null;
                JsonNode chipNode = node.get("chip");
                if (chipNode == null || !chipNode.isTextual() || chipNode.asText().isBlank()) {
                    problems.add(at + ".chip: missing (e.g. \"bme280\")");
                } else {
                    chip = chipNode.asText();
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

        private Map<String, Schedule> channels(String at, JsonNode node) {
            if (node == null || !node.isObject() || node.isEmpty()) {
                problems.add(at + ".channels: missing or empty: name each channel to read with its interval, e.g. {\"temperature\": \"10s\"}");
                return Map.of();
            }
            Map<String, Schedule> out = new LinkedHashMap<>();
            for (var e : node.properties()) {
                String name = e.getKey();
                String cat = at + ".channels." + name;
                if (!SenmlCodec.CHANNEL.matcher(name).matches()) {
                    problems.add(cat + ": not a channel name: use letters, digits and - . / _ (SenML's name characters), starting with a letter or digit");
                    continue;
                }
                JsonNode v = e.getValue();
                if (!v.isTextual()) {
                    problems.add(cat + ": expected an interval such as \"10s\", \"5m\" or \"event\"");
                    continue;
                }
                if (v.asText().equals("event")) {
                    out.put(name, new Schedule.OnEvent());
                    continue;
                }
                Matcher m = INTERVAL.matcher(v.asText());
                if (!m.matches()) {
                    problems.add(cat + ": bad interval '" + v.asText() + "': use a number with ms, s, m or h (\"500ms\", \"10s\", \"5m\"), or \"event\"");
                    continue;
                }
                long n = Long.parseLong(m.group(1));
                Duration d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
                if (d.compareTo(MIN_INTERVAL) < 0 || d.compareTo(MAX_INTERVAL) > 0) {
                    problems.add(cat + ": interval " + v.asText() + " is out of range: give 100ms to 24h");
                    continue;
                }
                out.put(name, new Schedule.Every(d));
            }
            return out;
        }

        /** Checks the placement keys and hands them on with numbers as Integer. */
        private Map<String, Object> placement(String at, ObjectNode node) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (var e : node.properties()) {
                String key = e.getKey();
                if (key.equals("chip") || key.equals("channels")) continue;
                JsonNode v = e.getValue();
                String kat = at + "." + key;
                switch (key) {
                    case "bus" -> intIn(kat, v, 0, 9, "a bus number 0-9").ifPresent(b -> out.put(key, b));
                    case "address" -> address(kat, v).ifPresent(a -> out.put(key, a));
                    case "chipSelect" -> intIn(kat, v, 0, 3, "a chip select 0-3").ifPresent(c -> out.put(key, c));
                    case "pin" -> intIn(kat, v, 0, 27, "a BCM GPIO number 0-27").ifPresent(p -> out.put(key, p));
                    case "input" -> intIn(kat, v, 0, 15, "an input number 0-15").ifPresent(n -> out.put(key, n));
                    case "romId" -> {
                        if (v.isTextual() && ROM_ID.matcher(v.asText()).matches()) out.put(key, v.asText());
                        else problems.add(kat + ": expected a 1-Wire ROM id such as \"28-0000075e3a1b\"");
                    }
                    case "pull" -> {
                        if (v.isTextual() && Set.of("up", "down", "none").contains(v.asText())) out.put(key, v.asText());
                        else problems.add(kat + ": expected \"up\", \"down\" or \"none\"");
                    }
                    case "calibration", "settings" -> {
                        if (v.isObject() && scalarsOnly(v)) out.put(key, JSON.convertValue(v, Map.class));
                        else problems.add(kat + ": expected an object of numbers, strings or booleans");
                    }
                    default -> problems.add(at + ": unknown field '" + key + "' (a sensor has chip, channels and "
                            + sorted(PLACEMENT_KEYS) + ")");
                }
            }
            return out;
        }

        private Optional<Integer> intIn(String at, JsonNode v, int min, int max, String what) {
            if (v.isIntegralNumber() && v.canConvertToInt() && v.intValue() >= min && v.intValue() <= max) {
                return Optional.of(v.intValue());
            }
            problems.add(at + ": " + v + " is not " + what);
            return Optional.empty();
        }

        /** A 7-bit I2C address: "0x76" or 118; 0x00-0x02 and 0x78-0x7f are reserved by I2C. */
        private Optional<Integer> address(String at, JsonNode v) {
            Integer a = null;
            if (v.isTextual() && v.asText().matches("0[xX][0-9a-fA-F]{1,2}")) a = Integer.parseInt(v.asText().substring(2), 16);
            else if (v.isIntegralNumber() && v.canConvertToInt()) a = v.intValue();
            if (a == null || a < 0x03 || a > 0x77) {
                problems.add(at + ": bad address " + v + ": give a 7-bit I2C address 0x03-0x77, e.g. \"0x76\"");
                return Optional.empty();
            }
            return Optional.of(a);
        }

        private static boolean scalarsOnly(JsonNode obj) {
            for (var e : obj.properties()) {
                if (!e.getValue().isValueNode() || e.getValue().isNull()) return false;
            }
            return true;
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

        private static String sorted(Set<String> s) {
            return String.join(", ", new TreeSet<>(s));
        }
    }
}
