package dev.lichen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.sim.board.Scenarios;
import dev.lichen.sim.scenario.Drive;
import dev.lichen.sim.scenario.Plan;
import dev.lichen.sim.scenario.ScenarioException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A scenario device's outputs: what each drives is validated with named problems, and the real config check runs on the outputs. */
class ScenarioOutputsTest {
    private static final String VALID = """
            {"seed": 7, "start": "2026-11-26T06:00:00Z",
             "rooms": [{"name": "hall"}, {"name": "bathroom", "baseHumidity": 70}],
             "plants": [{"name": "basil", "room": "hall"}],
             "doors": [{"name": "front", "room": "hall"}],
             "devices": [
               {"place": "hall", "config": {"deviceId": "hall", "sensors": [
                 {"chip": "pir", "pin": 17, "channels": {"motion": "event"}}]},
                "outputs": [{"name": "hall_light", "kind": "switch", "pin": 22, "activeLow": true,
                             "drives": {"kind": "lamp", "lux": 300}},
                            {"name": "buzzer", "kind": "switch", "pin": 23}]},
               {"place": "bathroom", "config": {"deviceId": "bath"},
                "outputs": [{"name": "fan", "kind": "dimmer", "pin": 18, "ramp": "500ms",
                             "drives": {"kind": "fan", "rhPerMinute": 1.5}}]},
               {"place": "basil", "config": {"deviceId": "pump"},
                "outputs": [{"name": "pump", "kind": "switch", "pin": 22, "drives": {"kind": "pump", "percentPerMinute": 4}}]},
               {"place": "front", "config": {"deviceId": "porch"},
                "outputs": [{"name": "porch_light", "kind": "switch", "pin": 22, "drives": {"kind": "lamp", "lux": 80}}]}]}
            """;

    private static Plan parse(String json) throws ScenarioException {
        return Scenarios.loader().parse(json.getBytes(StandardCharsets.UTF_8), "test.json", List.of());
    }

    private static String problem(String json) {
        return assertThrows(ScenarioException.class, () -> parse(json)).getMessage();
    }

    @Test
    void outputsResolveWhatTheyDriveAndGoIntoTheDeviceConfig() throws Exception {
        Plan p = parse(VALID);
        var hall = p.device("hall");
        assertEquals(Optional.of(new Drive.Lamp("hall", 300)), hall.outputs().get(0).drive(), "a lamp in the device's room");
        assertEquals(Optional.empty(), hall.outputs().get(1).drive(), "an output may drive nothing the simulator models");
        assertEquals(Optional.of(new Drive.Fan("bathroom", 1.5)), p.device("bath").outputs().getFirst().drive());
        assertEquals(Optional.of(new Drive.Pump("basil", 4)), p.device("pump").outputs().getFirst().drive(),
                "a pump for the plant the device sits at");
        assertEquals(Optional.of(new Drive.Lamp("hall", 80)), p.device("porch").outputs().getFirst().drive(),
                "a door's room");
        var config = hall.deviceConfig();
        assertEquals(2, config.get("outputs").size());
        assertEquals("hall_light", config.get("outputs").get(0).get("name").asText());
        assertTrue(!config.get("outputs").get(0).has("drives"), "the device config carries no drives: " + config);
        assertTrue(!hall.config().has("outputs"), "the scenario's config stays as written");
    }

    @Test
    void anUnknownKindIsNamedWithTheKnownOnes() {
        String msg = problem(VALID.replace("\"kind\": \"lamp\", \"lux\": 300", "\"kind\": \"heater\", \"lux\": 300"));
        assertTrue(msg.contains("devices[0].outputs[0].drives.kind: unknown kind \"heater\" (one of: fan, lamp, pump)"), msg);
        String none = problem(VALID.replace("\"kind\": \"lamp\", \"lux\": 300", "\"lux\": 300"));
        assertTrue(none.contains("devices[0].outputs[0].drives.kind: is required"), none);
    }

