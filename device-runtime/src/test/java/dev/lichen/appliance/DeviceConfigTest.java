package dev.lichen.appliance;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.senml.SenmlFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

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
                .replaceAll(",\\s*\"psk\": \\{[^}]*\\}", "")).contains("gateway.psk: missing"));
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
}
