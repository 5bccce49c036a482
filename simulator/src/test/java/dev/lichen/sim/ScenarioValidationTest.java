package dev.lichen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.sim.scenario.FaultSpec;
import dev.lichen.sim.scenario.Plan;
import dev.lichen.sim.scenario.ScenarioException;
import dev.lichen.sim.scenario.ScenarioLoader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An invalid scenario names the field and the problem; a valid one resolves its defaults. */
class ScenarioValidationTest {
    private final ScenarioLoader loader = new ScenarioLoader(Set.of("bme280", "pir", "soil-ads1115"), c -> List.of());

    private static final String VALID = """
            {"seed": 7, "speed": 60, "start": "2026-11-26T06:00:00Z",
             "rooms": [{"name": "kitchen", "heating": [{"from": "06:30", "to": "22:00", "setpointC": 21}],
                        "motion": {"perHour": 6}}],
             "plants": [{"name": "fern", "room": "kitchen", "watering": {"every": "3d", "at": "09:00"}}],
             "devices": [{"place": "kitchen", "uplink": "mqtt", "config": {"deviceId": "kitchen-climate",
                 "sensors": [{"chip": "bme280", "bus": 1, "address": "0x76", "channels": {"temperature": "10s"}}]}}],
             "fleets": [{"prefix": "pot", "count": 3, "place": "fern", "config": {
                 "sensors": [{"chip": "soil-ads1115", "bus": 1, "address": "0x48", "input": 0,
                              "channels": {"soil_moisture": "5m"}}]}}],
             "faults": [{"type": "partition", "at": "10m", "for": "30m", "fraction": 0.5},
                        {"type": "reboot", "at": "50m", "devices": ["pot-0002"], "powerLoss": true}]}
            """;

    private Plan parse(String json) throws ScenarioException {
        return loader.parse(json.getBytes(StandardCharsets.UTF_8), "test.json", List.of());
    }

    private String problem(String json) {
        ScenarioException e = assertThrows(ScenarioException.class, () -> parse(json));
        return e.getMessage();
    }

    @Test
    void validScenarioResolvesDefaultsFleetsAndFaults() throws Exception {
        Plan p = parse(VALID);
        assertEquals(7, p.seed());
        assertEquals(60.0, p.speed());
        assertEquals(List.of("kitchen-climate", "pot-0001", "pot-0002", "pot-0003"),
                p.devices().stream().map(d -> d.deviceId()).toList());
        assertEquals("mqtt", p.device("kitchen-climate").uplink());
        assertEquals("coap", p.device("pot-0001").uplink());
        var partition = (FaultSpec.NetworkLoss) p.faults().getFirst();
        assertEquals(600_000, partition.at());
        assertEquals(1_800_000, partition.forMillis());
        assertEquals(2, partition.devices().size(), "half of 4 devices");
        assertEquals(partition, parse(VALID).faults().getFirst(), "the same seed picks the same half");
        assertEquals(new FaultSpec.Reboot(3_000_000, "pot-0002", true), p.faults().get(1));
        assertEquals(19.0, p.home().rooms().getFirst().initialC(), "default initial temperature");
    }

    @Test
    void unknownFieldIsNamedWithItsPath() {
        String msg = problem(VALID.replace("\"motion\": {\"perHour\": 6}", "\"motion\": {\"perHour\": 6, \"perhour\": 2}"));
        assertTrue(msg.contains("rooms[0].motion.perhour: unknown field \"perhour\""), msg);
        assertTrue(msg.contains("known: hold, nightPerHour, perHour"), msg);
    }

    @Test
    void negativeRateIsNamed() {
        String msg = problem(VALID.replace("\"perHour\": 6", "\"perHour\": -2"));
        assertTrue(msg.contains("rooms[0].motion.perHour: must not be negative (got -2.0)"), msg);
    }

    @Test
    void unknownChipIsNamedWithTheKnownOnes() {
        String msg = problem(VALID.replace("\"chip\": \"bme280\"", "\"chip\": \"bme281\""));
        assertTrue(msg.contains("devices[0].config.sensors[0].chip: unknown chip \"bme281\""), msg);
        assertTrue(msg.contains("bme280, pir, soil-ads1115"), msg);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        String msg = problem(VALID.replace("\"perHour\": 6", "\"perHour\": -2")
                .replace("\"room\": \"kitchen\"", "\"room\": \"attic\"")
                .replace("\"every\": \"3d\"", "\"every\": \"3 days\"")
                .replace("\"fraction\": 0.5", "\"fraction\": 1.5"));
        assertTrue(msg.contains("4 problems"), msg);
        assertTrue(msg.contains("plants[0].room: no room named \"attic\" (rooms: kitchen)"), msg);
        assertTrue(msg.contains("plants[0].watering.every: not a duration: \"3 days\""), msg);
        assertTrue(msg.contains("faults[0].fraction: must be at most 1.0 (got 1.5)"), msg);
    }

    @Test
    void wrongTypesMissingFieldsAndBadJsonAreNamed() {
        assertTrue(problem(VALID.replace("\"seed\": 7,", "")).contains("seed: is required"));
        assertTrue(problem(VALID.replace("\"speed\": 60", "\"speed\": \"fast\"")).contains("speed: "));
        assertTrue(problem(VALID.replace("\"seed\": 7,", "\"seed\": 7, \"seed\": 8,")).contains("Duplicate field 'seed'"));
        assertTrue(problem("{\"seed\": 7,").contains("line 1"));
        String gw = problem(VALID.replace("\"deviceId\": \"kitchen-climate\",",
                "\"deviceId\": \"kitchen-climate\", \"gateway\": {},"));
        assertTrue(gw.contains("devices[0].config.gateway: must be left out: the simulator sets it"), gw);
        String fault = problem(VALID.replace("\"type\": \"reboot\"", "\"type\": \"meteor\""));
        assertTrue(fault.contains("faults[1].type: unknown fault \"meteor\""), fault);
    }

    @Test
    void commandLineFaultsAreValidatedAlike() throws Exception {
        var ok = loader.parse(VALID.getBytes(StandardCharsets.UTF_8), "t", List.of(
                ScenarioLoader.faultFromFlag("type=sensor,at=5m,for=10m,devices=kitchen-climate,chip=bme280,mode=stuck")));
        assertEquals(new FaultSpec.SensorFault(300_000, 600_000, "kitchen-climate", "bme280", FaultSpec.SensorMode.STUCK, 10.0),
                ok.faults().getLast());
        ScenarioException e = assertThrows(ScenarioException.class, () -> loader.parse(
                VALID.getBytes(StandardCharsets.UTF_8), "t", List.of(ScenarioLoader.faultFromFlag("type=udp,at=5m,loss=-1"))));
        assertTrue(e.getMessage().contains("--fault[0].loss: must not be negative (got -1.0)"), e.getMessage());
        assertTrue(e.getMessage().contains("--fault[0].for: is required"), e.getMessage());
    }
}
