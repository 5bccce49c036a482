package dev.lichen.sim.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.automations.AutomationJson;
import dev.lichen.gateway.store.StoredReading;
import dev.lichen.sim.board.Scenarios;
import dev.lichen.sim.board.Simulation;
import dev.lichen.sim.scenario.Plan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop, tested by its physical effect: the real gateway (its automations on the
 * simulated home's clock) and the real sensor appliance on a simulated board in a dark hall. Someone
 * walks in; the automation turns the hall light on; the device's own light sensor sees the room
 * get brighter; nobody moves for five simulated minutes; the light goes off and the room is dark
 * again. Once over MQTT and once over CoAP, each with its own key.
 */
class AutomationLoopTest {
    /** 23:00 in the hall, no daylight, nobody moving unless the test says so; 30 simulated seconds a second. */
    static String scenario(String uplink) {
        return """
                {"seed": 7, "speed": 30, "start": "2026-12-07T23:00:00Z", "duration": "2h",
                 "outdoor": {"sunrise": "07:45", "sunset": "16:30"},
                 "rooms": [{"name": "hall", "windowFactor": 0.05, "motion": {"perHour": 0, "nightPerHour": 0, "hold": "30s"}}],
                 "devices": [{"place": "hall", "uplink": "%s",
                   "outputs": [{"name": "hall_light", "kind": "switch", "pin": 22, "activeLow": true, "drives": {"kind": "lamp", "lux": 250}}],
                   "config": {"deviceId": "hall-%s", "sensors": [
                     {"chip": "bh1750", "bus": 1, "address": "0x23", "channels": {"illuminance": "5s"}},
                     {"chip": "pir", "pin": 17, "channels": {"motion": "event"}}]}}]}
                """.formatted(uplink, uplink);
    }

    @TempDir
    Path dir;

    static void await(Duration within, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + within.toSeconds() + " s: " + what);
            Thread.sleep(50);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqtt", "coap"})
    void motionInADarkHallLightsItAndFiveQuietMinutesDarkenItAgain(String uplink) throws Exception {
        Plan plan = Scenarios.loader().parse(scenario(uplink).getBytes(StandardCharsets.UTF_8), "hall.json", List.of());
        String id = "hall-" + uplink;
        var clock = Simulation.clockFor(plan);
        try (EmbeddedGateway gateway = new EmbeddedGateway(GatewayConfig.forTest(dir.resolve("gateway")), clock)) {
            var gw = gateway.gateway();
            DemoCommand.adopt(gw, plan, dir.resolve("devices"));
            var rule = gw.automations().create(AutomationJson.parse("""
                    {"name": "Hall light on motion in the dark",
                     "trigger": {"type": "reading", "device": "%1$s", "channel": "motion", "op": "equals", "value": 1},
                     "conditions": [{"type": "value", "device": "%1$s", "channel": "illuminance", "op": "below", "value": 300}],
                     "actions": [{"type": "set", "device": "%1$s", "output": "hall_light", "on": true, "forMinutes": 5}]}
                    """.formatted(id)));
            Simulation sim = new Simulation(plan, gateway, new Simulation.Options(dir.resolve("devices"), false, true, System.out), clock);
            try {
                sim.start();
                await(Duration.ofSeconds(30), () -> lux(gw, id).size() >= 2 && gw.commands().outputs(id).size() == 1,
                        "the device reports the dark hall and its light");
                assertTrue(last(lux(gw, id)) < 20, "the hall is dark: " + last(lux(gw, id)) + " lx");

                sim.motion("hall", Duration.ofSeconds(30));
                long walkedIn = clock.epochMillis();
                await(Duration.ofSeconds(30), () -> gw.store().readings(id, "hall_light", 0, Long.MAX_VALUE, 100).stream()
                        .anyMatch(r -> r.value() == 1.0), "the automation turns the light on and the device confirms it");
                await(Duration.ofSeconds(30), () -> last(lux(gw, id)) > 200, "the device's own light sensor sees the lamp");
                assertTrue(gw.automations().get(rule.id()).orElseThrow().lastReason().contains("motion is 1"));

                await(Duration.ofSeconds(60), () -> gw.store().readings(id, "hall_light", walkedIn, Long.MAX_VALUE, 100).stream()
                        .anyMatch(r -> r.value() == 0.0), "the light goes off again");
                long off = gw.store().readings(id, "hall_light", walkedIn, Long.MAX_VALUE, 100).stream()
                        .filter(r -> r.value() == 0.0).findFirst().orElseThrow().timeMillis();
                long quiet = off - (walkedIn + 30_000);
                assertTrue(quiet >= Duration.ofMinutes(4).plusSeconds(30).toMillis() && quiet <= Duration.ofMinutes(7).toMillis(),
                        "off " + quiet / 1000 + " simulated s after the motion ended (5 minutes after the last motion reading)");
                await(Duration.ofSeconds(30), () -> last(lux(gw, id)) < 20, "the hall is dark again");
                assertEquals(2, gw.store().automationRuns(rule.id(), 10).size(), "on once, back off once");
                // the commands it sent were carried out and confirmed
                assertTrue(gw.store().commands(id, 10).stream().allMatch(c -> c.state().name().equals("DONE")), gw.store().commands(id, 10).toString());
            } finally {
                sim.close();
            }
        }
    }

    static List<StoredReading> lux(dev.lichen.gateway.Gateway gw, String id) {
        return gw.store().readings(id, "illuminance", 0, Long.MAX_VALUE, 10_000);
    }

    static double last(List<StoredReading> rs) {
        return rs.isEmpty() ? Double.NaN : rs.getLast().value();
    }
}
