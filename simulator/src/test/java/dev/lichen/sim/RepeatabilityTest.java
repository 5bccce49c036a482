package dev.lichen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.sim.board.Scenarios;
import dev.lichen.sim.board.Simulation;
import dev.lichen.sim.board.TakenReading;
import dev.lichen.sim.scenario.Plan;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same scenario and seed give the same readings: every device's channels read the same values
 * at the same simulated times, through the real drivers and chip models, on the virtual clock.
 * (That another seed gives another home is HomePhysicsTest's.)
 */
class RepeatabilityTest {
    static final String SCENARIO = """
            {"seed": %d, "start": "2026-11-26T06:00:00Z", "duration": "2h",
             "rooms": [{"name": "hall", "heating": [{"from": "06:00", "to": "22:00", "setpointC": 20}],
                        "lamps": [{"from": "06:00", "to": "07:30", "lux": 200}], "motion": {"perHour": 10}}],
             "plants": [{"name": "ivy", "room": "hall", "dryPerDay": 20, "watering": {"randomPerDay": 4}}],
             "fridges": [{"name": "fridge", "room": "hall", "doorOpensPerHour": 5, "spoilPpbPerHour": 30}],
             "doors": [{"name": "front", "room": "hall", "opensPerHour": 4}],
             "devices": [
               {"place": "hall", "config": {"deviceId": "hall-climate", "sensors": [
                 {"chip": "bme280", "bus": 1, "address": "0x76", "channels": {"temperature": "2m", "humidity": "2m", "pressure": "5m"}},
                 {"chip": "bh1750", "bus": 1, "address": "0x23", "channels": {"illuminance": "2m"}},
                 {"chip": "pir", "pin": 17, "channels": {"motion": "event"}}]}},
               {"place": "ivy", "uplink": "mqtt", "config": {"deviceId": "ivy", "sensors": [
                 {"chip": "soil-ads1115", "bus": 1, "address": "0x49", "input": 2,
                  "calibration": {"dryVolts": 2.9, "wetVolts": 1.3}, "channels": {"soil_moisture": "5m"}}]}},
               {"place": "fridge", "config": {"deviceId": "fridge", "sensors": [
                 {"chip": "sgp30", "bus": 1, "address": "0x58", "channels": {"voc": "5m"}},
                 {"chip": "ds18b20", "romId": "28-00000a1b2c3d", "channels": {"temperature": "2m"}},
                 {"chip": "reed", "pin": 27, "channels": {"door": "event"}}]}},
               {"place": "front", "uplink": "mqtt", "config": {"deviceId": "front-door", "sensors": [
                 {"chip": "reed", "pin": 22, "channels": {"door": "event"}}]}}],
             "faults": [{"type": "sensor", "at": "1h", "for": "20m", "devices": ["hall-climate"], "chip": "bme280", "mode": "noisy"},
                        {"type": "clock-skew", "at": "90m", "devices": ["ivy"], "skew": "-90s"}]}
            """;

    @TempDir
    Path dir;

    @Test
    void theSameSeedGivesTheSameReadings() throws Exception {
        List<String> a = run(5, dir.resolve("a"));
        List<String> b = run(5, dir.resolve("b"));
        assertTrue(a.size() > 250, "2 simulated hours of readings: " + a.size());
        assertTrue(a.stream().anyMatch(r -> r.contains("/door/")), "door events");
        assertTrue(a.stream().anyMatch(r -> r.contains("/motion/")), "motion events");
        assertEquals("", firstDifference(a, b), "same seed, same readings");
    }

    /** Every reading as "device/channel/time/value", sorted (boot ids are random by design). */
    private static List<String> run(long seed, Path data) throws Exception {
        Plan plan = Scenarios.loader().parse(SCENARIO.formatted(seed).getBytes(StandardCharsets.UTF_8), "r.json", List.of());
        // no gateway: the devices keep their readings in their outboxes, which is all this test needs
        int coap;
        int mqtt;
        try (DatagramSocket u = new DatagramSocket(0); ServerSocket t = new ServerSocket(0)) {
            coap = u.getLocalPort();
            mqtt = t.getLocalPort();
        }
        var nowhere = new Simulation.GatewayHandle() {
            @Override public String host() { return "127.0.0.1"; }
            @Override public int coapPort() { return coap; }
            @Override public int mqttPort() { return mqtt; }
        };
        Simulation sim = new Simulation(plan, nowhere, new Simulation.Options(data, true, true, null));
        try {
            sim.start();
            sim.awaitEnd();
        } finally {
            sim.close();
        }
        long end = plan.startMillis() + plan.durationMillis();
        return sim.readings().all().stream()
                .filter(r -> r.reading().timeMillis() <= end - 120_000) // the same window in every run
                .map(RepeatabilityTest::line).sorted().toList();
    }

    /** "" when equal, else the first reading that differs (a whole list is too long to read). */
    private static String firstDifference(List<String> a, List<String> b) {
        java.util.Set<String> onlyA = new java.util.TreeSet<>(a);
        onlyA.removeAll(b);
        java.util.Set<String> onlyB = new java.util.TreeSet<>(b);
        onlyB.removeAll(a);
        if (onlyA.isEmpty() && onlyB.isEmpty() && a.size() == b.size()) return "";
        return a.size() + " vs " + b.size() + " readings; only in the first run: "
                + onlyA.stream().limit(5).toList() + "; only in the second: " + onlyB.stream().limit(5).toList();
    }

    private static String line(TakenReading r) {
        return r.deviceId() + "/" + r.reading().channel() + "/" + r.reading().timeMillis() + "/" + r.reading().value();
    }
}
