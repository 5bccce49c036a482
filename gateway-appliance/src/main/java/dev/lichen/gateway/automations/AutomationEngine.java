package dev.lichen.gateway.automations;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.automations.Automation.Action;
import dev.lichen.gateway.automations.Automation.Condition;
import dev.lichen.gateway.automations.Automation.Trigger;
import dev.lichen.gateway.commands.Commands;
import dev.lichen.gateway.live.LiveBus;
import dev.lichen.gateway.live.LiveEvent;
import dev.lichen.gateway.metrics.Metrics;
import dev.lichen.gateway.store.AutomationRow;
import dev.lichen.gateway.store.AutomationTimer;
import dev.lichen.gateway.store.Channel;
import dev.lichen.gateway.store.Device;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.store.StoredReading;
import dev.lichen.gateway.store.WriteResult;
import dev.lichen.runtime.clock.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the automations: on the readings of every group commit (the pipeline hands them over, as
 * to the alert engine: nothing polls the database), on devices going offline (the live bus), on
 * times of day and the sun, and on its own timers. One thread evaluates everything, in event
 * order, against what it keeps in memory: each channel's last value and since when each "for N
 * minutes" has held. A reading is looked up by its device and channel, so only the rules that
 * name that channel are evaluated.
 *
 * <p>Exactly once: a rule's run is recorded with the event that set it off (the reading's boot
 * and sequence, the day's time, the timer) before its actions; an event replayed after a crash
 * (the ingest journal's) finds its run and does nothing. What a rule will do later (set the light
 * back in 5 minutes, see whether the humidity held) is a timer kept in the store, so a restart
 * loses none; one that fell due while the gateway was down runs when it is back.
 */
