package dev.lichen.appliance;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.senml.SenmlFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeviceConfigTest {
    static final Set<String> CHIPS = Set.of("bme280", "soil-ads1115", "pir");

    /** The example of the shared brief, verbatim. */
    static final String EXAMPLE = """
            {
              "deviceId": "kitchen-climate",
              "gateway": {"uplink": "coap", "host": "192.168.1.10", "port": 5683,
                          "psk": {"identity": "kitchen-climate", "key": "MDEyMzQ1Njc4OWFiY2RlZg=="}},
              "board": "rpi4",
              "dataDir": "/var/lib/lichen",
              "outbox": {"budgetBytes": 8388608},
              "sensors": [
                {"chip": "bme280", "bus": 1, "address": "0x76",
                 "channels": {"temperature": "10s", "humidity": "10s", "pressure": "60s"}},
                {"chip": "soil-ads1115", "bus": 1, "address": "0x48", "input": 0,
                 "calibration": {"dryVolts": 2.8, "wetVolts": 1.2}, "channels": {"soil_moisture": "5m"}},
                {"chip": "pir", "pin": 17, "channels": {"motion": "event"}}
              ]
            }
            """;

    static DeviceConfig parse(String json) throws ConfigException {
        return DeviceConfig.parse("device.json", json.getBytes(StandardCharsets.UTF_8), CHIPS);
    }

    static String problem(String json) {
        return assertThrows(ConfigException.class, () -> parse(json)).getMessage();
    }

    static String coapsExample() {
        return EXAMPLE.replace("\"uplink\": \"coap\"", "\"uplink\": \"coaps\"");
    }

    /** Only a gateway given by address gets its uplink before the machine is up: a name needs the network. */
    @Test
    void aGatewayHostIsToldAsAnAddressOrAName() throws Exception {
        for (String address : List.of("10.0.2.2", "fe80::1", "2001:db8::10")) {
            DeviceConfig.Gateway g = parse(coapsExample().replace("192.168.1.10", address)).gateway();
            assertTrue(g.hostIsAddress(), address);
            assertEquals(address.contains(":"), g.hostIsIpv6Address(), address); // an image keeps IPv6 on for these
        }
        for (String name : List.of("gateway.local", "gw1", "3com.example")) {
            DeviceConfig.Gateway g = parse(coapsExample().replace("192.168.1.10", name)).gateway();
            assertFalse(g.hostIsAddress(), name);
            assertFalse(g.hostIsIpv6Address(), name);
        }
        // the rule leans on the validator: digits and dots alone are an IPv4 address or nothing
        assertTrue(problem(coapsExample().replace("192.168.1.10", "1234")).contains("is not an IP address or host name"));
    }

    @Test
    void theBriefsExampleParses() throws Exception {
        DeviceConfig c = parse(coapsExample());
        assertEquals("kitchen-climate", c.deviceId());
        assertEquals(DeviceConfig.UplinkKind.COAPS, c.gateway().uplink());
        assertEquals(5683, c.gateway().port());
        assertEquals(16, c.gateway().psk().orElseThrow().key().length);
        assertEquals(SenmlFormat.CBOR, c.gateway().format());
        assertEquals(3, c.sensors().size());
        var bme = c.sensors().getFirst();
        assertEquals(Map.of("bus", 1, "address", 0x76), bme.placement(), "numbers reach the factory as Integer");
        assertEquals(new DeviceConfig.Schedule.Every(Duration.ofSeconds(60)), bme.channels().get("pressure"));
        var soil = c.sensors().get(1);
        assertEquals(Map.of("dryVolts", 2.8, "wetVolts", 1.2), soil.placement().get("calibration"));
        assertEquals(new DeviceConfig.Schedule.Every(Duration.ofMinutes(5)), soil.channels().get("soil_moisture"));
        assertEquals(new DeviceConfig.Schedule.OnEvent(), c.sensors().get(2).channels().get("motion"));
        assertEquals(8388608, c.outboxBudgetBytes());
    }

    @Test
    void pskOnlyWithCoaps() {
        assertTrue(problem(EXAMPLE).contains("gateway.psk: only used with uplink coaps"));
    }

    @Test
    void corruptJsonSaysWhere() {
        String m = problem(coapsExample().replace("\"board\": \"rpi4\",", "\"board\": \"rpi4\""));
        assertTrue(m.contains("not valid JSON at line"), m);
        assertTrue(problem("").contains("empty") || problem("").contains("JSON"), problem(""));
        assertTrue(problem(coapsExample() + "]").contains("not valid JSON"));
    }

    @Test
    void unknownFieldsAreNamedWherever() {
        String top = problem(coapsExample().replace("\"board\"", "\"bord\": 1, \"board\""));
        assertTrue(top.contains("unknown field 'bord'"), top);
        String gw = problem(coapsExample().replace("\"port\": 5683", "\"port\": 5683, \"prot\": 1"));
        assertTrue(gw.contains("gateway: unknown field 'prot'"), gw);
        String sensor = problem(coapsExample().replace("\"address\": \"0x76\"", "\"adress\": \"0x76\""));
        assertTrue(sensor.contains("sensors[0] (bme280): unknown field 'adress'"), sensor);
    }

    @Test
    void badAddressesAndHosts() {
        assertTrue(problem(coapsExample().replace("\"0x76\"", "\"0x99\"")).contains("sensors[0] (bme280).address: bad address"));
        assertTrue(problem(coapsExample().replace("\"0x76\"", "\"seventy\"")).contains("bad address"));
        assertTrue(problem(coapsExample().replace("192.168.1.10", "192.168.1.300")).contains("gateway.host"));
        assertTrue(problem(coapsExample().replace("192.168.1.10", "bad host!")).contains("gateway.host"));
        assertTrue(problem(coapsExample().replace("5683", "70000")).contains("gateway.port: 70000"));
        assertTrue(problem(coapsExample().replace("5683", "\"x\"")).contains("gateway.port: wrong type, expected a whole number"));
    }

    @Test
    void hostNamesAndIpv6Pass() throws Exception {
        assertEquals("gw.local", parse(coapsExample().replace("192.168.1.10", "gw.local")).gateway().host());
        assertEquals("fe80::1", parse(coapsExample().replace("192.168.1.10", "fe80::1")).gateway().host());
    }

    @Test
    void aDeviceThatOnlyActsNeedsNoSensors() throws Exception {
        String json = """
                {"deviceId": "relay-box", "gateway": {"uplink": "coap", "host": "192.168.1.10"}, "board": "rpi4",
                 "outputs": [{"name": "pump", "kind": "switch", "pin": 22}]}
                """;
        var c = DeviceConfig.parse("device.json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.util.Set.of());
        assertTrue(c.sensors().isEmpty());
        assertEquals(java.util.List.of(new DeviceConfig.OutputSpec.SwitchSpec("pump", 22, false, false)), c.outputs());
        String without = json.replaceAll(",\\s*\"outputs\": \\[.*\\]", "");
        var e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> DeviceConfig.parse("device.json", without.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.util.Set.of()));
        assertTrue(e.getMessage().contains("sensors: missing or empty"), e.getMessage());
    }

    @Test
    void missingOrEmptyChannels() {
        String m = problem(coapsExample().replace(", \"channels\": {\"soil_moisture\": \"5m\"}", ""));
        assertTrue(m.contains("sensors[1] (soil-ads1115).channels: missing or empty"), m);
        assertTrue(problem(coapsExample().replace("{\"motion\": \"event\"}", "{}")).contains("sensors[2] (pir).channels: missing or empty"));
        assertTrue(problem(coapsExample().replace("\"5m\"", "\"5 minutes\"")).contains("bad interval '5 minutes'"));
        assertTrue(problem(coapsExample().replace("\"5m\"", "\"10ms\"")).contains("out of range"));
        assertTrue(problem(coapsExample().replaceAll("\"sensors\": \\[[\\s\\S]*\\]", "\"sensors\": []")).contains("sensors: missing or empty"));
    }

    @Test
    void pinTwiceAndTwoChipsAtOneAddress() {
        String pins = problem(coapsExample().replace("\"input\": 0,", "\"input\": 0, \"pin\": 17,"));
        assertTrue(pins.contains("pin 17 is already used by sensors[1]"), pins);
        String addr = problem(coapsExample().replace("\"0x48\"", "\"0x76\""));
        assertTrue(addr.contains("both at 0x76 on i2c bus 1"), addr);
        // the same address on another bus is fine
        assertDoesNotThrow(() -> parse(coapsExample().replace("\"bus\": 1, \"address\": \"0x48\"", "\"bus\": 3, \"address\": \"0x76\"")));
    }

    @Test
    void probesShareOneAdcByInputButNotOneInput() throws Exception {
        String soil = "{\"chip\": \"soil-ads1115\", \"bus\": 1, \"address\": \"0x48\", \"input\": %d, \"channels\": {\"soil_moisture\": \"5m\"}}";
        String two = coapsExample().replace("\"sensors\": [", "\"sensors\": [" + soil.formatted(1) + ", ");
        assertEquals(4, parse(two).sensors().size(), "a second probe on input 1 of the same ADS1115 is allowed");
        String same = problem(coapsExample().replace("\"sensors\": [", "\"sensors\": [" + soil.formatted(0) + ", "));
        assertTrue(same.contains("both at 0x48 on i2c bus 1"), same);
        String otherChip = problem(coapsExample().replace("\"0x76\"", "\"0x48\""));
        assertTrue(otherChip.contains("both at 0x48 on i2c bus 1"), "another chip at the ADC's address still conflicts: " + otherChip);
    }

    @Test
    void unknownChipAndBoard() {
        String chip = problem(coapsExample().replace("\"pir\"", "\"pyr\""));
        assertTrue(chip.contains("unknown chip 'pyr' (known: bme280, pir, soil-ads1115)"), chip);
        assertTrue(problem(coapsExample().replace("rpi4", "rpi9")).contains("board: unknown board 'rpi9'"));
        assertTrue(problem(coapsExample().replace("\"coaps\"", "\"http\"")).contains("gateway.uplink: unknown uplink 'http'"));
    }

    @Test
    void badDeviceIdAndPsk() {
        assertTrue(problem(coapsExample().replace("\"deviceId\": \"kitchen-climate\"", "\"deviceId\": \"Kitchen Climate\"")).contains("deviceId"));
        assertTrue(problem(coapsExample().replace("MDEyMzQ1Njc4OWFiY2RlZg==", "!!")).contains("gateway.psk.key: not base64"));
        assertTrue(problem(coapsExample().replace("MDEyMzQ1Njc4OWFiY2RlZg==", "MDEy")).contains("16-64 bytes"));
        assertTrue(problem(EXAMPLE.replace("\"uplink\": \"coap\"", "\"uplink\": \"coaps\"")
                .replaceAll(",\\s*\"psk\": \\{[^}]*\\}", "")).contains("gateway.caFile: missing: coaps presents the device's own key"));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        var e = assertThrows(ConfigException.class, () -> parse(coapsExample()
                .replace("rpi4", "rpi9").replace("\"0x76\"", "\"0x99\"").replace("\"pir\"", "\"pyr\"")));
        assertEquals(3, e.problems().size(), e.getMessage());
    }

    @Test
    void mqttDefaultsAndFormat() throws Exception {
        DeviceConfig c = parse("""
                {"deviceId": "porch", "gateway": {"uplink": "mqtt", "host": "gw", "username": "porch", "password": "s3cret", "format": "json"},
                 "board": "sim", "sensors": [{"chip": "pir", "pin": 4, "channels": {"motion": "event"}}]}
                """);
        assertEquals(1883, c.gateway().port());
        assertEquals(SenmlFormat.JSON, c.gateway().format());
        assertEquals("s3cret", c.gateway().password().orElseThrow());
        assertEquals(DeviceConfig.DEFAULT_OUTBOX_BUDGET, c.outboxBudgetBytes());
    }

    /** A CA certificate (and a leaf) made by the JDK's keytool, as PEM files in dir. */
    static void keytool(Path dir, String... args) throws Exception {
        var cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-keystore", dir.resolve("ks.p12").toString(), "-storepass", "changeit"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    @Test
    void aCaFileMeansMqttOverTlsTrustingThatCaOnly(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Test gateway CA",
                "-ext", "bc:c", "-validity", "30");
        keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-file", dir.resolve("ca.crt").toString());
        keytool(dir, "-genkeypair", "-alias", "leaf", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=leaf", "-validity", "30");
        keytool(dir, "-exportcert", "-rfc", "-alias", "leaf", "-file", dir.resolve("leaf.crt").toString());
        String base = """
                {"deviceId": "porch", "gateway": {"uplink": "mqtt", "host": "gw", $},
                 "board": "sim", "sensors": [{"chip": "pir", "pin": 4, "channels": {"motion": "event"}}]}
                """;
        String ca = dir.resolve("ca.crt").toString();
        DeviceConfig c = parse(base.replace("$", "\"caFile\": \"" + ca + "\""));
        assertTrue(c.gateway().tls(), "a CA to trust implies TLS");
        assertEquals(8883, c.gateway().port());
        assertEquals("CN=Test gateway CA", c.gateway().ca().orElseThrow().certificate().getSubjectX500Principal().getName());
        assertTrue(c.gateway().ca().orElseThrow().fingerprint().matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"));
        assertEquals(c.gateway().ca(), parse(base.replace("$", "\"tls\": true, \"caFile\": \"" + ca + "\"")).gateway().ca());
        assertTrue(parse(base.replace("$", "\"tls\": true")).gateway().ca().isEmpty(), "tls without a CA: the JVM's trust store");
        assertTrue(c.gateway().ownKey(), "the gateway's CA and no user name: the device presents its own key");
        assertFalse(parse(base.replace("$", "\"caFile\": \"" + ca + "\", \"username\": \"porch\", \"password\": \"k\""))
                .gateway().ownKey(), "a user name and password log in with those");
        assertFalse(parse(base.replace("$", "\"tls\": true")).gateway().ownKey(), "a public CA's broker knows no device keys");

        assertTrue(problem(base.replace("$", "\"tls\": false, \"caFile\": \"" + ca + "\""))
                .contains("gateway.caFile: given with \"tls\": false"));
        String missing = problem(base.replace("$", "\"caFile\": \"" + dir.resolve("nope.crt") + "\""));
        assertTrue(missing.contains("gateway.caFile: " + dir.resolve("nope.crt") + " does not exist: copy the gateway's https://<gateway>:8443/ca.crt"), missing);
        java.nio.file.Files.writeString(dir.resolve("junk.crt"), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        String junk = problem(base.replace("$", "\"caFile\": \"" + dir.resolve("junk.crt") + "\""));
        assertTrue(junk.contains("gateway.caFile: ") && junk.contains("does not hold a certificate"), junk);
        String leaf = problem(base.replace("$", "\"caFile\": \"" + dir.resolve("leaf.crt") + "\""));
        assertTrue(leaf.contains("is a certificate but not a CA's"), leaf);
        assertTrue(problem(coapsExample().replace("\"port\": 5683,", "\"caFile\": \"" + ca + "\","))
                .contains("gateway.caFile: not used with gateway.psk"));
        assertTrue(problem(base.replace("\"mqtt\"", "\"coap\"").replace("$", "\"caFile\": \"" + ca + "\""))
                .contains("gateway.caFile: not used with uplink coap, which is unencrypted: use uplink coaps"));
        // coaps with the CA and no pre-shared key: the device presents its own key pair
        DeviceConfig own = parse(base.replace("\"mqtt\"", "\"coaps\"").replace("$", "\"caFile\": \"" + ca + "\""));
        assertEquals(5684, own.gateway().port());
        assertTrue(own.gateway().psk().isEmpty());
        assertEquals(c.gateway().ca(), own.gateway().ca());
        assertFalse(own.gateway().tls(), "tls is MQTT's word; coaps is DTLS");
        // a caFile named relative to the config file is found beside it, whatever the working directory
        Path config = java.nio.file.Files.writeString(dir.resolve("device.json"), base.replace("$", "\"caFile\": \"ca.crt\""));
        assertEquals(c.gateway().ca(), DeviceConfig.load(config, CHIPS).gateway().ca());
        String elsewhere = assertThrows(ConfigException.class,
                () -> DeviceConfig.load(java.nio.file.Files.writeString(dir.resolve("sub.json"), base.replace("$", "\"caFile\": \"sub/ca.crt\"")), CHIPS))
                .getMessage();
        assertTrue(elsewhere.contains(dir.resolve("sub/ca.crt") + " does not exist"), elsewhere);
    }

    // ---- What becomes of every kind of value in every place: pinned ----
    //
    // DeviceConfig was bound by jackson-databind until building its ObjectMapper (~1.2 s of the
    // emulated appliance's boot) had it read with jackson-core's streaming parser instead. The
    // expected outcomes below are what the databind version gave for each input, recorded by
    // running it, so a change in what is accepted, how a value is coerced or what the user is
    // told shows here. Rows marked "changed on purpose" are where the streaming version differs.

    /** Every typed field given; uplink mqtt, so username, password and tls are allowed. */
    static final String MQTT = "{\"deviceId\": \"d1\", \"gateway\": {\"uplink\": \"mqtt\", \"host\": \"gw\", \"port\": 1883, "
            + "\"username\": \"u\", \"password\": \"p\", \"tls\": false, \"format\": \"json\"}, \"board\": \"sim\", \"dataDir\": \"/tmp/x\", "
            + "\"outbox\": {\"budgetBytes\": 65536}, \"sensors\": [{\"chip\": \"pir\", \"pin\": 4, \"channels\": {\"motion\": \"event\"}}]}";

    /** Uplink coaps with its psk; a sensor with a bus, an address, calibration and settings. */
    static final String COAPS = "{\"deviceId\": \"d1\", \"gateway\": {\"uplink\": \"coaps\", \"host\": \"gw\", "
            + "\"psk\": {\"identity\": \"id\", \"key\": \"MDEyMzQ1Njc4OWFiY2RlZg==\"}}, \"board\": \"sim\", "
            + "\"sensors\": [{\"chip\": \"bme280\", \"bus\": 1, \"address\": \"0x76\", \"calibration\": {\"offset\": 1}, "
            + "\"settings\": {\"mode\": \"normal\"}, \"channels\": {\"temperature\": \"10s\"}}]}";

    /** Where a field sits: its text in the base config, and what a case puts there instead ($ is the value). */
    record Slot(String base, String text, String replacement) {}

    static final Map<String, Slot> SLOTS = slots();

    static Map<String, Slot> slots() {
        Map<String, Slot> s = new LinkedHashMap<>();
        for (String field : List.of("deviceId", "board", "dataDir", "gateway.uplink", "gateway.host", "gateway.port",
                "gateway.username", "gateway.password", "gateway.tls", "gateway.format", "outbox", "outbox.budgetBytes",
                "sensors[0].chip", "sensors[0].pin", "sensors[0].channels", "sensors[0].channels.motion")) {
            String key = "\"" + field.substring(field.lastIndexOf('.') + 1) + "\":";
            int at = MQTT.indexOf(key);
            int end = field.equals("outbox") ? MQTT.indexOf('}', at) + 1 : field.equals("sensors[0].channels")
                    ? MQTT.indexOf('}', at) + 1 : endOfScalar(MQTT, at + key.length() + 1);
            s.put(field, new Slot(MQTT, MQTT.substring(at, end), key + " $"));
        }
        for (String field : List.of("gateway.psk.identity", "gateway.psk.key", "sensors[0].bus", "sensors[0].address")) {
            String key = "\"" + field.substring(field.lastIndexOf('.') + 1) + "\":";
            int at = COAPS.indexOf(key);
            s.put(field, new Slot(COAPS, COAPS.substring(at, endOfScalar(COAPS, at + key.length() + 1)), key + " $"));
        }
        for (String field : List.of("calibration", "settings")) {
            int at = COAPS.indexOf("\"" + field + "\"");
            s.put("sensors[0]." + field, new Slot(COAPS, COAPS.substring(at, COAPS.indexOf('}', at) + 1), "\"" + field + "\": $"));
        }
        for (String field : List.of("chipSelect", "input", "romId", "pull")) {
            s.put("sensors[0]." + field, new Slot(COAPS, "\"chip\": \"bme280\"", "\"chip\": \"bme280\", \"" + field + "\": $"));
        }
        int gw = MQTT.indexOf("\"gateway\"");
        s.put("gateway", new Slot(MQTT, MQTT.substring(gw, MQTT.indexOf('}', gw) + 1), "\"gateway\": $"));
        int psk = COAPS.indexOf("\"psk\"");
        s.put("gateway.psk", new Slot(COAPS, COAPS.substring(psk, COAPS.indexOf('}', psk) + 1), "\"psk\": $"));
        int sensors = MQTT.indexOf("\"sensors\"");
        s.put("sensors", new Slot(MQTT, MQTT.substring(sensors, MQTT.length() - 1), "\"sensors\": $"));
        s.put("sensors[0]", new Slot(MQTT, MQTT.substring(sensors + 12, MQTT.length() - 2), "$"));
        return s;
    }

    private static int endOfScalar(String json, int from) {
        int end = from;
        while (",}".indexOf(json.charAt(end)) < 0) end++;
        return end;
    }

    /** The base config with the field's value replaced by the given JSON. */
    static String with(String field, String json) {
        Slot slot = SLOTS.get(field);
        assertNotNull(slot, field);
        assertTrue(slot.base().contains(slot.text()), field);
        return slot.base().replace(slot.text(), slot.replacement().replace("$", json));
    }

    /** What the config holds for a field once parsed, shown with its Java type where that matters. */
    static Object bound(String field, DeviceConfig c) {
        var g = c.gateway();
        return switch (field) {
            case "deviceId" -> c.deviceId();
            case "board" -> c.board();
            case "dataDir" -> c.dataDir().toString();
            case "gateway" -> g.uplink() + " " + g.host() + ":" + g.port();
            case "gateway.uplink" -> g.uplink();
            case "gateway.host" -> g.host();
            case "gateway.port" -> g.port();
            case "gateway.username" -> g.username();
            case "gateway.password" -> g.password();
            case "gateway.tls" -> g.tls();
            case "gateway.format" -> g.format();
            case "gateway.psk", "gateway.psk.identity" -> g.psk().map(DeviceConfig.Psk::identity);
            case "gateway.psk.key" -> g.psk().map(p -> Base64.getEncoder().encodeToString(p.key()));
            case "outbox", "outbox.budgetBytes" -> c.outboxBudgetBytes();
            case "sensors" -> c.sensors().size();
            case "sensors[0]", "sensors[0].chip" -> c.sensors().getFirst().chip();
            case "sensors[0].channels", "sensors[0].channels.motion" -> c.sensors().getFirst().channels();
            default -> c.sensors().getFirst().placement().get(field.substring("sensors[0].".length()));
        };
    }

    static String show(Object v) {
        if (v == null) return "null";
        if (v instanceof String s) return "'" + s + "'";
        if (v instanceof Optional<?> o) return show(o.orElse(null));
        if (v instanceof Map<?, ?> m) {
            return m.entrySet().stream().map(e -> e.getKey() + "=" + show(e.getValue())).collect(Collectors.joining(", ", "{", "}"));
        }
        if (v instanceof Number || v instanceof Boolean) return v + ":" + v.getClass().getSimpleName();
        return v.toString();
    }

    /** "ok" and what the field holds (field null: just "ok"), or the problems, " || " between them. */
    static String outcome(String field, byte[] doc) {
        try {
            DeviceConfig c = DeviceConfig.parse("device.json", doc, CHIPS);
            return field == null ? "ok" : "ok " + show(bound(field, c));
        } catch (ConfigException e) {
            return String.join(" || ", e.problems());
        }
    }

    /**
     * field | value put there (JSON) | outcome. Strings, whole numbers and true/false coerce as
     * databind's defaults did (FAIL_ON_NULL_FOR_PRIMITIVES, FAIL_ON_UNKNOWN_PROPERTIES, no float
     * as a whole number); null is "absent"; a whole number out of range was the parser's error.
     */
    static final String FIELD_TABLE = """
            # strings: any scalar's text, a number as written; an object or a list is refused
            deviceId | 0 | ok '0'
            deviceId | -1 | deviceId: '-1' is not a device id: use 1-63 of a-z, 0-9, '_' and '-', starting with a letter or digit
            deviceId | 17 | ok '17'
            deviceId | -0 | deviceId: '-0' is not a device id: use 1-63 of a-z, 0-9, '_' and '-', starting with a letter or digit
            deviceId | 5.0 | deviceId: '5.0' is not a device id: use 1-63 of a-z, 0-9, '_' and '-', starting with a letter or digit
            deviceId | 1e3 | ok '1e3'
            deviceId | 1E2 | deviceId: '1E2' is not a device id: use 1-63 of a-z, 0-9, '_' and '-', starting with a letter or digit
            deviceId | -0.0 | deviceId: '-0.0' is not a device id: use 1-63 of a-z, 0-9, '_' and '-', starting with a letter or digit
            deviceId | 99999999999 | ok '99999999999'
            deviceId | 12345678901234567890123 | ok '12345678901234567890123'
            deviceId | 1e400 | ok '1e400'
            deviceId | "5683" | ok '5683'
            deviceId | " 17 " | deviceId: ' 17 ' is not a device id: use 1-63 of a-z, 0-9, '_' and '-', starting with a letter or digit
            deviceId | "" | deviceId: '' is not a device id: use 1-63 of a-z, 0-9, '_' and '-', starting with a letter or digit
            deviceId | "null" | ok 'null'
            deviceId | "x" | ok 'x'
            deviceId | true | ok 'true'
            deviceId | false | ok 'false'
            deviceId | null | deviceId: missing (e.g. "kitchen-climate")
            deviceId | {} | deviceId: wrong type, expected a string
            deviceId | {"a": 1} | deviceId: wrong type, expected a string
            deviceId | [] | deviceId: wrong type, expected a string
            deviceId | [17] | deviceId: wrong type, expected a string
            deviceId | ["x"] | deviceId: wrong type, expected a string
            board | 17 | board: unknown board '17' (one of arm64-virt, rpi3, rpi4, sim)
            board | 1.5 | board: unknown board '1.5' (one of arm64-virt, rpi3, rpi4, sim)
            board | true | board: unknown board 'true' (one of arm64-virt, rpi3, rpi4, sim)
            board | "" | board: unknown board '' (one of arm64-virt, rpi3, rpi4, sim)
            board | null | board: missing (one of arm64-virt, rpi3, rpi4, sim)
            board | {} | board: wrong type, expected a string
            board | [] | board: wrong type, expected a string
            dataDir | 17 | ok '17'
            dataDir | 1e3 | ok '1e3'
            dataDir | -0.0 | ok '-0.0'
            dataDir | true | ok 'true'
            dataDir | "" | dataDir: empty: give the folder for the outbox (e.g. /var/lib/lichen)
            dataDir | " " | dataDir: empty: give the folder for the outbox (e.g. /var/lib/lichen)
            dataDir | null | ok 'lichen-data'
            dataDir | {} | dataDir: wrong type, expected a string
            dataDir | ["x"] | dataDir: wrong type, expected a string
            gateway.uplink | 1 | gateway.uplink: unknown uplink '1' (coap, coaps or mqtt)
            gateway.uplink | "MQTT" | gateway.uplink: unknown uplink 'MQTT' (coap, coaps or mqtt)
            gateway.uplink | true | gateway.uplink: unknown uplink 'true' (coap, coaps or mqtt)
            gateway.uplink | "" | gateway.uplink: unknown uplink '' (coap, coaps or mqtt)
            gateway.uplink | null | gateway.uplink: missing (coap, coaps or mqtt)
            gateway.uplink | {} | gateway.uplink: wrong type, expected a string
            gateway.uplink | [] | gateway.uplink: wrong type, expected a string
            gateway.host | 17 | gateway.host: '17' is not an IP address or host name
            gateway.host | 1e3 | ok '1e3'
            gateway.host | 1.5 | gateway.host: '1.5' is not an IP address or host name
            gateway.host | true | ok 'true'
            gateway.host | "0x76" | ok '0x76'
            gateway.host | "" | gateway.host: '' is not an IP address or host name
            gateway.host | null | gateway.host: missing (the gateway's IP address or host name)
            gateway.host | {} | gateway.host: wrong type, expected a string
            gateway.host | [] | gateway.host: wrong type, expected a string
            gateway.username | 0 | ok '0'
            gateway.username | 1.5 | ok '1.5'
            gateway.username | 1e3 | ok '1e3'
            gateway.username | true | ok 'true'
            gateway.username | "" | ok ''
            gateway.username | null | gateway.password: given without gateway.username
            gateway.username | {} | gateway.username: wrong type, expected a string
            gateway.username | [] | gateway.username: wrong type, expected a string
            gateway.password | 0 | ok '0'
            gateway.password | 1.5 | ok '1.5'
            gateway.password | false | ok 'false'
            gateway.password | "" | ok ''
            gateway.password | null | ok null
            gateway.password | {"a": 1} | gateway.password: wrong type, expected a string
            gateway.password | [17] | gateway.password: wrong type, expected a string
            gateway.format | 1 | gateway.format: unknown format '1' (cbor or json)
            gateway.format | "JSON" | gateway.format: unknown format 'JSON' (cbor or json)
            gateway.format | "cbor" | ok CBOR
            gateway.format | true | gateway.format: unknown format 'true' (cbor or json)
            gateway.format | null | ok CBOR
            gateway.format | {} | gateway.format: wrong type, expected a string
            gateway.format | [] | gateway.format: wrong type, expected a string
            gateway.psk.identity | 17 | ok '17'
            gateway.psk.identity | 1e3 | ok '1e3'
            gateway.psk.identity | true | ok 'true'
            gateway.psk.identity | "" | gateway.psk.identity: missing or empty (1-128 characters, usually the device id)
            gateway.psk.identity | " " | gateway.psk.identity: missing or empty (1-128 characters, usually the device id)
            gateway.psk.identity | null | gateway.psk.identity: missing or empty (1-128 characters, usually the device id)
            gateway.psk.identity | {} | gateway.psk.identity: wrong type, expected a string
            gateway.psk.identity | [] | gateway.psk.identity: wrong type, expected a string
            gateway.psk.key | 17 | gateway.psk.key: 1 bytes: give a key of 16-64 bytes, base64
            gateway.psk.key | 12345678901234567890123 | ok '12345678901234567890120='
            gateway.psk.key | true | gateway.psk.key: 3 bytes: give a key of 16-64 bytes, base64
            gateway.psk.key | "" | gateway.psk.key: 0 bytes: give a key of 16-64 bytes, base64
            gateway.psk.key | null | gateway.psk.key: missing (the pre-shared key, base64)
            gateway.psk.key | {} | gateway.psk.key: wrong type, expected a string
            gateway.psk.key | [] | gateway.psk.key: wrong type, expected a string
            # Integer: a whole number, or a string of one (trimmed; "", blank and "null" are null); no float, no true/false
            gateway.port | 0 | gateway.port: 0 is not a port: give 1-65535
            gateway.port | -1 | gateway.port: -1 is not a port: give 1-65535
            gateway.port | 17 | ok 17:Integer
            gateway.port | -0 | gateway.port: 0 is not a port: give 1-65535
            gateway.port | 65535 | ok 65535:Integer
            gateway.port | 65536 | gateway.port: 65536 is not a port: give 1-65535
            gateway.port | 5.0 | gateway.port: wrong type, expected a whole number
            gateway.port | 1.5 | gateway.port: wrong type, expected a whole number
            gateway.port | 1e3 | gateway.port: wrong type, expected a whole number
            gateway.port | 1E2 | gateway.port: wrong type, expected a whole number
            gateway.port | -0.0 | gateway.port: wrong type, expected a whole number
            gateway.port | 1e400 | gateway.port: wrong type, expected a whole number
            gateway.port | 2147483647 | gateway.port: 2147483647 is not a port: give 1-65535
            gateway.port | 2147483648 | not valid JSON at line 1, column 82: Numeric value (2147483648) out of range of int (-2147483648 - 2147483647)
            gateway.port | -2147483649 | not valid JSON at line 1, column 83: Numeric value (-2147483649) out of range of int (-2147483648 - 2147483647)
            gateway.port | 99999999999 | not valid JSON at line 1, column 83: Numeric value (99999999999) out of range of int (-2147483648 - 2147483647)
            gateway.port | 12345678901234567890123 | not valid JSON at line 1, column 95: Numeric value (12345678901234567890123) out of range of int (-2147483648 - 2147483647)
            gateway.port | "5683" | ok 5683:Integer
            gateway.port | " 17 " | ok 17:Integer
            gateway.port | "+17" | ok 17:Integer
            gateway.port | "01883" | ok 1883:Integer
            gateway.port | "-0" | gateway.port: 0 is not a port: give 1-65535
            gateway.port | "+0000000000017" | ok 17:Integer
            gateway.port | "١٨٨٣" | ok 1883:Integer
            gateway.port | "0x76" | gateway.port: wrong type, expected a whole number
            gateway.port | "1e3" | gateway.port: wrong type, expected a whole number
            gateway.port | "5.0" | gateway.port: wrong type, expected a whole number
            gateway.port | "1883.0" | gateway.port: wrong type, expected a whole number
            gateway.port | "1_883" | gateway.port: wrong type, expected a whole number
            gateway.port | "1883L" | gateway.port: wrong type, expected a whole number
            gateway.port | "NaN" | gateway.port: wrong type, expected a whole number
            gateway.port | "-" | gateway.port: wrong type, expected a whole number
            gateway.port | "2147483648" | gateway.port: wrong type, expected a whole number
            gateway.port | "99999999999" | gateway.port: wrong type, expected a whole number
            gateway.port | "" | ok 1883:Integer
            gateway.port | " " | ok 1883:Integer
            gateway.port | "null" | ok 1883:Integer
            gateway.port | " null " | ok 1883:Integer
            gateway.port | "true" | gateway.port: wrong type, expected a whole number
            gateway.port | "x" | gateway.port: wrong type, expected a whole number
            gateway.port | true | gateway.port: wrong type, expected a whole number
            gateway.port | false | gateway.port: wrong type, expected a whole number
            gateway.port | null | ok 1883:Integer
            gateway.port | {} | gateway.port: wrong type, expected a whole number
            gateway.port | {"a": 1} | gateway.port: wrong type, expected a whole number
            gateway.port | [] | gateway.port: wrong type, expected a whole number
            gateway.port | [17] | gateway.port: wrong type, expected a whole number
            gateway.port | ["x"] | gateway.port: wrong type, expected a whole number
            # Long: as Integer, in long's range
            outbox.budgetBytes | 0 | outbox.budgetBytes: 0 is too small: give at least 65536
            outbox.budgetBytes | -1 | outbox.budgetBytes: -1 is too small: give at least 65536
            outbox.budgetBytes | 65535 | outbox.budgetBytes: 65535 is too small: give at least 65536
            outbox.budgetBytes | 65536 | ok 65536:Long
            outbox.budgetBytes | 99999999999 | ok 99999999999:Long
            outbox.budgetBytes | 9223372036854775807 | ok 9223372036854775807:Long
            outbox.budgetBytes | 9223372036854775808 | not valid JSON at line 1, column 227: Numeric value (9223372036854775808) out of range of long (-9223372036854775808 - 9223372036854775807)
            outbox.budgetBytes | -9223372036854775808 | outbox.budgetBytes: -9223372036854775808 is too small: give at least 65536
            outbox.budgetBytes | 12345678901234567890123 | not valid JSON at line 1, column 231: Numeric value (12345678901234567890123) out of range of long (-9223372036854775808 - 9223372036854775807)
            outbox.budgetBytes | 5.0 | outbox.budgetBytes: wrong type, expected a whole number
            outbox.budgetBytes | 1e3 | outbox.budgetBytes: wrong type, expected a whole number
            outbox.budgetBytes | -0.0 | outbox.budgetBytes: wrong type, expected a whole number
            outbox.budgetBytes | "65536" | ok 65536:Long
            outbox.budgetBytes | " 65536" | ok 65536:Long
            outbox.budgetBytes | "+65536" | ok 65536:Long
            outbox.budgetBytes | "99999999999" | ok 99999999999:Long
            outbox.budgetBytes | "9223372036854775808" | outbox.budgetBytes: wrong type, expected a whole number
            outbox.budgetBytes | "0x10000" | outbox.budgetBytes: wrong type, expected a whole number
            outbox.budgetBytes | "1e3" | outbox.budgetBytes: wrong type, expected a whole number
            outbox.budgetBytes | "" | ok 8388608:Long
            outbox.budgetBytes | " " | ok 8388608:Long
            outbox.budgetBytes | "null" | ok 8388608:Long
            outbox.budgetBytes | "x" | outbox.budgetBytes: wrong type, expected a whole number
            outbox.budgetBytes | true | outbox.budgetBytes: wrong type, expected a whole number
            outbox.budgetBytes | null | ok 8388608:Long
            outbox.budgetBytes | {} | outbox.budgetBytes: wrong type, expected a whole number
            outbox.budgetBytes | [] | outbox.budgetBytes: wrong type, expected a whole number
            # Boolean: true/false, a whole number (0 is false), "true"/"True"/"TRUE" and "false"/"False"/"FALSE" (trimmed)
            gateway.tls | true | ok true:Boolean
            gateway.tls | false | ok false:Boolean
            gateway.tls | 0 | ok false:Boolean
            gateway.tls | -0 | ok false:Boolean
            gateway.tls | 1 | ok true:Boolean
            gateway.tls | -1 | ok true:Boolean
            gateway.tls | 2 | ok true:Boolean
            gateway.tls | 99999999999 | ok true:Boolean
            gateway.tls | 12345678901234567890123 | ok true:Boolean
            gateway.tls | 0.0 | gateway.tls: wrong type, expected true or false
            gateway.tls | 1.5 | gateway.tls: wrong type, expected true or false
            gateway.tls | 1e3 | gateway.tls: wrong type, expected true or false
            gateway.tls | "true" | ok true:Boolean
            gateway.tls | "True" | ok true:Boolean
            gateway.tls | "TRUE" | ok true:Boolean
            gateway.tls | "tRUE" | gateway.tls: wrong type, expected true or false
            gateway.tls | " true " | ok true:Boolean
            gateway.tls | "false" | ok false:Boolean
            gateway.tls | "False" | ok false:Boolean
            gateway.tls | "FALSE" | ok false:Boolean
            gateway.tls | "yes" | gateway.tls: wrong type, expected true or false
            gateway.tls | "1" | gateway.tls: wrong type, expected true or false
            gateway.tls | "0" | gateway.tls: wrong type, expected true or false
            gateway.tls | "" | ok false:Boolean
            gateway.tls | " " | ok false:Boolean
            gateway.tls | "null" | ok false:Boolean
            gateway.tls | " null " | ok false:Boolean
            gateway.tls | "NULL" | gateway.tls: wrong type, expected true or false
            gateway.tls | null | ok false:Boolean
            gateway.tls | {} | gateway.tls: wrong type, expected true or false
            gateway.tls | {"a": 1} | gateway.tls: wrong type, expected true or false
            gateway.tls | [] | gateway.tls: wrong type, expected true or false
            gateway.tls | [true] | gateway.tls: wrong type, expected true or false
            # objects: an object or null, nothing else; unknown fields named with the object's known ones
            gateway | 17 | gateway: wrong type, expected an object
            gateway | 1.5 | gateway: wrong type, expected an object
            gateway | "x" | gateway: wrong type, expected an object
            gateway | "" | gateway: wrong type, expected an object
            gateway | true | gateway: wrong type, expected an object
            gateway | null | gateway: missing (e.g. {"uplink": "coap", "host": "192.168.1.10"})
            gateway | {} | gateway.uplink: missing (coap, coaps or mqtt) || gateway.host: missing (the gateway's IP address or host name)
            gateway | {"a": 1} | gateway: unknown field 'a' (known fields here: caFile, format, host, password, port, psk, tls, uplink, username)
            gateway | [] | gateway: wrong type, expected an object
            gateway | [17] | gateway: wrong type, expected an object
            gateway.psk | 17 | gateway.psk: wrong type, expected an object
            gateway.psk | "x" | gateway.psk: wrong type, expected an object
            gateway.psk | "" | gateway.psk: wrong type, expected an object
            gateway.psk | true | gateway.psk: wrong type, expected an object
            gateway.psk | null | gateway.caFile: missing: coaps presents the device's own key and checks the gateway by its CA (copy the gateway's https://<gateway>:8443/ca.crt beside device.json); or give gateway.psk {"identity": ..., "key": base64} made on the gateway
            gateway.psk | {} | gateway.psk.identity: missing or empty (1-128 characters, usually the device id) || gateway.psk.key: missing (the pre-shared key, base64)
            gateway.psk | {"a": 1} | gateway.psk: unknown field 'a' (known fields here: identity, key)
            gateway.psk | [] | gateway.psk: wrong type, expected an object
            outbox | 17 | outbox: wrong type, expected an object
            outbox | "x" | outbox: wrong type, expected an object
            outbox | "" | outbox: wrong type, expected an object
            outbox | true | outbox: wrong type, expected an object
            outbox | null | ok 8388608:Long
            outbox | {} | ok 8388608:Long
            outbox | {"a": 1} | outbox: unknown field 'a' (known fields here: budgetBytes)
            outbox | [] | outbox: wrong type, expected an object
            # sensors: a list of objects (null entries are reported by the checks); changed on purpose: a non-list
            # was "sensors: wrong type, expected an object" (databind named the wrong type), now "expected a list"
            sensors | 17 | sensors: wrong type, expected a list
            sensors | 1.5 | sensors: wrong type, expected a list
            sensors | "x" | sensors: wrong type, expected a list
            sensors | "" | sensors: wrong type, expected a list
            sensors | true | sensors: wrong type, expected a list
            sensors | null | sensors: missing or empty: list at least one sensor with its channels
            sensors | {} | sensors: wrong type, expected a list
            sensors | {"a": 1} | sensors: wrong type, expected a list
            sensors | [] | sensors: missing or empty: list at least one sensor with its channels
            sensors | [17] | sensors[0]: wrong type, expected an object
            sensors | ["x"] | sensors[0]: wrong type, expected an object
            sensors | [null] | sensors[0]: expected an object
            sensors | [[]] | sensors[0]: wrong type, expected an object
            sensors | [{}] | sensors[0].chip: missing (e.g. "bme280") || sensors[0].channels: missing or empty: name each channel to read with its interval, e.g. {"temperature": "10s"}
            sensors[0] | 17 | sensors[0]: wrong type, expected an object
            sensors[0] | "x" | sensors[0]: wrong type, expected an object
            sensors[0] | "" | sensors[0]: wrong type, expected an object
            sensors[0] | true | sensors[0]: wrong type, expected an object
            sensors[0] | null | sensors[0]: expected an object
            sensors[0] | {} | sensors[0].chip: missing (e.g. "bme280") || sensors[0].channels: missing or empty: name each channel to read with its interval, e.g. {"temperature": "10s"}
            sensors[0] | {"a": 1} | sensors[0].chip: missing (e.g. "bme280") || sensors[0].channels: missing or empty: name each channel to read with its interval, e.g. {"temperature": "10s"} || sensors[0]: unknown field 'a' (a sensor has chip, channels and address, bus, calibration, chipSelect, input, pin, pull, romId, settings)
            sensors[0] | [] | sensors[0]: wrong type, expected an object
            sensors[0] | [17] | sensors[0]: wrong type, expected an object
            # a sensor entry's values, as the checks see them: whole numbers as Integer when they fit, the value shown as JSON
            sensors[0].chip | 17 | sensors[0].chip: missing (e.g. "bme280")
            sensors[0].chip | true | sensors[0].chip: missing (e.g. "bme280")
            sensors[0].chip | "" | sensors[0].chip: missing (e.g. "bme280")
            sensors[0].chip | " " | sensors[0].chip: missing (e.g. "bme280")
            sensors[0].chip | "x" | sensors[0].chip: unknown chip 'x' (known: bme280, pir, soil-ads1115)
            sensors[0].chip | "bme280" | ok 'bme280'
            sensors[0].chip | null | sensors[0].chip: missing (e.g. "bme280")
            sensors[0].chip | {} | sensors[0].chip: missing (e.g. "bme280")
            sensors[0].chip | [] | sensors[0].chip: missing (e.g. "bme280")
            sensors[0].pin | 0 | ok 0:Integer
            sensors[0].pin | -1 | sensors[0] (pir).pin: -1 is not a BCM GPIO number 0-27
            sensors[0].pin | 17 | ok 17:Integer
            sensors[0].pin | 27 | ok 27:Integer
            sensors[0].pin | 28 | sensors[0] (pir).pin: 28 is not a BCM GPIO number 0-27
            sensors[0].pin | -0 | ok 0:Integer
            sensors[0].pin | 5.0 | sensors[0] (pir).pin: 5.0 is not a BCM GPIO number 0-27
            sensors[0].pin | 1.5 | sensors[0] (pir).pin: 1.5 is not a BCM GPIO number 0-27
            sensors[0].pin | 1e3 | sensors[0] (pir).pin: 1000.0 is not a BCM GPIO number 0-27
            sensors[0].pin | 1E2 | sensors[0] (pir).pin: 100.0 is not a BCM GPIO number 0-27
            sensors[0].pin | -0.0 | sensors[0] (pir).pin: -0.0 is not a BCM GPIO number 0-27
            sensors[0].pin | 1e22 | sensors[0] (pir).pin: 1.0E22 is not a BCM GPIO number 0-27
            sensors[0].pin | 1.0E-7 | sensors[0] (pir).pin: 1.0E-7 is not a BCM GPIO number 0-27
            sensors[0].pin | 123456789.123456789 | sensors[0] (pir).pin: 1.2345678912345679E8 is not a BCM GPIO number 0-27
            sensors[0].pin | 1e400 | sensors[0] (pir).pin: "Infinity" is not a BCM GPIO number 0-27
            sensors[0].pin | 2147483647 | sensors[0] (pir).pin: 2147483647 is not a BCM GPIO number 0-27
            sensors[0].pin | -2147483649 | sensors[0] (pir).pin: -2147483649 is not a BCM GPIO number 0-27
            sensors[0].pin | 99999999999 | sensors[0] (pir).pin: 99999999999 is not a BCM GPIO number 0-27
            sensors[0].pin | 12345678901234567890123 | sensors[0] (pir).pin: 12345678901234567890123 is not a BCM GPIO number 0-27
            sensors[0].pin | "17" | sensors[0] (pir).pin: "17" is not a BCM GPIO number 0-27
            sensors[0].pin | " 17 " | sensors[0] (pir).pin: " 17 " is not a BCM GPIO number 0-27
            sensors[0].pin | "" | sensors[0] (pir).pin: "" is not a BCM GPIO number 0-27
            sensors[0].pin | "null" | sensors[0] (pir).pin: "null" is not a BCM GPIO number 0-27
            sensors[0].pin | true | sensors[0] (pir).pin: true is not a BCM GPIO number 0-27
            sensors[0].pin | false | sensors[0] (pir).pin: false is not a BCM GPIO number 0-27
            sensors[0].pin | null | sensors[0] (pir).pin: null is not a BCM GPIO number 0-27
            sensors[0].pin | {} | sensors[0] (pir).pin: {} is not a BCM GPIO number 0-27
            sensors[0].pin | {"a": 1} | sensors[0] (pir).pin: {"a":1} is not a BCM GPIO number 0-27
            sensors[0].pin | {"a": "b", "c": [1, 2.5, null, true, {}]} | sensors[0] (pir).pin: {"a":"b","c":[1,2.5,null,true,{}]} is not a BCM GPIO number 0-27
            sensors[0].pin | [] | sensors[0] (pir).pin: [] is not a BCM GPIO number 0-27
            sensors[0].pin | [17] | sensors[0] (pir).pin: [17] is not a BCM GPIO number 0-27
            sensors[0].pin | ["x"] | sensors[0] (pir).pin: ["x"] is not a BCM GPIO number 0-27
            sensors[0].bus | 0 | ok 0:Integer
            sensors[0].bus | 9 | ok 9:Integer
            sensors[0].bus | 10 | sensors[0] (bme280).bus: 10 is not a bus number 0-9
            sensors[0].bus | -1 | sensors[0] (bme280).bus: -1 is not a bus number 0-9
            sensors[0].bus | 1.0 | sensors[0] (bme280).bus: 1.0 is not a bus number 0-9
            sensors[0].bus | "1" | sensors[0] (bme280).bus: "1" is not a bus number 0-9
            sensors[0].bus | true | sensors[0] (bme280).bus: true is not a bus number 0-9
            sensors[0].bus | null | sensors[0] (bme280).bus: null is not a bus number 0-9
            sensors[0].bus | {} | sensors[0] (bme280).bus: {} is not a bus number 0-9
            sensors[0].bus | [] | sensors[0] (bme280).bus: [] is not a bus number 0-9
            sensors[0].address | 17 | ok 17:Integer
            sensors[0].address | 118 | ok 118:Integer
            sensors[0].address | 119 | ok 119:Integer
            sensors[0].address | 120 | sensors[0] (bme280).address: bad address 120: give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].address | 2 | sensors[0] (bme280).address: bad address 2: give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].address | 3 | ok 3:Integer
            sensors[0].address | 5.0 | sensors[0] (bme280).address: bad address 5.0: give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].address | 1e3 | sensors[0] (bme280).address: bad address 1000.0: give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].address | 99999999999 | sensors[0] (bme280).address: bad address 99999999999: give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].address | "0x76" | ok 118:Integer
            sensors[0].address | "0X2a" | ok 42:Integer
            sensors[0].address | "0x7g" | sensors[0] (bme280).address: bad address "0x7g": give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].address | "0x777" | sensors[0] (bme280).address: bad address "0x777": give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].address | "0x03" | ok 3:Integer
            sensors[0].address | "0x78" | sensors[0] (bme280).address: bad address "0x78": give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].address | "118" | sensors[0] (bme280).address: bad address "118": give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].address | "" | sensors[0] (bme280).address: bad address "": give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].address | true | sensors[0] (bme280).address: bad address true: give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].address | null | sensors[0] (bme280).address: bad address null: give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].address | {"a": 1} | sensors[0] (bme280).address: bad address {"a":1}: give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].address | [1] | sensors[0] (bme280).address: bad address [1]: give a 7-bit I2C address 0x03-0x77, e.g. "0x76"
            sensors[0].chipSelect | 0 | ok 0:Integer
            sensors[0].chipSelect | 3 | ok 3:Integer
            sensors[0].chipSelect | 4 | sensors[0] (bme280).chipSelect: 4 is not a chip select 0-3
            sensors[0].chipSelect | 1.0 | sensors[0] (bme280).chipSelect: 1.0 is not a chip select 0-3
            sensors[0].chipSelect | "1" | sensors[0] (bme280).chipSelect: "1" is not a chip select 0-3
            sensors[0].chipSelect | null | sensors[0] (bme280).chipSelect: null is not a chip select 0-3
            sensors[0].input | 0 | ok 0:Integer
            sensors[0].input | 15 | ok 15:Integer
            sensors[0].input | 16 | sensors[0] (bme280).input: 16 is not an input number 0-15
            sensors[0].input | 1.0 | sensors[0] (bme280).input: 1.0 is not an input number 0-15
            sensors[0].input | "1" | sensors[0] (bme280).input: "1" is not an input number 0-15
            sensors[0].input | null | sensors[0] (bme280).input: null is not an input number 0-15
            sensors[0].romId | "28-0000075e3a1b" | ok '28-0000075e3a1b'
            sensors[0].romId | "28-0000075E3A1B" | sensors[0] (bme280).romId: expected a 1-Wire ROM id such as "28-0000075e3a1b"
            sensors[0].romId | 28 | sensors[0] (bme280).romId: expected a 1-Wire ROM id such as "28-0000075e3a1b"
            sensors[0].romId | null | sensors[0] (bme280).romId: expected a 1-Wire ROM id such as "28-0000075e3a1b"
            sensors[0].pull | "up" | ok 'up'
            sensors[0].pull | "down" | ok 'down'
            sensors[0].pull | "none" | ok 'none'
            sensors[0].pull | "UP" | sensors[0] (bme280).pull: expected "up", "down" or "none"
            sensors[0].pull | 1 | sensors[0] (bme280).pull: expected "up", "down" or "none"
            sensors[0].pull | null | sensors[0] (bme280).pull: expected "up", "down" or "none"
            sensors[0].calibration | {"a": 1, "b": 99999999999, "c": 12345678901234567890123, "d": 1.5, "e": 1e3, "f": "s", "g": true, "h": -0, "i": -0.0, "j": false} | ok {a=1:Integer, b=99999999999:Long, c=12345678901234567890123:BigInteger, d=1.5:Double, e=1000.0:Double, f='s', g=true:Boolean, h=0:Integer, i=-0.0:Double, j=false:Boolean}
            sensors[0].calibration | {"a": 1e400, "b": 4.9e-324, "c": 1e-400, "d": 123456789.123456789, "e": 1E+2, "f": 100000000000000000000.0} | ok {a=Infinity:Double, b=4.9E-324:Double, c=0.0:Double, d=1.2345678912345679E8:Double, e=100.0:Double, f=1.0E20:Double}
            sensors[0].calibration | {"b": 1, "a": 2} | ok {b=1:Integer, a=2:Integer}
            sensors[0].calibration | {} | ok {}
            sensors[0].calibration | {"a": null} | sensors[0] (bme280).calibration: expected an object of numbers, strings or booleans
            sensors[0].calibration | {"a": {}} | sensors[0] (bme280).calibration: expected an object of numbers, strings or booleans
            sensors[0].calibration | {"a": []} | sensors[0] (bme280).calibration: expected an object of numbers, strings or booleans
            sensors[0].calibration | 17 | sensors[0] (bme280).calibration: expected an object of numbers, strings or booleans
            sensors[0].calibration | "x" | sensors[0] (bme280).calibration: expected an object of numbers, strings or booleans
            sensors[0].calibration | true | sensors[0] (bme280).calibration: expected an object of numbers, strings or booleans
            sensors[0].calibration | null | sensors[0] (bme280).calibration: expected an object of numbers, strings or booleans
            sensors[0].calibration | [] | sensors[0] (bme280).calibration: expected an object of numbers, strings or booleans
            sensors[0].calibration | [17] | sensors[0] (bme280).calibration: expected an object of numbers, strings or booleans
            sensors[0].settings | {"mode": "forced", "oversampling": 4, "standbyMs": 62.5} | ok {mode='forced', oversampling=4:Integer, standbyMs=62.5:Double}
            sensors[0].settings | {} | ok {}
            sensors[0].settings | {"a": null} | sensors[0] (bme280).settings: expected an object of numbers, strings or booleans
            sensors[0].settings | {"a": [1]} | sensors[0] (bme280).settings: expected an object of numbers, strings or booleans
            sensors[0].settings | "x" | sensors[0] (bme280).settings: expected an object of numbers, strings or booleans
            sensors[0].settings | null | sensors[0] (bme280).settings: expected an object of numbers, strings or booleans
            sensors[0].channels | 17 | sensors[0] (pir).channels: missing or empty: name each channel to read with its interval, e.g. {"temperature": "10s"}
            sensors[0].channels | "x" | sensors[0] (pir).channels: missing or empty: name each channel to read with its interval, e.g. {"temperature": "10s"}
            sensors[0].channels | null | sensors[0] (pir).channels: missing or empty: name each channel to read with its interval, e.g. {"temperature": "10s"}
            sensors[0].channels | {} | sensors[0] (pir).channels: missing or empty: name each channel to read with its interval, e.g. {"temperature": "10s"}
            sensors[0].channels | [] | sensors[0] (pir).channels: missing or empty: name each channel to read with its interval, e.g. {"temperature": "10s"}
            sensors[0].channels | ["motion"] | sensors[0] (pir).channels: missing or empty: name each channel to read with its interval, e.g. {"temperature": "10s"}
            sensors[0].channels | {"motion": "event"} | ok {motion=OnEvent[]}
            sensors[0].channels | {"motion": "event", "door": "1s"} | ok {motion=OnEvent[], door=Every[interval=PT1S]}
            sensors[0].channels | {"m o": "1s"} | sensors[0] (pir).channels.m o: not a channel name: use letters, digits and - . / _ (SenML's name characters), starting with a letter or digit
            sensors[0].channels | {"_m": "1s"} | sensors[0] (pir).channels._m: not a channel name: use letters, digits and - . / _ (SenML's name characters), starting with a letter or digit
            sensors[0].channels | {"motion": 10} | sensors[0] (pir).channels.motion: expected an interval such as "10s", "5m" or "event"
            sensors[0].channels.motion | "event" | ok {motion=OnEvent[]}
            sensors[0].channels.motion | "EVENT" | sensors[0] (pir).channels.motion: bad interval 'EVENT': use a number with ms, s, m or h ("500ms", "10s", "5m"), or "event"
            sensors[0].channels.motion | "10s" | ok {motion=Every[interval=PT10S]}
            sensors[0].channels.motion | "100ms" | ok {motion=Every[interval=PT0.1S]}
            sensors[0].channels.motion | "99ms" | sensors[0] (pir).channels.motion: interval 99ms is out of range: give 100ms to 24h
            sensors[0].channels.motion | "24h" | ok {motion=Every[interval=PT24H]}
            sensors[0].channels.motion | "25h" | sensors[0] (pir).channels.motion: interval 25h is out of range: give 100ms to 24h
            sensors[0].channels.motion | "1d" | sensors[0] (pir).channels.motion: bad interval '1d': use a number with ms, s, m or h ("500ms", "10s", "5m"), or "event"
            sensors[0].channels.motion | "5 minutes" | sensors[0] (pir).channels.motion: bad interval '5 minutes': use a number with ms, s, m or h ("500ms", "10s", "5m"), or "event"
            sensors[0].channels.motion | "" | sensors[0] (pir).channels.motion: bad interval '': use a number with ms, s, m or h ("500ms", "10s", "5m"), or "event"
            sensors[0].channels.motion | 10 | sensors[0] (pir).channels.motion: expected an interval such as "10s", "5m" or "event"
            sensors[0].channels.motion | true | sensors[0] (pir).channels.motion: expected an interval such as "10s", "5m" or "event"
            sensors[0].channels.motion | null | sensors[0] (pir).channels.motion: expected an interval such as "10s", "5m" or "event"
            sensors[0].channels.motion | {} | sensors[0] (pir).channels.motion: expected an interval such as "10s", "5m" or "event"
            sensors[0].channels.motion | [] | sensors[0] (pir).channels.motion: expected an interval such as "10s", "5m" or "event"
            """;

    static Stream<Arguments> fieldTable() {
        return FIELD_TABLE.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> {
            String[] c = l.split(" \\| ", 3);
            return Arguments.of(c[0], c[1], c[2]);
        });
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("fieldTable")
    void eachKindOfValueInEachFieldIsTakenOrRefusedAsBefore(String field, String value, String expected) {
        assertEquals(expected, outcome(field, with(field, value).getBytes(StandardCharsets.UTF_8)));
    }

    static Arguments doc(String json, String expected) {
        StringBuilder label = new StringBuilder("`");
        json.chars().forEach(c -> label.append(c >= 0x20 ? String.valueOf((char) c) : "\\u%04x".formatted(c)));
        String l = label.append('`').toString();
        return Arguments.of(l.length() > 90 ? l.substring(0, 45) + " ... " + l.substring(l.length() - 40) : l,
                json.getBytes(StandardCharsets.UTF_8), expected);
    }

    static Arguments bytes(String label, byte[] doc, String expected) {
        return Arguments.of(label, doc, expected);
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static final String BOM = "\u00EF\u00BB\u00BF";
    static final String BODY = MQTT.substring(1, MQTT.length() - 1);
    /** BODY with the one top-level field it leaves out (outputs, added after the databind version): every field given. */
    static final String BODY_ALL = BODY + ", \"outputs\": []";
    static final String NINES = "9".repeat(1001);
    static final String DEEP = "[".repeat(1001) + "]".repeat(1001);

    static List<Arguments> documents() {
        List<Arguments> d = new ArrayList<>(List.of(
                // empty and blank files; a JSON null; the top is not an object
                doc("", "the file is empty: expected a JSON object (see README.md, device config)"),
                doc(" \n\t ", "the file is empty: expected a JSON object (see README.md, device config)"),
                doc("null", "the config is empty: expected a JSON object"),
                doc(" null ", "the config is empty: expected a JSON object"),
                doc("[]", "the config: wrong type, expected an object"),
                doc("[1]", "the config: wrong type, expected an object"),
                doc("1", "the config: wrong type, expected an object"),
                doc("\"x\"", "the config: wrong type, expected an object"),
                doc("true", "the config: wrong type, expected an object"),
                doc("{}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway: missing (e.g. {\"uplink\": \"coap\", \"host\": \"192.168.1.10\"}) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc(MQTT, "ok"),
                doc(" \r\n" + MQTT + "\n\n", "ok"),
                // more after the config; changed on purpose: "the config: wrong type, expected an object"
                // (what databind's FAIL_ON_TRAILING_TOKENS came out as) said the config was not an object
                doc("{} {}", "not valid JSON at line 1, column 4: more after the end of the config: the file holds one JSON object"),
                doc("{} 1", "not valid JSON at line 1, column 4: more after the end of the config: the file holds one JSON object"),
                doc("null 1", "not valid JSON at line 1, column 6: more after the end of the config: the file holds one JSON object"),
                doc("null {}", "not valid JSON at line 1, column 6: more after the end of the config: the file holds one JSON object"),
                doc("{\"sensors\": [{\"pin\": 99}]} {}", "not valid JSON at line 1, column 28: more after the end of the config: the file holds one JSON object"),
                doc(MQTT + "\n{}", "not valid JSON at line 2, column 1: more after the end of the config: the file holds one JSON object"),
                doc("{} ]", "not valid JSON at line 1, column 4: Unexpected close marker ']': no open Array to close"),
                doc("{} x", "not valid JSON at line 1, column 4: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                doc("{}x", "not valid JSON at line 1, column 3: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                doc(MQTT + "\u0000", "not valid JSON at line 1, column 289: Illegal character ((CTRL-CHAR, code 0)): only regular white space (\\r, \\n, \\t) is allowed between tokens"),
                // not JSON
                doc("{} // c", "not valid JSON at line 1, column 4: Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)"),
                doc("{} /* c */", "not valid JSON at line 1, column 4: Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)"),
                doc("// c\n{}", "not valid JSON at line 1, column 1: Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)"),
                doc("{\"deviceId\": \"d1\" // c\n}", "not valid JSON at line 1, column 19: Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)"),
                doc("{", "not valid JSON at line 1, column 2: Unexpected end-of-input: expected close marker for Object (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])"),
                doc("{\"deviceId\"", "not valid JSON at line 1, column 12: Unexpected end-of-input within/between Object entries"),
                doc("{\"deviceId\": ", "not valid JSON at line 1, column 14: Unexpected end-of-input within/between Object entries"),
                doc("{\"deviceId\": \"d1\"", "not valid JSON at line 1, column 18: Unexpected end-of-input: expected close marker for Object (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])"),
                doc("{\"deviceId\": \"d1\",}", "not valid JSON at line 1, column 19: Unexpected character ('}' (code 125)): was expecting double-quote to start field name"),
                doc("{'deviceId': 'd1'}", "not valid JSON at line 1, column 2: Unexpected character (''' (code 39)): was expecting double-quote to start field name"),
                doc("{deviceId: \"d1\"}", "not valid JSON at line 1, column 2: Unexpected character ('d' (code 100)): was expecting double-quote to start field name"),
                doc("{\"deviceId\": \"d\u0001\"}", "not valid JSON at line 1, column 16: Illegal unquoted character ((CTRL-CHAR, code 1)): has to be escaped using backslash to be included in string value"),
                doc("{\"deviceId\": \"d\\q\"}", "not valid JSON at line 1, column 17: Unrecognized character escape 'q' (code 113)"),
                doc("{\"deviceId\": NaN}", "not valid JSON at line 1, column 17: Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"),
                doc("{\"gateway\": {\"port\": 01}}", "not valid JSON at line 1, column 23: Invalid numeric value: Leading zeroes not allowed"),
                doc("{\"gateway\": {\"port\": -}}", "not valid JSON at line 1, column 23: Unexpected character ('}' (code 125)) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value"),
                doc("{\"gateway\": {\"port\": .5}}", "not valid JSON at line 1, column 22: Unexpected character ('.' (code 46)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                doc("{\"gateway\": {\"port\": 1.}}", "not valid JSON at line 1, column 24: Unexpected character ('}' (code 125)) in numeric value: Decimal point not followed by a digit"),
                doc("{\"gateway\": {\"port\": +1}}", "not valid JSON at line 1, column 23: Unexpected character ('+' (code 43)) in numeric value: JSON spec does not allow numbers to have plus signs: enable `JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow"),
                doc("{\"gateway\": {\"port\": 0x10}}", "not valid JSON at line 1, column 23: Unexpected character ('x' (code 120)): was expecting comma to separate Object entries"),
                // JSON escapes; a value shown in a message is JSON-escaped
                doc("{\"deviceId\": \"d\\u0031\"}", "gateway: missing (e.g. {\"uplink\": \"coap\", \"host\": \"192.168.1.10\"}) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc("{\"deviceId\": \"\\ud800\"}", "deviceId: '\ud800' is not a device id: use 1-63 of a-z, 0-9, '_' and '-', starting with a letter or digit || gateway: missing (e.g. {\"uplink\": \"coap\", \"host\": \"192.168.1.10\"}) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc(with("deviceId", "\"\\u00e9\\n\\\"\\u0001/\""), "deviceId: '\u00e9\n\"\u0001/' is not a device id: use 1-63 of a-z, 0-9, '_' and '-', starting with a letter or digit"),
                doc(with("sensors[0].pin", "\"\\u00e9\\n\\\"\\u0001/\""), "sensors[0] (pir).pin: \"\u00e9\\n\\\"\\u0001/\" is not a BCM GPIO number 0-27"),
                doc(with("sensors[0].address", "\"\\u001f\\b\\f\\r\\t\\\\ \\u007f\\u2028\\ud800\""), "sensors[0] (bme280).address: bad address \"\\u001F\\b\\f\\r\\t\\\\ \u007f\u2028\ud800\": give a 7-bit I2C address 0x03-0x77, e.g. \"0x76\""),
                doc(with("sensors[0].pin", "{\"a\\nb\": \"\\\"\"}"), "sensors[0] (pir).pin: {\"a\\nb\":\"\\\"\"} is not a BCM GPIO number 0-27"),
                doc(with("gateway.port", "\"\\t1883\\n\""), "ok"),
                doc(with("gateway.port", "\"\\u000017\""), "ok"),
                doc(with("gateway.port", "\"\\u00a017\""), "gateway.port: wrong type, expected a whole number"),
                doc(with("gateway.port", "\"\\u001f\""), "ok"),
                // duplicate keys, at any depth
                doc("{\"deviceId\": \"d1\", \"deviceId\": \"d1\"}", "not valid JSON at line 1, column 30: Duplicate field 'deviceId'"),
                doc("{\"gateway\": {\"host\": \"a\", \"host\": \"b\"}}", "not valid JSON at line 1, column 33: Duplicate field 'host'"),
                doc("{\"gateway\": {\"psk\": {\"key\": \"a\", \"key\": \"b\"}}}", "not valid JSON at line 1, column 39: Duplicate field 'key'"),
                doc("{\"outbox\": {\"budgetBytes\": 1, \"budgetBytes\": 2}}", "not valid JSON at line 1, column 44: Duplicate field 'budgetBytes'"),
                doc("{\"sensors\": [{\"pin\": 1, \"pin\": 2}]}", "not valid JSON at line 1, column 30: Duplicate field 'pin'"),
                doc("{\"sensors\": [{\"channels\": {\"a\": \"1s\", \"a\": \"2s\"}}]}", "not valid JSON at line 1, column 42: Duplicate field 'a'"),
                doc(with("sensors[0].calibration", "{\"a\": 1, \"a\": 2}"), "not valid JSON at line 1, column 231: Duplicate field 'a'"),
                doc("{" + BODY + ", \"gateway\": {}}", "not valid JSON at line 1, column 298: Duplicate field 'gateway'"),
                // unknown fields: named with the known ones of the object they sit in; changed on purpose:
                // a name with a dot in it ("a.b") was reported as sitting in an object "a"
                doc("{\"bord\": 1}", "unknown field 'bord' (known fields here: board, dataDir, deviceId, gateway, outbox, outputs, sensors)"),
                doc("{\"\": 1}", "unknown field '' (known fields here: board, dataDir, deviceId, gateway, outbox, outputs, sensors)"),
                doc("{\"DeviceId\": \"d1\"}", "unknown field 'DeviceId' (known fields here: board, dataDir, deviceId, gateway, outbox, outputs, sensors)"),
                doc("{\"a.b\": 1}", "unknown field 'a.b' (known fields here: board, dataDir, deviceId, gateway, outbox, outputs, sensors)"),
                doc("{\"gateway\": {\"a.b\": 1}}", "gateway: unknown field 'a.b' (known fields here: caFile, format, host, password, port, psk, tls, uplink, username)"),
                doc("{\"gateway\": {\"prot\": 1}}", "gateway: unknown field 'prot' (known fields here: caFile, format, host, password, port, psk, tls, uplink, username)"),
                doc("{\"gateway\": {\"psk\": {\"idenity\": 1}}}", "gateway.psk: unknown field 'idenity' (known fields here: identity, key)"),
                doc("{\"gateway\": {\"psk\": {\"identity\": \"i\", \"key\": \"k\", \"x\": 1}}}", "gateway.psk: unknown field 'x' (known fields here: identity, key)"),
                doc("{\"outbox\": {\"budget\": 1}}", "outbox: unknown field 'budget' (known fields here: budgetBytes)"),
                doc("{" + BODY + ", \"bord\": 1}", "unknown field 'bord' (known fields here: board, dataDir, deviceId, gateway, outbox, outputs, sensors)"),
                // which of two mistakes is reported: an unknown field only once its object is read
                // through (or all its fields are given), anything else where it is met
                doc("{\"bord\": 1, \"deviceId\": }", "not valid JSON at line 1, column 25: Unexpected character ('}' (code 125)): expected a value"),
                doc("{\"bord\": 1, \"deviceId\": []}", "deviceId: wrong type, expected a string"),
                doc("{\"bord\": 1, \"bard\": 2}", "unknown field 'bord' (known fields here: board, dataDir, deviceId, gateway, outbox, outputs, sensors)"),
                doc("{\"bord\": 1, \"gateway\": {\"prot\": 1}}", "gateway: unknown field 'prot' (known fields here: caFile, format, host, password, port, psk, tls, uplink, username)"),
                doc("{\"bord\": [1, {\"a\": \"b\"}, 1.5, null], \"deviceId\": \"d1\"}", "unknown field 'bord' (known fields here: board, dataDir, deviceId, gateway, outbox, outputs, sensors)"),
                doc("{\"gateway\": {\"prot\": 1, \"port\": \"x\"}}", "gateway.port: wrong type, expected a whole number"),
                doc("{\"gateway\": {\"port\": \"x\"}, \"bord\": 1}", "gateway.port: wrong type, expected a whole number"),
                doc("{\"outbox\": {\"x\": 1, \"budgetBytes\": 65536, \"y\": 2}}", "outbox: unknown field 'x' (known fields here: budgetBytes)"),
                doc("{\"outbox\": {\"x\": 1, \"budgetBytes\": 65536, \"y\": x}}", "not valid JSON at line 1, column 48: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                doc("{\"outbox\": {\"budgetBytes\": 65536, \"y\": x}}", "not valid JSON at line 1, column 40: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                doc("{\"outbox\": {\"budgetBytes\": 65536, \"y\": [x}}", "outbox: unknown field 'y' (known fields here: budgetBytes)"),
                doc("{\"outbox\": {\"budgetBytes\": 65536 x}}", "not valid JSON at line 1, column 34: Unexpected character ('x' (code 120)): was expecting comma to separate Object entries"),
                doc("{" + BODY_ALL + ", \"bord\": \"\\q\"}", "unknown field 'bord' (known fields here: board, dataDir, deviceId, gateway, outbox, outputs, sensors)"),
                doc("{" + BODY_ALL + ", \"bord\": [x}", "unknown field 'bord' (known fields here: board, dataDir, deviceId, gateway, outbox, outputs, sensors)"),
                // changed with outputs: without it not every field is given, so the unknown field's value is read first
                doc("{" + BODY + ", \"bord\": [x}", "not valid JSON at line 1, column 298: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                doc("{\"deviceId\": [], \"gateway\": {", "deviceId: wrong type, expected a string"),
                doc("{\"deviceId\": [x", "deviceId: wrong type, expected a string"),
                doc("{\"deviceId\": {x", "deviceId: wrong type, expected a string"),
                doc("{\"gateway\": [x", "gateway: wrong type, expected an object"),
                doc("{\"gateway\": 1 x", "gateway: wrong type, expected an object"),
                doc("{\"sensors\": {x", "sensors: wrong type, expected a list"),
                doc("{\"sensors\": [[x", "sensors[0]: wrong type, expected an object"),
                doc("{\"sensors\": [1 x", "sensors[0]: wrong type, expected an object"),
                doc("{\"sensors\": [1, {\"bord\": 1}]}", "sensors[0]: wrong type, expected an object"),
                doc("{\"sensors\": [{\"pin\": \"x\"}], x", "not valid JSON at line 1, column 29: Unexpected character ('x' (code 120)): was expecting double-quote to start field name"),
                doc("{\"gateway\": {\"port\": [x", "gateway.port: wrong type, expected a whole number"),
                doc("{\"gateway\": {\"tls\": {x", "gateway.tls: wrong type, expected true or false"),
                doc("{\"gateway\": {\"port\": 1.5 x", "gateway.port: wrong type, expected a whole number"),
                doc("{\"gateway\": {\"port\": 99999999999 x", "not valid JSON at line 1, column 33: Numeric value (99999999999) out of range of int (-2147483648 - 2147483647)"),
                doc("{\"gateway\": {\"port\": \"x\" x", "gateway.port: wrong type, expected a whole number"),
                doc("[x", "the config: wrong type, expected an object"),
                doc("1 x", "the config: wrong type, expected an object"),
                doc("{\"deviceId\": \"d1\"} x", "not valid JSON at line 1, column 20: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                // the parser's limits: 1000 digits, 1000 levels deep
                doc(with("deviceId", NINES), "not valid JSON: Number value length (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNumberLength()`)"),
                doc(with("deviceId", "1." + NINES), "not valid JSON: Number value length (1002) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNumberLength()`)"),
                doc(with("gateway.port", NINES), "not valid JSON: Number value length (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNumberLength()`)"),
                doc(with("sensors[0].pin", NINES), "not valid JSON: Number value length (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNumberLength()`)"),
                doc(with("sensors[0].pin", DEEP), "not valid JSON: Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)"),
                doc(with("deviceId", DEEP), "deviceId: wrong type, expected a string"),
                doc("{\"bord\": 1" + NINES + "}", "not valid JSON: Number value length (1002) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNumberLength()`)"),
                doc("{\"bord\": \"" + NINES + "\"}", "unknown field 'bord' (known fields here: board, dataDir, deviceId, gateway, outbox, outputs, sensors)"),
                doc("{\"bord\": " + DEEP + "}", "not valid JSON: Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)"),
                doc(with("sensors[0].settings", "{\"a\": " + "[".repeat(998) + "]".repeat(998) + "}"), "not valid JSON: Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)"),
                // what is absent, null, or given where it is not used
                doc("{\"outbox\": null, \"gateway\": null, \"sensors\": null, \"deviceId\": null, \"board\": null, \"dataDir\": null}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway: missing (e.g. {\"uplink\": \"coap\", \"host\": \"192.168.1.10\"}) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc("{\"gateway\": {}}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway.uplink: missing (coap, coaps or mqtt) || gateway.host: missing (the gateway's IP address or host name) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc("{\"gateway\": {\"psk\": {}}}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway.uplink: missing (coap, coaps or mqtt) || gateway.host: missing (the gateway's IP address or host name) || gateway.psk.identity: missing or empty (1-128 characters, usually the device id) || gateway.psk.key: missing (the pre-shared key, base64) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc("{\"gateway\": {\"psk\": null, \"uplink\": \"coaps\"}}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway.host: missing (the gateway's IP address or host name) || gateway.caFile: missing: coaps presents the device's own key and checks the gateway by its CA (copy the gateway's https://<gateway>:8443/ca.crt beside device.json); or give gateway.psk {\"identity\": ..., \"key\": base64} made on the gateway || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc("{\"gateway\": {\"uplink\": \"mqtt\", \"tls\": true}}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway.host: missing (the gateway's IP address or host name) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc("{\"gateway\": {\"uplink\": \"coap\", \"username\": \"u\", \"password\": \"p\", \"tls\": false}}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway.host: missing (the gateway's IP address or host name) || gateway.username: only used with uplink mqtt || gateway.password: only used with uplink mqtt || gateway.tls: only used with uplink mqtt (use uplink coaps for CoAP over DTLS) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc("{\"gateway\": {\"uplink\": \"coap\", \"tls\": \"\"}}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway.host: missing (the gateway's IP address or host name) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc("{\"gateway\": {\"uplink\": \"coap\", \"tls\": \"null\"}}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway.host: missing (the gateway's IP address or host name) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc("{\"gateway\": {\"uplink\": \"coap\", \"tls\": 0}}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway.host: missing (the gateway's IP address or host name) || gateway.tls: only used with uplink mqtt (use uplink coaps for CoAP over DTLS) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc("{\"gateway\": {\"uplink\": \"coap\", \"tls\": null}}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway.host: missing (the gateway's IP address or host name) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc("{\"gateway\": {\"password\": \"p\"}}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway.uplink: missing (coap, coaps or mqtt) || gateway.host: missing (the gateway's IP address or host name) || gateway.password: given without gateway.username || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors: missing or empty: list at least one sensor with its channels"),
                doc("{\"sensors\": [{}, null]}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway: missing (e.g. {\"uplink\": \"coap\", \"host\": \"192.168.1.10\"}) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors[0].chip: missing (e.g. \"bme280\") || sensors[0].channels: missing or empty: name each channel to read with its interval, e.g. {\"temperature\": \"10s\"} || sensors[1]: expected an object"),
                doc("{\"sensors\": [{\"chip\": null, \"channels\": null, \"pin\": null}]}", "deviceId: missing (e.g. \"kitchen-climate\") || gateway: missing (e.g. {\"uplink\": \"coap\", \"host\": \"192.168.1.10\"}) || board: missing (one of arm64-virt, rpi3, rpi4, sim) || sensors[0].chip: missing (e.g. \"bme280\") || sensors[0].channels: missing or empty: name each channel to read with its interval, e.g. {\"temperature\": \"10s\"} || sensors[0].pin: null is not a BCM GPIO number 0-27"),
                doc(MQTT.replace("]}", ", null, {\"chip\": \"pir\", \"pin\": 4, \"channels\": {\"m\": \"1s\"}}]}"), "sensors[1]: expected an object || sensors[2] (pir).pin: pin 4 is already used by sensors[0] (pir)"),
                // encodings: a UTF-8 byte order mark, UTF-16 and UTF-32 (detected), bad UTF-8 where it is met;
                // changed on purpose: a file of only a byte order mark and white space, or of white space in
                // UTF-16, is "the file is empty" (it was "the config: wrong type, expected an object", and a
                // lone byte order mark "not valid JSON at line 1, column 3: Unexpected character ('\uFEFF' ...")
                bytes("BOM + config", latin1(BOM + MQTT), "ok"),
                bytes("BOM + null", latin1(BOM + "null"), "the config is empty: expected a JSON object"),
                bytes("BOM", latin1(BOM), "the file is empty: expected a JSON object (see README.md, device config)"),
                bytes("BOM + blank", latin1(BOM + "  \n"), "the file is empty: expected a JSON object (see README.md, device config)"),
                bytes("BOM BOM + config", latin1(BOM + BOM + MQTT), "not valid JSON at line 1, column 6: Unexpected character ('\ufeff' (code 65279 / 0xfeff)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                bytes("UTF-16BE with BOM", ("\uFEFF" + MQTT).getBytes(StandardCharsets.UTF_16BE), "ok"),
                bytes("UTF-16LE", MQTT.getBytes(StandardCharsets.UTF_16LE), "ok"),
                bytes("UTF-32BE", MQTT.getBytes(java.nio.charset.Charset.forName("UTF-32BE")), "ok"),
                bytes("UTF-16BE blank", "  ".getBytes(StandardCharsets.UTF_16BE), "the file is empty: expected a JSON object (see README.md, device config)"),
                bytes("UTF-16BE null", "null".getBytes(StandardCharsets.UTF_16BE), "the config is empty: expected a JSON object"),
                bytes("UTF-32 cut short", new byte[] {0, 0, 0, '{', 0, 0, 0}, "cannot read: Unexpected EOF in the middle of a 4-byte UTF-32 char: got 3, needed 4, at char #1, byte #3)"),
                bytes("NUL", new byte[] {0}, "not valid JSON at line 1, column 2: Illegal character ((CTRL-CHAR, code 0)): only regular white space (\\r, \\n, \\t) is allowed between tokens"),
                bytes("FF FE", latin1("\u00FF\u00FE"), "not valid JSON at line 1, column 2: Invalid UTF-8 start byte 0xff"),
                bytes("FF before the config", latin1("\u00FF" + MQTT), "not valid JSON at line 1, column 2: Invalid UTF-8 start byte 0xff"),
                bytes("FF after the config", latin1("{} \u00FF"), "not valid JSON at line 1, column 5: Invalid UTF-8 start byte 0xff"),
                bytes("FF as the document", latin1("\"\u00FF\""), "not valid JSON at line 1, column 3: Invalid UTF-8 start byte 0xff"),
                bytes("Latin-1 e-acute in deviceId", latin1(MQTT.replace("\"d1\"", "\"d\u00E9\"")), "not valid JSON at line 1, column 18: Invalid UTF-8 middle byte 0x22"),
                bytes("C3 28 in deviceId", latin1(MQTT.replace("\"d1\"", "\"d\u00C3(\"")), "not valid JSON at line 1, column 18: Invalid UTF-8 middle byte 0x28"),
                bytes("C3 cut short in deviceId", latin1(MQTT.replace("\"d1\"", "\"\u00C3\"")), "not valid JSON at line 1, column 17: Invalid UTF-8 middle byte 0x22"),
                bytes("C0 80 (overlong) in deviceId", latin1(MQTT.replace("\"d1\"", "\"\u00C0\u0080\"")), "not valid JSON at line 1, column 16: Invalid UTF-8 start byte 0xc0"),
                bytes("ED A0 80 (a surrogate) in deviceId", latin1(MQTT.replace("\"d1\"", "\"\u00ED\u00A0\u0080\"")), "not valid JSON at line 1, column 18: Invalid UTF-8: Illegal surrogate character 0xd800"),
                bytes("F0 9F 98 80 (an emoji) in deviceId", latin1(MQTT.replace("\"d1\"", "\"\u00F0\u009F\u0098\u0080\"")), "deviceId: '\ud83d\ude00' is not a device id: use 1-63 of a-z, 0-9, '_' and '-', starting with a letter or digit"),
                bytes("FF in a field name", latin1(MQTT.replace("\"board\"", "\"b\u00FF\"")), "not valid JSON at line 1, column 149: Invalid UTF-8 start byte 0xff"),
                bytes("FF in an unknown field's value", latin1(MQTT.replace("\"board\": \"sim\"", "\"bord\": \"\u00FF\"")), "not valid JSON at line 1, column 155: Invalid UTF-8 start byte 0xff"),
                bytes("FF in an unknown field's value after every field", latin1("{" + BODY_ALL + ", \"bord\": \"\u00FF\"}"), "unknown field 'bord' (known fields here: board, dataDir, deviceId, gateway, outbox, outputs, sensors)"),
                bytes("FF in host", latin1(with("gateway.host", "\"\u00FF\"")), "not valid JSON at line 1, column 60: Invalid UTF-8 start byte 0xff"),
                bytes("FF where a number goes", latin1(with("gateway.port", "\"\u00FF\"")), "not valid JSON at line 1, column 74: Invalid UTF-8 start byte 0xff"),
                bytes("FF where true or false goes", latin1(with("gateway.tls", "\"\u00FF\"")), "not valid JSON at line 1, column 121: Invalid UTF-8 start byte 0xff"),
                bytes("FF where the gateway object goes", latin1(with("gateway", "\"\u00FF\"")), "not valid JSON at line 1, column 33: Invalid UTF-8 start byte 0xff"),
                bytes("FF where the sensor list goes", latin1(with("sensors", "\"\u00FF\"")), "not valid JSON at line 1, column 229: Invalid UTF-8 start byte 0xff"),
                bytes("FF where a sensor goes", latin1(with("sensors[0]", "\"\u00FF\"")), "not valid JSON at line 1, column 230: Invalid UTF-8 start byte 0xff"),
                bytes("FF in a sensor's setting", latin1(with("sensors[0].settings", "{\"mode\": \"\u00FF\"}")), "not valid JSON at line 1, column 257: Invalid UTF-8 start byte 0xff"),
                bytes("FF in a channel name", latin1(MQTT.replace("\"motion\"", "\"m\u00FF\"")), "not valid JSON at line 1, column 271: Invalid UTF-8 start byte 0xff")
        ));
        return d;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void eachDocumentIsTakenOrRefusedAsBefore(String label, byte[] doc, String expected) {
        assertEquals(expected, outcome(null, doc));
    }

    // ---- outputs: switches and dimmers on GPIO pins

    /** The brief's example (a bme280 on i2c-1, a soil probe on i2c-1, a pir on BCM 17) on rpi4, with these outputs. */
    static String withOutputs(String outputs) {
        return coapsExample().replace("\"sensors\": [", "\"outputs\": " + outputs + ",\n  \"sensors\": [");
    }

    static List<String> outputProblems(String config) {
        return assertThrows(ConfigException.class, () -> parse(config)).problems();
    }

    @Test
    void outputsAreReadWithTheirDefaults() throws Exception {
        DeviceConfig c = parse(withOutputs("""
                [{"name": "hall_light", "kind": "switch", "pin": 22, "activeLow": false, "safe": "off"},
                 {"name": "fan", "kind": "dimmer", "pin": 18, "frequencyHz": 25000, "ramp": "2m", "safe": 37.5},
                 {"name": "pump", "kind": "switch", "pin": 23, "activeLow": true, "safe": "on"},
                 {"name": "bell", "kind": "switch", "pin": 24},
                 {"name": "lamp", "kind": "dimmer", "pin": 13}]"""));
        assertEquals(List.of(
                new DeviceConfig.OutputSpec.SwitchSpec("hall_light", 22, false, false),
                new DeviceConfig.OutputSpec.DimmerSpec("fan", 18, 25000, Duration.ofMinutes(2), 37.5),
                new DeviceConfig.OutputSpec.SwitchSpec("pump", 23, true, true),
                // not given: active high, safe off; 1000 Hz, no ramp, safe at 0 %
                new DeviceConfig.OutputSpec.SwitchSpec("bell", 24, false, false),
                new DeviceConfig.OutputSpec.DimmerSpec("lamp", 13, 1000, Duration.ZERO, 0)),
                c.outputs());
        assertEquals(3, c.sensors().size(), "the sensors are read as before");
    }

    @Test
    void aConfigWithoutOutputsHasNone() throws Exception {
        assertEquals(List.of(), parse(coapsExample()).outputs());
        assertEquals(List.of(), parse(withOutputs("[]")).outputs());
        assertEquals(List.of(), parse(withOutputs("null")).outputs());
    }

    @Test
    void theBriefsOutputsExampleParses() throws Exception {
        var outputs = parse(withOutputs("""
                [{"name":"hall_light","kind":"switch","pin":22,"activeLow":false,"safe":"off"},
                 {"name":"fan","kind":"dimmer","pin":18,"frequencyHz":1000,"ramp":"500ms","safe":0}]""")).outputs();
        assertEquals(List.of(new DeviceConfig.OutputSpec.SwitchSpec("hall_light", 22, false, false),
                new DeviceConfig.OutputSpec.DimmerSpec("fan", 18, 1000, Duration.ofMillis(500), 0)), outputs);
        assertEquals(List.of("hall_light", "fan"), outputs.stream().map(DeviceConfig.OutputSpec::name).toList());
    }

    /** On a Pi none of BCM 2-27 is input-only or reserved: a switch on each (the sensor here holds none of them). */
    @Test
    void everyPinFrom2To27TakesASwitchOnAPiAndOnSim() throws Exception {
        StringBuilder outputs = new StringBuilder("[");
        for (int pin = 2; pin <= 27; pin++) {
            if (pin > 2) outputs.append(", ");
            outputs.append("{\"name\": \"s").append(pin).append("\", \"kind\": \"switch\", \"pin\": ").append(pin).append('}');
        }
        outputs.append(']');
        for (String board : List.of("rpi3", "rpi4", "sim")) {
            String json = ("{\"deviceId\": \"d1\", \"gateway\": {\"uplink\": \"mqtt\", \"host\": \"gw\"}, \"board\": \"%s\", "
                    + "\"outputs\": %s, \"sensors\": [{\"chip\": \"bme280\", \"bus\": 3, \"channels\": {\"temperature\": \"10s\"}}]}")
                    .formatted(board, outputs);
            assertEquals(26, parse(json).outputs().size(), board);
        }
    }

    @Test
    void theOneWirePinIsTakenOnlyWhenA1WireSensorIsConfigured() throws Exception {
        Set<String> chips = Set.of("bme280", "ds18b20", "mcp3008");
        String base = "{\"deviceId\": \"d1\", \"gateway\": {\"uplink\": \"mqtt\", \"host\": \"gw\"}, \"board\": \"rpi4\", "
                + "\"outputs\": [{\"name\": \"relay\", \"kind\": \"switch\", \"pin\": %d}], \"sensors\": [%s]}";
        String bme = "{\"chip\": \"bme280\", \"channels\": {\"temperature\": \"10s\"}}";
        ThrowingParse p = (pin, sensor) -> DeviceConfig.parse("device.json",
                base.formatted(pin, sensor).getBytes(StandardCharsets.UTF_8), chips);
        assertEquals(4, p.parse(4, bme).outputs().get(0).pin(), "no 1-Wire sensor: BCM 4 is free");
        for (String w1 : List.of("{\"chip\": \"ds18b20\", \"channels\": {\"temperature\": \"1m\"}}",
                "{\"chip\": \"ds18b20\", \"romId\": \"28-0000075e3a1b\", \"channels\": {\"temperature\": \"1m\"}}")) {
            var e = assertThrows(ConfigException.class, () -> p.parse(4, w1));
            assertEquals(List.of("outputs[0].pin: pin 4 is already used by sensors[0] (ds18b20) on w1 (BCM 4): give the output a pin of its own"),
                    e.problems());
        }
        // SPI 0 is BCM 7-11, taken by a chip select or by an MCP3008, which defaults to chip select 0
        for (int pin : List.of(7, 9, 11)) {
            var e = assertThrows(ConfigException.class, () -> p.parse(pin, "{\"chip\": \"mcp3008\", \"channels\": {\"voltage\": \"1m\"}}"));
            assertEquals(List.of("outputs[0].pin: pin " + pin + " is already used by sensors[0] (mcp3008) on spi-0 (BCM 7-11): give the output a pin of its own"),
                    e.problems());
        }
        var e = assertThrows(ConfigException.class, () -> p.parse(3, bme));
        assertEquals(List.of("outputs[0].pin: pin 3 is already used by sensors[0] (bme280) on i2c-1 (BCM 2, 3): give the output a pin of its own"),
                e.problems(), "an I2C chip without an address is at its default one on bus 1");
    }

    interface ThrowingParse {
        DeviceConfig parse(int pin, String sensor) throws ConfigException;
    }

    @Test
    void anOutputOnABoardWithoutGpioIsRefused() {
        String config = withOutputs("[{\"name\": \"relay\", \"kind\": \"switch\", \"pin\": 22}]").replace("\"rpi4\"", "\"arm64-virt\"");
        assertEquals(List.of("outputs[0].pin: board arm64-virt has no GPIO pins, so no outputs: drop \"outputs\" or run on rpi3, rpi4, sim"),
                outputProblems(config));
    }

    @Test
    void everyOutputProblemIsReportedAtOnceWithTheOthers() {
        String config = withOutputs("""
                [{"name": "fan", "kind": "relay", "pin": 22},
                 {"name": "temperature", "kind": "dimmer", "pin": 17, "ramp": "soon"}]""")
                .replace("\"kitchen-climate\",\n  \"gateway\"", "\"Kitchen\",\n  \"gateway\"");
        assertEquals(List.of(
                "deviceId: 'Kitchen' is not a device id: use 1-63 of a-z, 0-9, '_' and '-', starting with a letter or digit",
                "outputs[0].kind: unknown kind \"relay\" (switch or dimmer: a switch is on or off on any GPIO pin, a dimmer a level 0-100 % on a hardware-PWM pin)",
                "outputs[1].name: 'temperature' is already a channel of sensors[0] (bme280): give each output a name of its own, the channel its state is reported on",
                "outputs[1].pin: pin 17 is already used by sensors[2] (pir): give the output a pin of its own",
                "outputs[1].ramp: bad ramp \"soon\": use a number with ms, s, m or h (\"500ms\", \"2s\"), \"0s\" for none"),
                outputProblems(config));
    }

    /** outputs (the JSON list) | the problems, joined by " || ". */
    static final String OUTPUT_TABLE = """
            {"a": 1} | outputs: wrong type, expected a list
            [1] | outputs[0]: wrong type, expected an object
            [null] | outputs[0]: expected an object {"name": ..., "kind": "switch" or "dimmer", "pin": ...}
            # kind
            [{"name": "x", "pin": 22}] | outputs[0].kind: missing (switch or dimmer)
            [{"name": "x", "kind": "relay", "pin": 22}] | outputs[0].kind: unknown kind "relay" (switch or dimmer: a switch is on or off on any GPIO pin, a dimmer a level 0-100 % on a hardware-PWM pin)
            [{"name": "x", "kind": "Switch", "pin": 22}] | outputs[0].kind: unknown kind "Switch" (switch or dimmer: a switch is on or off on any GPIO pin, a dimmer a level 0-100 % on a hardware-PWM pin)
            # name
            [{"kind": "switch", "pin": 22}] | outputs[0].name: missing (e.g. "hall_light"): the name commands use and its state is reported under
            [{"name": "hall light", "kind": "switch", "pin": 22}] | outputs[0].name: "hall light" is not a channel name: use letters, digits and - . / _ (SenML's name characters), starting with a letter or digit
            [{"name": 7, "kind": "switch", "pin": 22}] | outputs[0].name: 7 is not a channel name: use letters, digits and - . / _ (SenML's name characters), starting with a letter or digit
            [{"name": "ack", "kind": "switch", "pin": 22}] | outputs[0].name: 'ack' is reserved (the device reports its commands' outcomes and its outputs on it): give the output another name
            [{"name": "outputs", "kind": "switch", "pin": 22}] | outputs[0].name: 'outputs' is reserved (the device reports its commands' outcomes and its outputs on it): give the output another name
            [{"name": "a", "kind": "switch", "pin": 22}, {"name": "a", "kind": "switch", "pin": 23}] | outputs[1].name: 'a' is already the name of outputs[0] (a): give each output a name of its own, the channel its state is reported on
            [{"name": "motion", "kind": "switch", "pin": 22}] | outputs[0].name: 'motion' is already a channel of sensors[2] (pir): give each output a name of its own, the channel its state is reported on
            # pin
            [{"name": "x", "kind": "switch"}] | outputs[0].pin: missing: give the BCM GPIO number the output is wired to
            [{"name": "x", "kind": "switch", "pin": "22"}] | outputs[0].pin: "22" is not a BCM GPIO number
            [{"name": "x", "kind": "switch", "pin": -1}] | outputs[0].pin: -1 is not a BCM GPIO number
            [{"name": "x", "kind": "switch", "pin": 28}] | outputs[0].pin: board rpi4 has no GPIO 28: give a BCM GPIO number 2-27
            [{"name": "x", "kind": "switch", "pin": 0}] | outputs[0].pin: BCM 0 is reserved on rpi4 (ID_SD, the HAT ID EEPROM's data line): give a BCM GPIO number 2-27
            [{"name": "x", "kind": "switch", "pin": 1}] | outputs[0].pin: BCM 1 is reserved on rpi4 (ID_SC, the HAT ID EEPROM's clock line): give a BCM GPIO number 2-27
            [{"name": "a", "kind": "switch", "pin": 22}, {"name": "b", "kind": "dimmer", "pin": 22}] | outputs[1].pin: pin 22 is already used by outputs[0] (a): give the output a pin of its own
            [{"name": "a", "kind": "switch", "pin": 17}] | outputs[0].pin: pin 17 is already used by sensors[2] (pir): give the output a pin of its own
            [{"name": "a", "kind": "switch", "pin": 2}] | outputs[0].pin: pin 2 is already used by sensors[0] (bme280) on i2c-1 (BCM 2, 3): give the output a pin of its own
            [{"name": "a", "kind": "dimmer", "pin": 22}] | outputs[0].pin: BCM 22 has no hardware PWM on rpi4: put a dimmer on one of 12, 13, 18, 19, or make it a switch
            [{"name": "a", "kind": "dimmer", "pin": 12}, {"name": "b", "kind": "dimmer", "pin": 18}] | outputs[1].pin: BCM 18 is on PWM channel 0 like outputs[0] (a) on BCM 12, and would show its level: put one of them on a pin of the other channel (13, 19)
            [{"name": "a", "kind": "switch", "pin": 12}, {"name": "b", "kind": "dimmer", "pin": 18}] | ok
            # switch values
            [{"name": "x", "kind": "switch", "pin": 22, "activeLow": "yes"}] | outputs[0].activeLow: "yes" is not true or false (true: on drives the pin low, as on most relay boards)
            [{"name": "x", "kind": "switch", "pin": 22, "activeLow": 1}] | outputs[0].activeLow: 1 is not true or false (true: on drives the pin low, as on most relay boards)
            [{"name": "x", "kind": "switch", "pin": 22, "safe": "maybe"}] | outputs[0].safe: "maybe" is not "on" or "off" (the state at boot, on a fault and at shutdown)
            [{"name": "x", "kind": "switch", "pin": 22, "safe": true}] | outputs[0].safe: true is not "on" or "off" (the state at boot, on a fault and at shutdown)
            [{"name": "x", "kind": "switch", "pin": 22, "safe": 0}] | outputs[0].safe: 0 is not "on" or "off" (the state at boot, on a fault and at shutdown)
            [{"name": "x", "kind": "switch", "pin": 22, "ramp": "1s"}] | outputs[0]: unknown field 'ramp' (a switch has name, kind, pin, activeLow, safe)
            [{"name": "x", "kind": "switch", "pin": 22, "colour": "red"}] | outputs[0]: unknown field 'colour' (a switch has name, kind, pin, activeLow, safe)
            # dimmer values
            [{"name": "x", "kind": "dimmer", "pin": 18, "safe": 101}] | outputs[0].safe: 101 is not a level 0-100 (percent: the level at boot, on a fault and at shutdown)
            [{"name": "x", "kind": "dimmer", "pin": 18, "safe": -0.5}] | outputs[0].safe: -0.5 is not a level 0-100 (percent: the level at boot, on a fault and at shutdown)
            [{"name": "x", "kind": "dimmer", "pin": 18, "safe": "off"}] | outputs[0].safe: "off" is not a level 0-100 (percent: the level at boot, on a fault and at shutdown)
            [{"name": "x", "kind": "dimmer", "pin": 18, "safe": 100}] | ok
            [{"name": "x", "kind": "dimmer", "pin": 18, "frequencyHz": 0}] | outputs[0].frequencyHz: 0 is not a PWM frequency 1-50000 Hz on rpi4 (1000 if not given)
            [{"name": "x", "kind": "dimmer", "pin": 18, "frequencyHz": 50001}] | outputs[0].frequencyHz: 50001 is not a PWM frequency 1-50000 Hz on rpi4 (1000 if not given)
            [{"name": "x", "kind": "dimmer", "pin": 18, "frequencyHz": "1k"}] | outputs[0].frequencyHz: "1k" is not a PWM frequency 1-50000 Hz on rpi4 (1000 if not given)
            [{"name": "x", "kind": "dimmer", "pin": 18, "frequencyHz": 1000.5}] | outputs[0].frequencyHz: 1000.5 is not a PWM frequency 1-50000 Hz on rpi4 (1000 if not given)
            [{"name": "x", "kind": "dimmer", "pin": 18, "frequencyHz": 50000, "ramp": "0s"}] | ok
            [{"name": "x", "kind": "dimmer", "pin": 18, "ramp": "fast"}] | outputs[0].ramp: bad ramp "fast": use a number with ms, s, m or h ("500ms", "2s"), "0s" for none
            [{"name": "x", "kind": "dimmer", "pin": 18, "ramp": 500}] | outputs[0].ramp: bad ramp 500: use a number with ms, s, m or h ("500ms", "2s"), "0s" for none
            [{"name": "x", "kind": "dimmer", "pin": 18, "ramp": "2h"}] | outputs[0].ramp: ramp 2h is too long: give 0ms to 1h (a command waits for the ramp)
            [{"name": "x", "kind": "dimmer", "pin": 18, "ramp": "1h"}] | ok
            [{"name": "x", "kind": "dimmer", "pin": 18, "activeLow": true}] | outputs[0]: unknown field 'activeLow' (a dimmer has name, kind, pin, frequencyHz, ramp, safe)
            """;

    static Stream<Arguments> outputTable() {
        return OUTPUT_TABLE.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> {
            String[] c = l.split(" \\| ", 2);
            return Arguments.of(c[0], c[1]);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputTable")
    void eachOutputMistakeIsNamed(String outputs, String expected) {
        assertEquals(expected, outcome(null, withOutputs(outputs).getBytes(StandardCharsets.UTF_8)));
    }
}
