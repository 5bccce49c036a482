package dev.lichen.gateway.alerts;

import dev.lichen.gateway.live.LiveBus;
import dev.lichen.gateway.live.LiveEvent;
import dev.lichen.gateway.store.Alert;
import dev.lichen.gateway.store.AlertRule;
import dev.lichen.gateway.store.AlertState;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.store.StoredReading;
import dev.lichen.gateway.store.WriteResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates threshold + duration rules on every stored reading (reading time, not wall time, so
 * resent old readings are judged by when they were measured). A rule fires when its condition
 * has held continuously for its duration, and clears itself when the condition stops holding.
 * Every transition is stored and published on the live bus. The web layer changes rules and
 * acknowledges/clears alerts through this class so the engine's view stays current.
 *
 * <p>The "condition holds since" times are kept in the store as they change (not per reading), so
 * a restart neither delays nor loses an alert: the first reading after it that completes the
 * duration fires. An open alert stays open across a restart and still clears.
 */
public final class AlertEngine {
    private final Store store;
    private final LiveBus bus;
    private final Object lock = new Object();
    private volatile Map<String, List<AlertRule>> rulesByChannel = Map.of();
    private final Map<Long, Long> holdingSince = new ConcurrentHashMap<>();
    private final Map<Long, Long> openAlert = new ConcurrentHashMap<>();

    public AlertEngine(Store store, LiveBus bus) {
        this.store = store;
        this.bus = bus;
        reload();
        for (Alert a : store.alerts(true)) openAlert.put(a.ruleId(), a.id());
        holdingSince.putAll(store.holdingSince());
    }

    /** Forgets since when a rule held, in memory and in the store; call under lock. */
    private void stopHolding(long ruleId) {
        if (holdingSince.remove(ruleId) != null) store.setHoldingSince(ruleId, null);
    }

    private static String key(String device, String channel) {
        return device + '\u0000' + channel;
    }

    /** Re-reads the rules from the store. */
    public void reload() {
        Map<String, List<AlertRule>> m = new HashMap<>();
        for (AlertRule r : store.rules()) {
            if (r.enabled()) m.computeIfAbsent(key(r.deviceId(), r.channel()), k -> new ArrayList<>()).add(r);
        }
        rulesByChannel = m;
    }

    public AlertRule createRule(AlertRule rule) {
        AlertRule r = store.createRule(rule);
        reload();
        return r;
    }

    /** Changes a rule; its condition must hold for the (new) full duration again before it fires. */
    public Optional<AlertRule> updateRule(AlertRule rule) {
        Optional<AlertRule> r = store.updateRule(rule);
        synchronized (lock) {
            if (r.isPresent()) stopHolding(rule.id());
        }
        reload();
        return r;
    }

    public boolean deleteRule(long id) {
        boolean gone = store.deleteRule(id);
        synchronized (lock) {
            holdingSince.remove(id);
            openAlert.remove(id);
        }
        reload();
        return gone;
    }

    public Optional<Alert> acknowledge(long alertId, String username, long nowMillis) {
        Optional<Alert> a = store.acknowledgeAlert(alertId, username, nowMillis);
        a.ifPresent(x -> bus.publish(new LiveEvent.AlertChanged(x)));
        return a;
    }

    /** Clears by hand; if the condition still holds the rule needs its full duration again to re-fire. */
    public Optional<Alert> clear(long alertId, long nowMillis) {
        Optional<Alert> a = store.clearAlert(alertId, nowMillis);
        a.ifPresent(x -> {
            synchronized (lock) {
                openAlert.remove(x.ruleId(), x.id());
                stopHolding(x.ruleId());
            }
            bus.publish(new LiveEvent.AlertChanged(x));
        });
        return a;
    }

    /** Called by the pipeline after each group commit with what was newly stored. */
    public void onStored(List<WriteResult> results) {
        Map<String, List<AlertRule>> rules = rulesByChannel;
        if (rules.isEmpty()) return;
        for (WriteResult w : results) {
            for (StoredReading r : w.stored()) {
                if (r.value() == null) continue;
                List<AlertRule> rs = rules.get(key(r.deviceId(), r.channel()));
                if (rs == null) continue;
                for (AlertRule rule : rs) evaluate(rule, r.value(), r.timeMillis());
            }
        }
    }

    private void evaluate(AlertRule rule, double value, long t) {
        Alert changed = null;
        synchronized (lock) {
            if (rule.op().test(value, rule.threshold())) {
                Long before = holdingSince.get(rule.id());
                long since = before == null ? t : Math.min(before, t);
                if (before == null || since != before) {
                    store.setHoldingSince(rule.id(), since); // before the alert can fire: a crash loses nothing
                    holdingSince.put(rule.id(), since);
                }
                if (!openAlert.containsKey(rule.id()) && t - since >= rule.durationSeconds() * 1000) {
                    changed = store.fireAlert(rule, value, t);
                    openAlert.put(rule.id(), changed.id());
                }
            } else {
                stopHolding(rule.id());
                Long open = openAlert.remove(rule.id());
                if (open != null) {
                    changed = store.clearAlert(open, t).filter(a -> a.state() == AlertState.CLEARED).orElse(null);
                }
            }
        }
        if (changed != null) bus.publish(new LiveEvent.AlertChanged(changed));
    }
}
