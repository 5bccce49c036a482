package dev.lichen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.sim.physics.Home;
import dev.lichen.sim.scenario.Plan;
import dev.lichen.sim.scenario.ScenarioLoader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The home behaves as the scenario says: heating, drying soil, spoiling food, daylight, lamps. */
class HomePhysicsTest {
    static final long H = 3_600_000L;
    static final long T0 = Instant.parse("2026-11-26T00:00:00Z").toEpochMilli();

    static Plan plan(long seed) throws Exception {
        String json = """
                {"seed": %d, "start": "2026-11-26T00:00:00Z",
                 "outdoor": {"meanC": 5, "swingC": 3, "sunrise": "08:00", "sunset": "16:00", "daylightLux": 10000},
                 "rooms": [
                   {"name": "warm", "initialC": 16, "heating": [{"from": "06:00", "to": "23:00", "setpointC": 22}],
                    "lamps": [{"from": "18:00", "to": "23:00", "lux": 300}], "windowFactor": 0.05, "motion": {"perHour": 20}},
                   {"name": "cold", "initialC": 16, "windowFactor": 0.05}],
                 "plants": [
                   {"name": "warm-pot", "room": "warm", "initialPercent": 45, "dryPerDay": 10,
                    "watering": {"every": "2d", "at": "09:00", "toPercent": 45}},
                   {"name": "cold-pot", "room": "cold", "initialPercent": 45, "dryPerDay": 10}],
                 "fridges": [{"name": "fridge", "room": "warm", "doorOpensPerHour": 0, "leftOpenPerDay": 3,
                              "leftOpenFor": "20m", "spoilPpbPerHour": 5, "cleanEvery": "3d", "cleanAt": "10:00"}],
                 "doors": [{"name": "front", "opensPerHour": 4, "openFor": "30s"}]}
                """.formatted(seed);
        return new ScenarioLoader(Set.of(), c -> List.of()).parse(json.getBytes(StandardCharsets.UTF_8), "t", List.of());
    }

    @Test
    void roomsFollowTheHeatingAndTheDay() throws Exception {
        Home home = new Home(plan(1));
        double warmNoon = home.at("warm", T0 + 12 * H).temperatureC();
        double coldNoon = home.at("cold", T0 + 12 * H).temperatureC();
        assertEquals(22, warmNoon, 0.7, "heated to its setpoint by noon");
        assertTrue(coldNoon < 15, "an unheated room cools towards outdoors: " + coldNoon);
        assertTrue(home.at("warm", T0 + 29 * H).temperatureC() < warmNoon - 1, "heating off at night");
        double rhWarm = home.at("warm", T0 + 12 * H).humidityPercent();
        double rhCold = home.at("cold", T0 + 12 * H).humidityPercent();
        assertTrue(rhWarm < rhCold, "warmer air reads drier: " + rhWarm + " vs " + rhCold);
    }

    @Test
    void lightFollowsTheSunAndTheLamps() throws Exception {
        Home home = new Home(plan(1));
        assertEquals(0, home.at("cold", T0 + 2 * H).lux(), 0.001);
        assertTrue(home.at("cold", T0 + 12 * H).lux() > 150);
        assertEquals(300, home.at("warm", T0 + 20 * H).lux(), 5, "lamps on in the evening");
        assertEquals(0, home.at("cold", T0 + 20 * H).lux(), 0.001);
    }

    @Test
    void soilDriesFasterWhenWarmAndJumpsWhenWatered() throws Exception {
        Home home = new Home(plan(1));
        double warm = home.at("warm-pot", T0 + 33 * H).soilPercent();
        double cold = home.at("cold-pot", T0 + 33 * H).soilPercent();
        assertTrue(warm < 45 && cold < 45, "both dried");
        assertTrue(warm < cold, "warm dries faster: " + warm + " vs " + cold);
        // watered every 2 days at 09:00 from the first 09:00: at 09:00 on day 3 it is back to 45%
        double before = home.at("warm-pot", T0 + 57 * H - 120_000).soilPercent();
        double after = home.at("warm-pot", T0 + 57 * H + 60_000).soilPercent();
        assertTrue(before < 40, "dry before watering: " + before);
        assertEquals(45, after, 0.2, "watered");
    }

    @Test
    void fridgeWarmsWithItsDoorOpenAndSmellsUntilCleaned() throws Exception {
        Home home = new Home(plan(1));
        double maxT = 0;
        boolean sawOpen = false;
        for (long t = T0; t < T0 + 72 * H; t += 60_000) {
            var e = home.at("fridge", t);
            sawOpen |= e.open();
            maxT = Math.max(maxT, e.temperatureC());
            if (!e.open()) continue;
            // 10 minutes into a 20-minute "left open", the fridge is well above its setpoint
            var later = home.at("fridge", t + 10 * 60_000);
            if (later.open()) assertTrue(later.temperatureC() > 8, "door left open warms: " + later.temperatureC());
        }
        assertTrue(sawOpen, "left open about 3 times a day");
        assertTrue(maxT > 8);
        double voc9 = home.at("fridge", T0 + 9 * H).vocPpb();
        double voc33 = home.at("fridge", T0 + 33 * H).vocPpb();
        double voc11 = home.at("fridge", T0 + 11 * H).vocPpb();
        assertTrue(voc9 > 100, "spoiling food: " + voc9);
        assertTrue(voc11 < voc9 / 2, "cleaned out at 10:00: " + voc11 + " vs " + voc9);
        assertTrue(voc33 > voc11, "climbs again");
    }

    @Test
    void motionAndDoorEventsComeAndGo() throws Exception {
        Home home = new Home(plan(1));
        long t = T0 + 12 * H;
        int edges = 0;
        boolean state = home.at("warm", t).motion();
        while (t < T0 + 14 * H) {
            long next = home.nextEdgeAfter("warm", t);
            assertTrue(next > t);
            t = next;
            assertNotEquals(state, home.at("warm", t).motion(), "an edge changes the state");
            state = !state;
            edges++;
        }
        assertTrue(edges >= 20, "about 20 movements an hour: " + edges);
        assertFalse(home.at("cold", T0 + 12 * H).motion(), "nobody in the cold room");
        long door = home.nextEdgeAfter("front", T0 + 12 * H);
        assertTrue(home.at("front", door).open());
        assertFalse(home.at("front", home.nextEdgeAfter("front", door)).open());
    }

    @Test
    void theSameSeedGivesTheSameHomeWhateverTheOrderOfQuestions() throws Exception {
        Home a = new Home(plan(42));
        Home b = new Home(plan(42));
        Home c = new Home(plan(43));
        // b is asked out of order, a in order
        for (long t = T0 + 48 * H; t > T0; t -= 7 * H) b.at("warm-pot", t);
        boolean differs = false;
        for (long t = T0; t < T0 + 48 * H; t += 37 * 60_000) {
            for (String place : List.of("warm", "warm-pot", "fridge", "front")) {
                assertEquals(a.at(place, t), b.at(place, t));
                differs |= !a.at(place, t).equals(c.at(place, t));
            }
        }
        assertTrue(differs, "another seed gives another home");
    }
}
