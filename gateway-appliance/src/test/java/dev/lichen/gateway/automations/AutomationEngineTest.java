package dev.lichen.gateway.automations;

import static dev.lichen.gateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.ingest.Protocol;
import dev.lichen.gateway.store.StoredCommand;
import dev.lichen.gateway.testing.ActingDevice;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Automations on the real gateway, timed by a clock that runs 60 times faster than the wall clock
 * (a simulated home's: five minutes pass in five seconds), switching the output of a real
 * appliance on a simulated board. Readings of the sensors come in through the pipeline as any
 * pack does.
 */
class AutomationEngineTest {
    /** Sixty simulated seconds a second, from a chosen instant. */
    static final class FastClock implements Clock {
        static final int SPEED = 60;
        final long startMillis;
        final long startNanos = System.nanoTime();

        FastClock(Instant start) {
            this.startMillis = start.toEpochMilli();
        }

        @Override public long epochMillis() { return startMillis + (System.nanoTime() - startNanos) * SPEED / 1_000_000; }

        @Override public long monotonicNanos() { return (System.nanoTime() - startNanos) * SPEED; }

        @Override public void sleep(Duration d) throws InterruptedException { Thread.sleep(Math.max(1, d.toMillis() / SPEED)); }
    }

    @TempDir
    Path dir;
    Gateway gw;
    ActingDevice light;
    final AtomicLong seq = new AtomicLong();
    FastClock clock;

    Gateway start(GatewayConfig config, FastClock c) throws Exception {
        clock = c;
        gw = Gateway.start(config, List.of(), c);
        return gw;
    }

    @AfterEach
    void stop() {
        if (light != null) light.close();
        if (gw != null) gw.close();
    }

    /** Long enough for what a loaded machine takes; the simulated minutes are what the assertions bound. */
    static final Duration WITHIN = Duration.ofSeconds(60);

    /** A reading of a sensor device (adopted), through the pipeline like any pack. */
    void reading(String device, String channel, double v) throws Exception {
        var r = gw.pipeline().submit(Protocol.COAP, new Batch(device, "boot", seq.getAndIncrement(),
                List.of(new Reading(channel, null, new Value.Number(v), clock.epochMillis()))), null).get();
        assertTrue(r instanceof dev.lichen.gateway.ingest.IngestOutcome.Accepted, r.toString());
    }

    /** The light device, adopted with its key; and the sensor device adopted too. */
    void house() throws Exception {
        light = new ActingDevice(dir, "hall-light", "mqtt", "[{\"name\": \"light\", \"kind\": \"switch\", \"pin\": 17}]").start(gw);
        until(WITHIN, () -> gw.store().device("hall-light").isPresent() && gw.deviceIdentities().key("hall-light").isPresent(), "the light is heard");
        gw.deviceIdentities().pin("hall-light", light.fingerprint(), System.currentTimeMillis());
        gw.store().adopt("hall-light", "Hall light", "Hall");
        until(WITHIN, () -> gw.commands().outputs("hall-light").size() == 1, "the light announced its output");
        gw.pipeline().submit(Protocol.COAP, new Batch("hall-motion", "boot", seq.getAndIncrement(),
                List.of(new Reading("motion", null, new Value.Number(0), clock.epochMillis()))), null).get();
        gw.store().adopt("hall-motion", "Hall motion", "Hall");
    }

    static final String MOTION_LIGHT = """
            {"name": "Hall light on motion",
             "trigger": {"type": "reading", "device": "hall-motion", "channel": "motion", "op": "equals", "value": 1},
             "actions": [{"type": "set", "device": "hall-light", "output": "light", "on": true, "forMinutes": 5}]}
            """;

    @Test
    void motionTurnsTheLightOnAndItGoesOffFiveMinutesAfterTheLastMotion() throws Exception {
        start(GatewayConfig.forTest(dir.resolve("gw")), new FastClock(Instant.now()));
        house();
        Automation a = gw.automations().create(AutomationJson.parse(MOTION_LIGHT));
        reading("hall-motion", "motion", 1);
        until(WITHIN, () -> light.board.level(17), "the light goes on");
        long onAt = clock.epochMillis();
        var run = gw.automations().get(a.id()).orElseThrow();
        assertTrue(run.lastRun() > 0 && run.lastReason().contains("Hall motion's motion is 1"), run.lastReason());
        // more motion 2 simulated minutes later: the light stays on 5 minutes from then
        reading("hall-motion", "motion", 0);
        Thread.sleep(2000);
        reading("hall-motion", "motion", 1);
        long lastMotion = clock.epochMillis();
        until(WITHIN, () -> clock.epochMillis() > onAt + Duration.ofMinutes(5).plusSeconds(30).toMillis(), "5.5 simulated minutes pass");
        assertTrue(light.board.level(17), "still on: the second motion started the 5 minutes afresh");
        until(WITHIN, () -> !light.board.level(17), "the light goes off");
        long offAt = clock.epochMillis();
        long after = offAt - lastMotion;
        assertTrue(after >= Duration.ofMinutes(5).toMillis() && after < Duration.ofMinutes(7).toMillis(),
                "off " + after / 1000 + " simulated s after the last motion");
        until(WITHIN, () -> gw.store().commands("hall-light", 10).stream().allMatch(c -> c.state() == StoredCommand.CommandState.DONE),
                "every command is acknowledged");
        var cmds = gw.store().commands("hall-light", 10);
        assertEquals(List.of("automation:" + a.id()), cmds.stream().map(StoredCommand::origin).distinct().toList());
        assertEquals(List.of(0.0, 1.0, 1.0), cmds.stream().map(StoredCommand::value).toList(), "on, on again, off");
        assertEquals(3, gw.store().automationRuns(a.id(), 10).size(), "two motions and the one turn-off: " + gw.store().automationRuns(a.id(), 10));
    }

    @Test
    void aPendingTurnOffSurvivesARestartOfTheGateway() throws Exception {
        GatewayConfig config = GatewayConfig.forTest(dir.resolve("gw"));
        Instant t0 = Instant.now();
        start(config, new FastClock(t0));
        house();
        // 30 simulated minutes: half a minute of the test's time, longer than a loaded machine needs to get here
        gw.automations().create(AutomationJson.parse(MOTION_LIGHT.replace("\"forMinutes\": 5", "\"forMinutes\": 30")));
        reading("hall-motion", "motion", 1);
        until(WITHIN, () -> light.board.level(17), "the light goes on");
        assertEquals(1, gw.store().automationTimers().size(), "the turn-off is kept");
        long due = gw.store().automationTimers().getFirst().dueMillis();
        light.stop();
        gw.close();
        // a minute of simulated time later, the same clock goes on
        start(config, new FastClock(Instant.ofEpochMilli(clock.epochMillis())));
        light.start(gw);
        until(WITHIN, () -> clock.epochMillis() > due, "the turn-off falls due after the restart");
        // the restarted device comes back with its light in its safe state (off): wait for the turn-off command itself
        until(WITHIN, () -> gw.store().commands("hall-light", 10).stream().anyMatch(c -> c.value() == 0 && c.state() == StoredCommand.CommandState.DONE),
                "the turn-off command kept across the restart is carried out");
        assertTrue(gw.store().automationTimers().isEmpty());
        assertTrue(clock.epochMillis() >= due, "not before it was due");
    }

    @Test
    void aTimerWhoseRunWasRecordedBeforeACrashDoesNotActAgain() throws Exception {
        GatewayConfig config = GatewayConfig.forTest(dir.resolve("gw"));
        start(config, new FastClock(Instant.now()));
        house();
        Automation a = gw.automations().create(AutomationJson.parse(MOTION_LIGHT));
        gw.close();
        // what a crash leaves when it came after the turn-off was recorded and before its timer was deleted
        try (var store = dev.lichen.gateway.store.Store.open(dir.resolve("gw"), null)) {
            var t = store.putAutomationTimer(a.id(), "revert", "hall-light/light", 0, "{\"on\":false,\"after\":\"5 min\"}");
            assertTrue(store.recordAutomationRun(a.id(), "v:" + t.id(), "set hall-light/light back", 1));
        }
        start(config, new FastClock(Instant.now()));
        until(WITHIN, () -> gw.store().automationTimers().isEmpty(), "the timer is done with");
        Thread.sleep(300);
        assertTrue(gw.store().commands("hall-light", 10).isEmpty(), "no second turn-off was sent");
    }

    @Test
    void aHumidityThatStaysHighForFiveMinutesStartsTheFanButABriefPeakDoesNot() throws Exception {
        start(GatewayConfig.forTest(dir.resolve("gw")), new FastClock(Instant.now()));
        light = new ActingDevice(dir, "bath-fan", "coaps", "[{\"name\": \"fan\", \"kind\": \"dimmer\", \"pin\": 18}]").start(gw);
        until(WITHIN, () -> gw.store().device("bath-fan").isPresent() && gw.deviceIdentities().key("bath-fan").isPresent(), "the fan is heard");
        gw.deviceIdentities().pin("bath-fan", light.fingerprint(), System.currentTimeMillis());
        gw.store().adopt("bath-fan", "Fan", "Bathroom");
        until(WITHIN, () -> gw.commands().outputs("bath-fan").size() == 1, "the fan announced its output");
        reading("bath", "humidity", 50);
        gw.store().adopt("bath", "Bathroom climate", "Bathroom");
        gw.automations().create(AutomationJson.parse("""
                {"name": "Fan when humid",
                 "trigger": {"type": "reading", "device": "bath", "channel": "humidity", "op": "above", "value": 70, "forMinutes": 5},
                 "actions": [{"type": "set", "device": "bath-fan", "output": "fan", "level": 80}]}
                """));
        reading("bath", "humidity", 85); // a shower's peak that passes in 2 minutes
        Thread.sleep(2000);
        reading("bath", "humidity", 60);
        Thread.sleep(4500);
        assertEquals(0.0, light.board.duty(18), "a brief peak does not start the fan");
        reading("bath", "humidity", 80);
        long since = clock.epochMillis();
        until(WITHIN, () -> light.board.duty(18) == 80.0, "the fan starts once the humidity held 5 minutes");
        assertTrue(clock.epochMillis() - since >= Duration.ofMinutes(5).toMillis(), "not before the 5 minutes");
    }

    @Test
    void aTimeOfDayAndAnOfflineDeviceRunTheirAutomationsAndConditionsAreHeld() throws Exception {
        // the house in Berlin at 23:30 local time on 7 December 2026: dark
        Instant lateEvening = LocalDateTime.of(2026, 12, 7, 22, 30).toInstant(ZoneOffset.UTC);
        start(GatewayConfig.forTest(dir.resolve("gw")).withLocation(new GatewayConfig.Location(52.52, 13.405, "Europe/Berlin")),
                new FastClock(lateEvening));
        house();
        // three simulated minutes from now (the devices took some to connect), in the house's time
        String at = Instant.ofEpochMilli(clock.epochMillis()).atZone(java.time.ZoneId.of("Europe/Berlin")).toLocalTime()
                .plusMinutes(3).truncatedTo(java.time.temporal.ChronoUnit.MINUTES).toString();
        Automation midnight = gw.automations().create(AutomationJson.parse("""
                {"name": "Light at night if dark",
                 "trigger": {"type": "time", "at": "%s"},""".formatted(at) + """
                 "conditions": [{"type": "time", "from": {"sun": "sunset"}, "to": {"sun": "sunrise"}}],
                 "actions": [{"type": "set", "device": "hall-light", "output": "light", "on": true}]}
                """));
        until(WITHIN, () -> light.board.level(17), "at " + at + " the light goes on");
        assertTrue(gw.automations().get(midnight.id()).orElseThrow().lastReason().contains(at), gw.automations().get(midnight.id()).toString());
        gw.automations().create(AutomationJson.parse("""
                {"name": "Tell when the light box is gone",
                 "trigger": {"type": "offline", "device": "hall-light"},
                 "actions": [{"type": "alert", "message": "the hall light is offline"}]}
                """));
        light.stop(); // its MQTT will says offline
        until(WITHIN, () -> gw.store().alerts(true).stream().anyMatch(al -> al.message() != null && al.message().contains("the hall light is offline")),
                "an alert is raised");
        // a sun trigger needs the location: a gateway without one refuses it by name
        gw.close();
        start(GatewayConfig.forTest(dir.resolve("gw2")), new FastClock(Instant.now()));
        var e = assertThrows(AutomationJson.InvalidAutomation.class, () -> gw.automations().create(AutomationJson.parse("""
                {"name": "At sunset", "trigger": {"type": "time", "sun": "sunset"}, "actions": [{"type": "alert", "message": "dusk"}]}
                """)));
        assertTrue(e.getMessage().contains("--latitude"), e.getMessage());
        assertFalse(gw.automations().list().stream().anyMatch(x -> x.name().equals("At sunset")));
    }
}