    @Test
    void aLampOrFanInARoomThatDoesNotExistIsNamed() {
        String msg = problem(VALID.replace("\"kind\": \"lamp\", \"lux\": 300", "\"kind\": \"lamp\", \"room\": \"attic\", \"lux\": 300")
                .replace("\"kind\": \"fan\",", "\"kind\": \"fan\", \"room\": \"sauna\","));
        assertTrue(msg.contains("devices[0].outputs[0].drives.room: no room named \"attic\" (rooms: hall, bathroom)"), msg);
        assertTrue(msg.contains("devices[1].outputs[0].drives.room: no room named \"sauna\""), msg);
    }

    @Test
    void aPumpForAPlantThatDoesNotExistOrNoneIsNamed() {
        String msg = problem(VALID.replace("\"kind\": \"pump\",", "\"kind\": \"pump\", \"plant\": \"cactus\","));
        assertTrue(msg.contains("devices[2].outputs[0].drives.plant: no plant named \"cactus\" (plants: basil)"), msg);
        String elsewhere = problem(VALID.replace("{\"place\": \"basil\", \"config\": {\"deviceId\": \"pump\"}",
                "{\"place\": \"hall\", \"config\": {\"deviceId\": \"pump\"}"));
        assertTrue(elsewhere.contains("devices[2].outputs[0].drives.plant: is required (the plant it waters; plants: basil)"),
                elsewhere);
    }

    @Test
    void missingAndOutOfRangeNumbersAreNamed() {
        String msg = problem(VALID.replace("\"kind\": \"lamp\", \"lux\": 300", "\"kind\": \"lamp\"")
                .replace("\"rhPerMinute\": 1.5", "\"rhPerMinute\": -1")
                .replace("\"percentPerMinute\": 4", "\"percentPerMinute\": 400"));
        assertTrue(msg.contains("3 problems"), msg);
        assertTrue(msg.contains("devices[0].outputs[0].drives.lux: is required (the lux it adds to the room at full level"), msg);
        assertTrue(msg.contains("devices[1].outputs[0].drives.rhPerMinute: must be at least 0.01 (got -1.0)"), msg);
        assertTrue(msg.contains("devices[2].outputs[0].drives.percentPerMinute: must be at most 100.0 (got 400.0)"), msg);
    }

    @Test
    void fieldsOfAnotherKindUnknownFieldsAndOutputsInTheConfigAreNamed() {
        String other = problem(VALID.replace("\"kind\": \"lamp\", \"lux\": 300", "\"kind\": \"lamp\", \"lux\": 300, \"plant\": \"basil\""));
        assertTrue(other.contains("devices[0].outputs[0].drives.plant: does not apply to a lamp (a lamp takes room and lux)"), other);
        String unknown = problem(VALID.replace("\"lux\": 300", "\"lux\": 300, \"watts\": 9"));
        assertTrue(unknown.contains("devices[0].outputs[0].drives.watts: unknown field \"watts\""), unknown);
        String text = problem(VALID.replace("{\"kind\": \"lamp\", \"lux\": 300}", "\"lamp\""));
        assertTrue(text.contains("devices[0].outputs[0].drives: expected an object: {\"kind\": \"lamp\", \"lux\": 300}"), text);
        String inConfig = problem(VALID.replace("{\"deviceId\": \"bath\"}", "{\"deviceId\": \"bath\", \"outputs\": []}"));
        assertTrue(inConfig.contains("devices[1].config.outputs: must be left out: declare the outputs beside the config"), inConfig);
    }

    @Test
    void theAppliancesOwnOutputChecksAreNamedWhereTheOutputIsWritten() {
        // pin 17 is the PIR's; the fan's pin 22 has no hardware PWM
        String msg = problem(VALID.replace("\"pin\": 22, \"activeLow\": true", "\"pin\": 17, \"activeLow\": true")
                .replace("\"pin\": 18, \"ramp\"", "\"pin\": 22, \"ramp\""));
        assertTrue(msg.contains("devices[0].outputs[0].pin: "), msg);
        assertTrue(msg.contains("devices[1].outputs[0].pin: "), msg);
    }
}
