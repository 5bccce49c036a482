package dev.lichen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.sim.physics.Home;
import dev.lichen.sim.scenario.Plan;
import dev.lichen.sim.scenario.ScenarioLoader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The devices' outputs act on the home: a lamp lights its room at once, a fan dries its room's air
 * over minutes, a pump wets its plant's soil over minutes. Each is compared with the same home
 * (same seed) where the output stays off, so the weather's own changes cancel out.
 */
class HomeOutputsTest {
    static final long MIN = 60_000L;
    static final long H = 60 * MIN;
    static final long T0 = Instant.parse("2026-11-26T00:00:00Z").toEpochMilli();

    static Plan plan() throws Exception {
        String json = """
                {"seed": 11, "start": "2026-11-26T00:00:00Z",
                 "outdoor": {"meanC": 5, "swingC": 3, "sunrise": "08:00", "sunset": "16:00", "daylightLux": 10000},
                 "rooms": [{"name": "hall", "windowFactor": 0.05},
                           {"name": "bathroom", "initialC": 21, "idleSetpointC": 21, "baseHumidity": 75}],
                 "plants": [{"name": "fern", "room": "hall", "initialPercent": 30, "dryPerDay": 8}],
                 "devices": [
                   {"place": "hall", "config": {"deviceId": "hall-light"},
                    "outputs": [{"name": "hall_light", "kind": "dimmer", "pin": 18, "drives": {"kind": "lamp", "lux": 300}}]},
                   {"place": "bathroom", "config": {"deviceId": "bath-fan"},
                    "outputs": [{"name": "fan", "kind": "dimmer", "pin": 18, "drives": {"kind": "fan", "rhPerMinute": 1.5}}]},
                   {"place": "hall", "config": {"deviceId": "fern-pump"},
                    "outputs": [{"name": "pump", "kind": "switch", "pin": 22,
                                 "drives": {"kind": "pump", "plant": "fern", "percentPerMinute": 5}}]}]}
                """;
        return new ScenarioLoader(Set.of(), c -> List.of()).parse(json.getBytes(StandardCharsets.UTF_8), "t", List.of());
    }

    @Test
    void aLampAddsItsLuxScaledByItsLevelAtOnce() throws Exception {
        Home dark = new Home(plan());
        Home lit = new Home(plan());
        long noon = T0 + 12 * H;
        assertTrue(dark.at("hall", noon).lux() > 100, "daylight through the window: " + dark.at("hall", noon).lux());
        lit.actuate("hall-light", "hall_light", noon, 1.0);
        assertEquals(300, lit.at("hall", noon).lux() - dark.at("hall", noon).lux(), 0.01, "at 100 %, its 300 lx at once");
        assertEquals(dark.at("hall", noon - 1), lit.at("hall", noon - 1), "not before it was switched on");
        lit.actuate("hall-light", "hall_light", noon + MIN, 0.5);
        assertEquals(150, lit.at("hall", noon + MIN).lux() - dark.at("hall", noon + MIN).lux(), 0.01, "at 50 %, half");
        lit.actuate("hall-light", "hall_light", noon + 2 * MIN, 0);
        assertEquals(dark.at("hall", noon + 2 * MIN).lux(), lit.at("hall", noon + 2 * MIN).lux(), 1e-9, "off: as before");
        // at night the reading is the lamp's alone
        lit.actuate("hall-light", "hall_light", T0 + 2 * H, 1.0);
        assertEquals(300, lit.at("hall", T0 + 2 * H).lux(), 0.01);
    }

