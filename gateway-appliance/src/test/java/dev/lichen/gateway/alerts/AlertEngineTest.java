package dev.lichen.gateway.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.live.LiveBus;
import dev.lichen.gateway.live.LiveEvent;
import dev.lichen.gateway.store.Alert;
import dev.lichen.gateway.store.AlertRule;
import dev.lichen.gateway.store.AlertState;
import dev.lichen.gateway.store.Op;
import dev.lichen.gateway.store.Store;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "Soil moisture below 20 for 30 minutes" fires only after 30 minutes, clears when it is wet again. */
class AlertEngineTest {
    @TempDir
    Path dir;

    @Test
    void firesAfterTheDurationClearsWhenTheConditionEndsAndPublishesEachTransition() throws Exception {
        try (Store store = Store.open(dir, null); LiveBus bus = new LiveBus()) {
            LinkedBlockingQueue<Alert> seen = new LinkedBlockingQueue<>();
            bus.subscribe(e -> {
                if (e instanceof LiveEvent.AlertChanged a) seen.add(a.alert());
            });
            AlertEngine engine = new AlertEngine(store, bus);
            AlertRule rule = engine.createRule(new AlertRule(0, "pot dry", "pot", "soil_moisture", Op.LT, 20, 1800, true));
            long t0 = System.currentTimeMillis() - 3 * 3_600_000L;
            long seq = 0;
            // dry from t0 on, one reading every 10 minutes: 0, 10, 20 min -> not yet; 30 min -> fires
            for (int m = 0; m <= 20; m += 10) engine.onStored(store.write(List.of(reading(seq++, t0 + m * 60_000L, 15)), t0));
            assertTrue(store.alerts(true).isEmpty(), "dry for 20 minutes only");
            engine.onStored(store.write(List.of(reading(seq++, t0 + 30 * 60_000L, 14)), t0));
            Alert fired = seen.poll(5, TimeUnit.SECONDS);
            assertEquals(AlertState.FIRING, fired.state());
            assertEquals(rule.id(), fired.ruleId());
            assertEquals(14.0, fired.value());
            // still dry: no second alert
            engine.onStored(store.write(List.of(reading(seq++, t0 + 40 * 60_000L, 13)), t0));
            assertEquals(1, store.alerts(false).size());
            // a person acknowledges; then it rains: cleared by itself
            assertEquals(AlertState.ACKNOWLEDGED, engine.acknowledge(fired.id(), "admin", t0).orElseThrow().state());
            assertEquals(AlertState.ACKNOWLEDGED, seen.poll(5, TimeUnit.SECONDS).state());
            engine.onStored(store.write(List.of(reading(seq++, t0 + 50 * 60_000L, 35)), t0));
            Alert cleared = seen.poll(5, TimeUnit.SECONDS);
            assertEquals(AlertState.CLEARED, cleared.state());
            assertTrue(store.alerts(true).isEmpty());
            // a dry spell shorter than the duration does not fire
            engine.onStored(store.write(List.of(reading(seq++, t0 + 60 * 60_000L, 10)), t0));
            engine.onStored(store.write(List.of(reading(seq++, t0 + 80 * 60_000L, 30)), t0));
            assertTrue(store.alerts(true).isEmpty());
            assertEquals(1, store.alerts(false).size());
        }
    }

    @Test
    void aRestartInTheMiddleOfTheDurationNeitherDelaysNorLosesTheAlert() throws Exception {
        long t0 = System.currentTimeMillis() - 3 * 3_600_000L;
        AlertRule rule;
        try (Store store = Store.open(dir, null); LiveBus bus = new LiveBus()) {
            AlertEngine engine = new AlertEngine(store, bus);
            rule = engine.createRule(new AlertRule(0, "pot dry", "pot", "soil_moisture", Op.LT, 20, 1800, true));
            // dry at 0 and 20 minutes, then the gateway stops
            engine.onStored(store.write(List.of(reading(0, t0, 15)), t0));
            engine.onStored(store.write(List.of(reading(1, t0 + 20 * 60_000L, 15)), t0));
            assertTrue(store.alerts(true).isEmpty());
        }
        try (Store store = Store.open(dir, null); LiveBus bus = new LiveBus()) {
            LinkedBlockingQueue<Alert> seen = new LinkedBlockingQueue<>();
            bus.subscribe(e -> {
                if (e instanceof LiveEvent.AlertChanged a) seen.add(a.alert());
            });
            AlertEngine engine = new AlertEngine(store, bus);
            // the first reading after the restart at 30 minutes completes the duration: fires now
            engine.onStored(store.write(List.of(reading(2, t0 + 30 * 60_000L, 14)), t0));
            Alert fired = seen.poll(5, TimeUnit.SECONDS);
            assertTrue(fired != null && fired.state() == AlertState.FIRING, "the restart lost the 20 dry minutes: " + fired);
            assertEquals(rule.id(), fired.ruleId());
            assertEquals(t0 + 30 * 60_000L, fired.firedMillis());
            // wet again: the held time is forgotten in the store too, so the next restart starts afresh
            engine.onStored(store.write(List.of(reading(3, t0 + 40 * 60_000L, 40)), t0));
            assertTrue(store.holdingSince().isEmpty());
        }
    }

    static Batch reading(long seq, long t, double v) {
        return new Batch("pot", "b", seq, List.of(new Reading("soil_moisture", "%", new Value.Number(v), t)));
    }
}