public final class AutomationEngine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AutomationEngine.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often the thread looks at the clock when no event comes: the granularity of timers and times of day. */
    static final long TICK_MILLIS = 50;
    /** How deep "run another automation" may nest (a loop of them stops there). */
    static final int MAX_DEPTH = 4;

    private final Store store;
    private final Commands commands;
    private final LiveBus bus;
    private final Clock clock;
    private final SunTimes sun;
    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final AtomicLong evaluations = new AtomicLong();
    private final Metrics.Counter runs;
    private final Metrics.Counter failures;
    private final Thread thread;
    private LiveBus.Subscription subscription;
    private volatile boolean running = true;

    // the engine thread's own state (and the API's, under this)
    private final Map<Long, Automation> rules = new LinkedHashMap<>();
    /** device \0 channel -> the rules whose trigger or a condition reads it (definitions: a run changes none of this). */
    private final Map<String, List<Automation>> byChannel = new HashMap<>();
    /** When each rule last ran and why: the one state a run changes. */
    private final Map<Long, Ran> ran = new HashMap<>();

    private record Ran(long atMillis, String why) {}
    private final Map<String, Double> lastValue = new HashMap<>();
    /** A satisfied (device, channel, op, value) -> since when, in the engine's clock. */
    private final Map<String, Long> holdingSince = new HashMap<>();
    private final Map<Long, Long> nextTime = new HashMap<>();
    private final Map<String, Boolean> online = new HashMap<>();
    private final List<AutomationTimer> timers = new ArrayList<>();

    private record Offline(Device device) {}

    private record Stored(List<StoredReading> readings) {}

    public AutomationEngine(Store store, Commands commands, LiveBus bus, Metrics metrics, Clock clock, GatewayConfig.Location location) {
        this.store = store;
        this.commands = commands;
        this.bus = bus;
        this.clock = clock;
        this.sun = new SunTimes(location);
        this.runs = metrics.counter("lichen_automation_runs_total", "Automations that ran, by what set them off (reading, time, offline, timer, run)", "trigger");
        this.failures = metrics.counter("lichen_automation_action_failures_total", "Automation actions that could not be carried out (no such output, ...)");
        metrics.gauge("lichen_automation_evaluations_total", "Rule evaluations (a trigger or condition looked at)", evaluations::get);
        this.thread = Thread.ofPlatform().name("lichen-automations").daemon().unstarted(this::loop);
    }

    /** Loads the automations, the last values and the timers, and starts evaluating. */
    public synchronized AutomationEngine start() {
        for (AutomationRow row : store.automations()) {
            try {
                Automation a = AutomationJson.parse(row.definition());
                put(new Automation(row.id(), row.name(), row.enabled(), a.trigger(), a.conditions(), a.actions(), a.cooldown(),
                        row.lastRunMillis(), row.lastReason()));
            } catch (AutomationJson.InvalidAutomation e) {
                LOG.log(System.Logger.Level.ERROR, "automation " + row.id() + " (" + row.name() + ") is not understood and does not run: " + e.getMessage());
            }
        }
        long now = clock.epochMillis();
        for (Device d : store.devices()) {
            online.put(d.id(), d.online());
            for (Channel c : store.channels(d.id())) {
                if (c.lastValue() != null) observe(d.id(), c.name(), c.lastValue(), now);
            }
        }
        timers.addAll(store.automationTimers());
        subscription = bus.subscribe(e -> {
            if (e instanceof LiveEvent.DeviceChanged d) events.add(new Offline(d.device()));
        });
        thread.start();
        return this;
    }

    /** After a group commit (the pipeline's writer thread): queued, evaluated on the engine's thread. */
    public void onStored(List<WriteResult> results) {
        List<StoredReading> rs = new ArrayList<>();
        for (WriteResult w : results) {
            if (!w.refused() && w.device().state() == dev.lichen.gateway.store.DeviceState.ADOPTED) rs.addAll(w.stored());
        }
        if (!rs.isEmpty()) events.add(new Stored(rs));
    }

    public long evaluations() {
        return evaluations.get();
    }

    // ---------------------------------------------------------------- the API's side

    public synchronized List<Automation> list() {
        return rules.values().stream().map(this::withRun).toList();
    }

    public synchronized Optional<Automation> get(long id) {
        return Optional.ofNullable(rules.get(id)).map(this::withRun);
    }

    /** Checks what only the gateway can (the sun needs a location; another automation must exist), then stores it. */
    public synchronized Automation create(Automation a) throws AutomationJson.InvalidAutomation {
        check(a, 0);
        var row = store.createAutomation(a.name(), a.enabled(), AutomationJson.write(a).toString(), clock.epochMillis());
        Automation stored = a.withId(row.id());
        put(stored);
        changed(stored);
        return stored;
    }

    public synchronized Optional<Automation> update(long id, Automation a) throws AutomationJson.InvalidAutomation {
        if (!rules.containsKey(id)) return Optional.empty();
        check(a, id);
        var row = store.updateAutomation(id, a.name(), a.enabled(), AutomationJson.write(a).toString(), clock.epochMillis());
        if (row.isEmpty()) return Optional.empty();
        Ran last = ran.get(id);
        Automation stored = new Automation(id, a.name(), a.enabled(), a.trigger(), a.conditions(), a.actions(), a.cooldown(),
                last == null ? 0 : last.atMillis(), last == null ? null : last.why());
        remove(id);
        put(stored);
        changed(stored);
        return Optional.of(stored);
    }

    public synchronized boolean delete(long id) {
        if (!store.deleteAutomation(id)) return false;
        remove(id);
        timers.removeIf(t -> t.automationId() == id);
        bus.publish(new LiveEvent.AutomationChanged(id, null));
        return true;
    }

    private void check(Automation a, long self) throws AutomationJson.InvalidAutomation {
        boolean needsSun = a.trigger() instanceof Trigger.At at && at.moment() instanceof Automation.Moment.Sun;
        for (Condition c : a.conditions()) {
            if (c instanceof Condition.Between b && (b.from() instanceof Automation.Moment.Sun || b.to() instanceof Automation.Moment.Sun)) needsSun = true;
        }
        if (needsSun && !sun.knowsTheSun()) {
            throw new AutomationJson.InvalidAutomation("trigger", "sunrise and sunset need the gateway's location: start it with"
                    + " --latitude and --longitude (or latitude/longitude in its config file)");
        }
        for (int i = 0; i < a.actions().size(); i++) {
            if (a.actions().get(i) instanceof Action.Run r && (r.automationId() == self || !rules.containsKey(r.automationId()))) {
                throw new AutomationJson.InvalidAutomation("actions[" + i + "].automation", r.automationId() == self
                        ? "an automation does not run itself" : "there is no automation " + r.automationId());
            }
        }
    }

    private void put(Automation a) {
        rules.put(a.id(), a);
        if (a.lastRun() > 0) ran.put(a.id(), new Ran(a.lastRun(), a.lastReason()));
        Set<String> keys = new HashSet<>();
        if (a.trigger() instanceof Trigger.Reading r) keys.add(key(r.deviceId(), r.channel()));
        for (Condition c : a.conditions()) {
            if (c instanceof Condition.Value v) keys.add(key(v.deviceId(), v.channel()));
        }
        for (String k : keys) byChannel.computeIfAbsent(k, x -> new ArrayList<>()).add(a);
        if (a.trigger() instanceof Trigger.At at) sun.next(Instant.ofEpochMilli(clock.epochMillis()), at.moment())
                .ifPresent(t -> nextTime.put(a.id(), t.toEpochMilli()));
    }

    private void remove(long id) {
        rules.remove(id);
        nextTime.remove(id);
        ran.remove(id);
        byChannel.values().forEach(l -> l.removeIf(a -> a.id() == id));
    }

    private void changed(Automation a) {
        bus.publish(new LiveEvent.AutomationChanged(a.id(), a));
    }

    /** The automation as the API and the live stream show it. */
    public static ObjectNode view(Automation a) {
        ObjectNode n = AutomationJson.write(a);
        ObjectNode out = JSON.createObjectNode();
        out.put("id", a.id());
        out.setAll(n);
        if (a.lastRun() == 0) out.putNull("lastRun");
        else out.put("lastRun", a.lastRun());
        out.put("lastReason", a.lastReason());
        return out;
    }

    // ---------------------------------------------------------------- the engine's thread

    private void loop() {
        while (running) {
            try {
                Object e = events.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
                synchronized (this) {
                    if (e instanceof Stored s) {
                        for (StoredReading r : s.readings()) reading(r);
                    } else if (e instanceof Offline o) {
                        offline(o.device());
                    }
                    due();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "automation evaluation failed; going on", e);
            }
        }
    }

    static String key(String device, String channel) {
        return device + '\u0000' + channel;
    }

    private static String holdKey(String device, String channel, Automation.Op op, double value) {
        return key(device, channel) + '\u0000' + op + '\u0000' + value;
    }

    /** Remembers a channel's value and since when each comparison the rules make of it holds. */
    private void observe(String device, String channel, double v, long now) {
        lastValue.put(key(device, channel), v);
        for (Automation a : byChannel.getOrDefault(key(device, channel), List.of())) {
            if (a.trigger() instanceof Trigger.Reading r && r.deviceId().equals(device) && r.channel().equals(channel)) track(r.deviceId(), r.channel(), r.op(), r.value(), v, now);
            for (Condition c : a.conditions()) {
                if (c instanceof Condition.Value cv && cv.deviceId().equals(device) && cv.channel().equals(channel)) track(device, channel, cv.op(), cv.value(), v, now);
            }
        }
    }

    private void track(String device, String channel, Automation.Op op, double threshold, double v, long now) {
        String k = holdKey(device, channel, op, threshold);
        if (op.test(v, threshold)) holdingSince.putIfAbsent(k, now);
        else holdingSince.remove(k);
    }

    /** One stored reading: the rules it triggers, in the order they were made. */
    void reading(StoredReading r) {
        if (r.value() == null) return; // text: no rule compares it
        String k = key(r.deviceId(), r.channel());
        List<Automation> interested = byChannel.get(k);
        Double before = lastValue.get(k);
        long now = clock.epochMillis();
        observe(r.deviceId(), r.channel(), r.value(), now);
        if (interested == null) return;
        // no copy: the index changes only through the API, under the same lock as this
        for (Automation a : interested) {
            evaluations.incrementAndGet();
            if (!(a.trigger() instanceof Trigger.Reading t) || !t.deviceId().equals(r.deviceId()) || !t.channel().equals(r.channel())) continue;
            boolean now_ = t.op().test(r.value(), t.value());
            boolean was = before != null && t.op().test(before, t.value());
            String target = r.deviceId() + "/" + r.channel();
            if (!t.hold().isZero()) {
                // a hold: look again once it has lasted; a reading that breaks it calls that off
                if (now_ && !was) timer(a.id(), "hold", target, now + t.hold().toMillis(), "{}");
                else if (!now_) cancelTimer(a.id(), "hold", target);
                continue;
            }
            if (now_ && !was) {
                fire(a, "r:" + r.deviceId() + ":" + r.bootId() + ":" + r.seq(), "reading",
                        name(r.deviceId()) + "'s " + r.channel() + " " + describe(t.op()) + " " + number(t.value()) + " (" + number(r.value()) + ")", 0, new HashSet<>());
            }
        }
    }

    private void offline(Device d) {
        Boolean was = online.put(d.id(), d.online());
        if (d.online() || (was != null && !was)) return;
        for (Automation a : List.copyOf(rules.values())) {
            if (a.trigger() instanceof Trigger.Offline o && o.deviceId().equals(d.id())) {
                evaluations.incrementAndGet();
                fire(a, "o:" + d.id() + ":" + d.lastSeenMillis(), "offline", name(d.id()) + " went offline", 0, new HashSet<>());
            }
        }
    }

    /** Times of day and timers that fell due. */
    private void due() {
        long now = clock.epochMillis();
        for (var e : List.copyOf(nextTime.entrySet())) {
            if (e.getValue() > now) continue;
            Automation a = rules.get(e.getKey());
            Instant at = Instant.ofEpochMilli(e.getValue());
            if (a.trigger() instanceof Trigger.At t) {
                sun.next(at, t.moment()).ifPresentOrElse(n -> nextTime.put(a.id(), n.toEpochMilli()), () -> nextTime.remove(a.id()));
                evaluations.incrementAndGet();
                fire(a, "t:" + at, "time", "it is " + at.atZone(sun.zone()).toLocalTime().withNano(0), 0, new HashSet<>());
            }
        }
        for (AutomationTimer t : List.copyOf(timers)) {
            if (t.dueMillis() > now) continue;
            timers.remove(t);
            Automation a = rules.get(t.automationId());
            try {
                if (a != null) timerDue(a, t);
            } finally {
                store.deleteAutomationTimer(t.id());
            }
        }
    }

    private void timerDue(Automation a, AutomationTimer t) {
        switch (t.kind()) {
            case "hold" -> {
                if (!(a.trigger() instanceof Trigger.Reading r)) return;
                Double v = lastValue.get(key(r.deviceId(), r.channel()));
                evaluations.incrementAndGet();
                if (v != null && r.op().test(v, r.value())) {
                    fire(a, "h:" + t.id(), "reading", name(r.deviceId()) + "'s " + r.channel() + " " + describe(r.op()) + " " + number(r.value())
                            + " for " + minutes(r.hold()), 0, new HashSet<>());
                }
            }
            case "revert" -> {
                if (!store.recordAutomationRun(a.id(), "v:" + t.id(), "set " + t.target() + " back", clock.epochMillis())) return;
                String[] dev = t.target().split("/", 2);
                try {
                    var p = JSON.readTree(t.payload());
                    commands.send(dev[0], dev[1], p.has("on") ? p.get("on").asBoolean() : null, p.has("level") ? p.get("level").asDouble() : null,
                            "automation:" + a.id());
                    runs.inc("timer");
                    noteRun(a, "set " + t.target() + " back after " + p.path("after").asText());
                } catch (Commands.CommandException | java.io.IOException e) {
                    failures.inc();
                    LOG.log(System.Logger.Level.WARNING, "automation " + a.id() + " could not set " + t.target() + " back: " + e.getMessage());
                }
            }
            default -> LOG.log(System.Logger.Level.WARNING, "automation timer of unknown kind " + t.kind() + " dropped");
        }
    }

    private boolean holds(Automation a) {
        long now = clock.epochMillis();
        for (Condition c : a.conditions()) {
            evaluations.incrementAndGet();
            boolean ok = switch (c) {
                case Condition.Value v -> {
                    Double last = lastValue.get(key(v.deviceId(), v.channel()));
                    if (last == null || !v.op().test(last, v.value())) yield false;
                    if (v.held().isZero()) yield true;
                    Long since = holdingSince.get(holdKey(v.deviceId(), v.channel(), v.op(), v.value()));
                    yield since != null && now - since >= v.held().toMillis();
                }
                case Condition.Between b -> sun.within(Instant.ofEpochMilli(now), b.from(), b.to());
            };
            if (!ok) return false;
        }
        return true;
    }

    /** Runs the rule for an event, once: conditions, cooldown, the run recorded, then the actions. */
    private void fire(Automation a, String event, String trigger, String why, int depth, Set<Long> seen) {
        if (!a.enabled() || !seen.add(a.id())) return;
        long now = clock.epochMillis();
        Ran last = ran.get(a.id());
        if (depth == 0 && last != null && now - last.atMillis() < a.cooldown().toMillis()) return;
        if (!holds(a)) return;
        if (!store.recordAutomationRun(a.id(), event, why, now)) return; // this event ran it already (a replay)
        runs.inc(trigger);
        noteRun(a, why);
        for (Action x : a.actions()) {
            try {
                switch (x) {
                    case Action.Set s -> set(a, s);
                    case Action.Alert al -> alert(a, al, why);
                    case Action.Run r -> {
                        Automation other = rules.get(r.automationId());
                        if (other != null && depth < MAX_DEPTH) fire(other, "x:" + a.id() + ":" + event, "run", "run by " + a.name() + ": " + why, depth + 1, seen);
                    }
                }
            } catch (Commands.CommandException | RuntimeException e) {
                failures.inc();
                LOG.log(System.Logger.Level.WARNING, "automation " + a.id() + " (" + a.name() + "): " + e.getMessage());
            }
        }
    }

    private void noteRun(Automation a, String why) {
        ran.put(a.id(), new Ran(clock.epochMillis(), why));
        changed(withRun(a));
    }

    /** The rule as the API shows it: its definition with its last run. */
    private Automation withRun(Automation a) {
        Ran last = ran.get(a.id());
        return last == null ? a : new Automation(a.id(), a.name(), a.enabled(), a.trigger(), a.conditions(), a.actions(), a.cooldown(),
                last.atMillis(), last.why());
    }

    private void set(Automation a, Action.Set s) throws Commands.CommandException {
        commands.send(s.deviceId(), s.output(), s.on(), s.level(), "automation:" + a.id());
        if (s.duration().isZero()) return;
        // "then back": a switch to the other state, a dimmer to the level it had (0 if unknown);
        // firing again meanwhile only moves the time on, keeping what it goes back to
        String target = s.deviceId() + "/" + s.output();
        String payload;
        var existing = timers.stream().filter(t -> t.automationId() == a.id() && t.kind().equals("revert") && t.target().equals(target)).findFirst();
        if (existing.isPresent()) {
            payload = existing.get().payload();
        } else if (s.on() != null) {
            payload = "{\"on\":" + !s.on() + ",\"after\":\"" + minutes(s.duration()) + "\"}";
        } else {
            Double before = lastValue.get(key(s.deviceId(), s.output()));
            payload = "{\"level\":" + (before == null ? 0 : before) + ",\"after\":\"" + minutes(s.duration()) + "\"}";
        }
        timer(a.id(), "revert", target, clock.epochMillis() + s.duration().toMillis(), payload);
    }

    private void alert(Automation a, Action.Alert al, String why) {
        var alert = store.raiseAlert(a.id(), "gateway", "automation", 0, al.message() + " (" + a.name() + ": " + why + ")", clock.epochMillis());
        bus.publish(new LiveEvent.AlertChanged(alert));
    }

    private void timer(long automation, String kind, String target, long due, String payload) {
        cancelTimer(automation, kind, target);
        timers.add(store.putAutomationTimer(automation, kind, target, due, payload));
    }

    private void cancelTimer(long automation, String kind, String target) {
        for (AutomationTimer t : List.copyOf(timers)) {
            if (t.automationId() == automation && t.kind().equals(kind) && t.target().equals(target)) {
                timers.remove(t);
                store.deleteAutomationTimer(t.id());
            }
        }
    }

    /** A device as a person named it at adoption (its id until then). */
    private String name(String deviceId) {
        return store.device(deviceId).map(d -> d.name() != null && !d.name().isBlank() ? d.name() : deviceId).orElse(deviceId);
    }

    private static String describe(Automation.Op op) {
        return switch (op) {
            case ABOVE -> "above";
            case BELOW -> "below";
            case EQUALS -> "is";
        };
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String minutes(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 ? (s / 60) + " min" : s + " s";
    }

    @Override
    public void close() {
        running = false;
        if (subscription != null) subscription.close();
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