    @Test
    void aFanLowersTheHumidityOverMinutesAndTheRoomRecoversWhenItStops() throws Exception {
        Home still = new Home(plan());
        Home fan = new Home(plan());
        long on = T0 + 10 * H;
        double before = still.at("bathroom", on).humidityPercent();
        assertTrue(before > 65, "a humid bathroom: " + before);
        fan.actuate("bath-fan", "fan", on, 1.0);
        assertEquals(before, fan.at("bathroom", on).humidityPercent(), 1e-9, "air is not dried in no time");
        double drop10 = still.at("bathroom", on + 10 * MIN).humidityPercent() - fan.at("bathroom", on + 10 * MIN).humidityPercent();
        // 1.5 %RH a minute, less what the room's own moisture brings back (time constant 1 h)
        assertEquals(1.5 * 60 * (1 - Math.exp(-10 / 60.0)), drop10, 0.3, "10 minutes at full speed");

        Home half = new Home(plan());
        half.actuate("bath-fan", "fan", on, 0.5);
        double halfDrop = still.at("bathroom", on + 10 * MIN).humidityPercent() - half.at("bathroom", on + 10 * MIN).humidityPercent();
        assertEquals(drop10 / 2, halfDrop, 0.3, "at 50 % half as fast");

        // left on, the air gets as dry as the cold outdoor air warmed to the room (5 C, 70 %RH -> about 25 % at 21 C)
        double longRun = fan.at("bathroom", on + 3 * H).humidityPercent();
        assertTrue(longRun > 20 && longRun < 32, "no drier than the outdoor air: " + longRun);

        fan.actuate("bath-fan", "fan", on + 3 * H, 0);
        double gap = still.at("bathroom", on + 8 * H).humidityPercent() - fan.at("bathroom", on + 8 * H).humidityPercent();
        assertTrue(gap >= 0 && gap < 1, "five hours after the fan stopped the room is humid again: " + gap);
    }

    @Test
    void aPumpRaisesTheSoilMoistureOverMinutesAndTheSoilDriesAfter() throws Exception {
        Home dry = new Home(plan());
        Home watered = new Home(plan());
        long on = T0 + 3 * H;
        // asked about the future first: what was stepped ahead must be stepped again once the pump runs
        double laterUnwatered = watered.at("fern", on + 24 * H).soilPercent();
        watered.actuate("fern-pump", "pump", on, 1.0);
        watered.actuate("fern-pump", "pump", on + 5 * MIN, 0);
        double soilBefore = dry.at("fern", on).soilPercent();
        assertEquals(soilBefore, watered.at("fern", on).soilPercent(), 1e-9);
        double gain = watered.at("fern", on + 5 * MIN).soilPercent() - dry.at("fern", on + 5 * MIN).soilPercent();
        assertEquals(25, gain, 0.01, "5 minutes at 5 % a minute");
        double mid = watered.at("fern", on + 2 * MIN + MIN / 2).soilPercent() - dry.at("fern", on + 2 * MIN + MIN / 2).soilPercent();
        assertEquals(12.5, mid, 0.01, "rising while it runs");
        double dayAfter = watered.at("fern", on + 24 * H).soilPercent();
        // an unheated hall at about 5-10 C: the soil dries slowly, about 2 % a day
        assertTrue(dayAfter < watered.at("fern", on + 5 * MIN).soilPercent() - 1, "dries as before once off: " + dayAfter);
        assertEquals(laterUnwatered + 25, dayAfter, 0.01, "the day after, still the 25 % it was given wetter");

        watered.actuate("fern-pump", "pump", on + 30 * H, 1.0);
        assertEquals(100, watered.at("fern", on + 32 * H).soilPercent(), 1e-9, "soil soaked through reads 100 % at most");
    }

    @Test
    void theDemoHomesHallLightBathroomFanAndBasilPumpActOnIt() throws Exception {
        Plan demo;
        try (var in = dev.lichen.sim.demo.DemoCommand.class.getResourceAsStream("home.json")) {
            demo = dev.lichen.sim.board.Scenarios.loader().parse(in.readAllBytes(), "demo", List.of());
        }
        assertEquals(13, demo.devices().size());
        Home off = new Home(demo);
        Home on = new Home(demo);
        long t = demo.startMillis();
        on.actuate("living-presence", "hall_light", t, 1);
        on.actuate("bathroom-climate", "bathroom_fan", t, 1);
        on.actuate("plant-basil", "basil_pump", t, 1);
        // the demo's home runs 60x the clock: 10 s of it are 10 minutes of the home's
        long later = t + 10_000;
        assertEquals(250, on.at("living-room", later).lux() - off.at("living-room", later).lux(), 0.01, "the hall light");
        assertTrue(off.at("bathroom", later).humidityPercent() - on.at("bathroom", later).humidityPercent() > 8,
                "the fan dries the bathroom");
        assertTrue(on.at("basil", later).soilPercent() - off.at("basil", later).soilPercent() > 25, "the pump waters the basil");
    }

    @Test
    void anOutputThatDrivesNothingOrALevelOutOfRangeIsRefused() throws Exception {
        Home home = new Home(plan());
        var e = assertThrows(IllegalArgumentException.class, () -> home.actuate("hall-light", "heater", T0, 1));
        assertTrue(e.getMessage().contains("drives nothing"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> home.actuate("hall-light", "hall_light", T0, 100));
    }
}
