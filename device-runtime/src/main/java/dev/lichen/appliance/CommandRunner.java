package dev.lichen.appliance;

import dev.lichen.command.Command;
import dev.lichen.command.CommandAck;
import dev.lichen.command.CommandCodec;
import dev.lichen.command.OutputsAnnouncement;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.output.Dimmer;
import dev.lichen.runtime.output.Output;
import dev.lichen.runtime.output.Switch;
import dev.lichen.runtime.storage.KeyValueStore;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the gateway's commands on the device's outputs, one at a time in the order of
 * their ids, on one virtual thread. For each: set the output, remember the command id (in the
 * key-value store, so a restart does not apply it again), then put the output's new state and the
 * acknowledgement into the outbox, in that order, to travel like any reading.
 *
 * <p>Exactly once: the gateway sends the whole pending set again and again (each reconnect,
 * each change); a command whose id is at or below the last one applied under the same epoch is
 * not applied again but acknowledged again with the outcome it had (the first acknowledgement may
 * be what was lost). A crash between setting the output and remembering it sets it once more to
 * the same value on the next delivery, never an older value after a newer one. A command that
 * cannot be carried out is refused (no such output, a value of the wrong kind or range) or failed
 * (the pin failed; the output went to its safe state), and says why.
 */
final class CommandRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandRunner.class);
    /** The key-value entry: the epoch, the last id applied, and the outcomes of the newest commands. */
    static final String LOG_KEY = "commands.applied";
    /** Outcomes kept to answer a repeated command with: more than one pack holds. */
    static final int KEPT = CommandCodec.MAX_COMMANDS;

    private final String deviceId;
    private final Map<String, Output> outputs;
    private final Consumer<Reading> append;
    private final Optional<KeyValueStore> store;
    private final Clock clock;
    private final LinkedBlockingQueue<byte[]> packs = new LinkedBlockingQueue<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong badPacks = new AtomicLong();
    /** The last epoch and id applied, and id -> the acknowledgement it had (insertion order, newest last). */
    private String epoch = "";
    private long lastId = -1;
    private final LinkedHashMap<Long, String> outcomes = new LinkedHashMap<>();
    /** Ids acknowledged in this run, and when: a pack that comes twice within seconds is not answered twice. */
    private final Map<Long, Long> answered = new LinkedHashMap<>();
    private final Thread thread;
    private final Optional<Rotation> rotation;

    /** What a rotation of the device's own key pair does on the device ({@link dev.lichen.command.KeyRotation}). */
    interface Rotation {
        /** Makes the next key pair and keeps it beside the current one; its public key (SubjectPublicKeyInfo). */
        byte[] prepare() throws IOException;

        /** Switches the device (and its link) to the prepared key pair; false when there was none (switched already). */
        boolean switchNow() throws IOException;
    }

    CommandRunner(String deviceId, List<Output> outputs, Consumer<Reading> append, Optional<KeyValueStore> store, Clock clock) {
        this(deviceId, outputs, append, store, clock, Optional.empty());
    }

    CommandRunner(String deviceId, List<Output> outputs, Consumer<Reading> append, Optional<KeyValueStore> store, Clock clock,
                  Optional<Rotation> rotation) {
        this.rotation = rotation;
        this.deviceId = deviceId;
        Map<String, Output> byName = new LinkedHashMap<>();
        for (Output o : outputs) byName.put(o.name(), o);
        this.outputs = byName;
        this.append = append;
        this.store = store;
        this.clock = clock;
        load();
        this.thread = Thread.ofVirtual().name("commands-" + deviceId).unstarted(this::run);
    }

    /** Tells the gateway which outputs there are and the state each is in, then takes commands. */
    CommandRunner start() {
        Map<String, OutputsAnnouncement.Kind> kinds = new LinkedHashMap<>();
        outputs.forEach((name, o) -> kinds.put(name, o instanceof Switch ? OutputsAnnouncement.Kind.SWITCH : OutputsAnnouncement.Kind.DIMMER));
        long now = clock.epochMillis();
        if (!outputs.isEmpty()) {
            append.accept(new Reading(OutputsAnnouncement.CHANNEL, null, new Value.Text(new OutputsAnnouncement(kinds).text()), now));
        }
        for (Output o : outputs.values()) append.accept(state(o, now));
        thread.start();
        return this;
    }

    /** From the uplink: the gateway's set of pending commands for this device. */
    void offer(byte[] pack) {
        packs.add(pack);
    }

    long applied() {
        return applied.get();
    }

    long badPacks() {
        return badPacks.get();
    }

    private void run() {
        while (true) {
            byte[] pack;
            try {
                pack = packs.take();
            } catch (InterruptedException e) {
                return;
            }
            // each pack is the whole set: only the newest one waiting matters
            for (byte[] newer; (newer = packs.poll()) != null; ) pack = newer;
            try {
                handle(pack);
            } catch (RuntimeException e) {
                LOG.error("commands could not be handled", e);
            }
        }
    }

    private void handle(byte[] pack) {
        if (pack.length == 0) return; // the retained set was cleared: nothing pending
        List<CommandCodec.Entry> entries;
        try {
            entries = CommandCodec.decode(pack, deviceId);
        } catch (CommandCodec.CommandPackException e) {
            badPacks.incrementAndGet();
            LOG.warn("commands from the gateway not understood, none carried out: {}", e.getMessage());
            return;
        }
        List<CommandCodec.Entry> ordered = new ArrayList<>(entries);
        ordered.sort((a, b) -> Long.compare(idOf(a).n(), idOf(b).n()));
        for (CommandCodec.Entry entry : ordered) {
            Command.CommandId id = idOf(entry);
            if (id.epoch().equals(epoch) && id.n() <= lastId) {
                again(id);
                continue;
            }
            CommandAck ack = switch (entry) {
                case CommandCodec.Entry.Invalid bad -> new CommandAck(id, CommandAck.Outcome.REFUSED, bad.why());
                case CommandCodec.Entry.Valid ok -> apply(ok.command());
            };
            remember(id, ack);
            if (ack.outcome() == CommandAck.Outcome.DONE) applied.incrementAndGet();
            else LOG.warn("command {} {}: {}", id, ack.outcome().name().toLowerCase(java.util.Locale.ROOT), ack.detail());
            answer(id, ack.text());
        }
    }

    private void answer(Command.CommandId id, String text) {
        answered.put(id.n(), clock.monotonicNanos());
        if (answered.size() > KEPT) answered.remove(answered.keySet().iterator().next());
        append.accept(new Reading(CommandAck.CHANNEL, null, new Value.Text(text), clock.epochMillis()));
    }

    private static Command.CommandId idOf(CommandCodec.Entry e) {
        return switch (e) {
            case CommandCodec.Entry.Valid v -> v.command().id();
            case CommandCodec.Entry.Invalid i -> i.id();
        };
    }

    /** Sets the output and reports its new state; the acknowledgement says how it went. */
    private CommandAck apply(Command c) {
        if (c.output().equals(dev.lichen.command.KeyRotation.OUTPUT)) return rotate(c);
        Output o = outputs.get(c.output());
        if (o == null) {
            return new CommandAck(c.id(), CommandAck.Outcome.REFUSED, "no output '" + c.output() + "' on this device"
                    + (outputs.isEmpty() ? "" : " (it has " + String.join(", ", outputs.keySet()) + ")"));
        }
        try {
            switch (o) {
                case Switch s -> {
                    if (!(c.value() instanceof Value.Bool b)) {
                        return new CommandAck(c.id(), CommandAck.Outcome.REFUSED, "'" + o.name() + "' is a switch: send vb (true or false)");
                    }
                    s.set(b.value());
                }
                case Dimmer d -> {
                    if (!(c.value() instanceof Value.Number n)) {
                        return new CommandAck(c.id(), CommandAck.Outcome.REFUSED, "'" + o.name() + "' is a dimmer: send v (a level 0 to 100)");
                    }
                    if (!(n.value() >= 0 && n.value() <= 100)) {
                        return new CommandAck(c.id(), CommandAck.Outcome.REFUSED, "level " + n.value() + " is not within 0 to 100");
                    }
                    d.set(n.value());
                }
            }
            LOG.info("command {}: {} set to {}", c.id(), o.name(), describe(o.state()));
            return CommandAck.done(c.id());
        } catch (BusException e) {
            o.safe();
            return new CommandAck(c.id(), CommandAck.Outcome.FAILED, e.getMessage());
        } finally {
            append.accept(state(o, clock.epochMillis()));
        }
    }

    /**
     * A step of a key rotation. The new public key goes out before the acknowledgement, over the
     * old key's link; the switch's acknowledgement is put in the outbox after the switch, so it
     * goes out with the new key, which the gateway then takes for good.
     */
    private CommandAck rotate(Command c) {
        if (rotation.isEmpty()) return new CommandAck(c.id(), CommandAck.Outcome.REFUSED, "this device has no key pair of its own to rotate");
        if (!(c.value() instanceof Value.Bool step)) {
            return new CommandAck(c.id(), CommandAck.Outcome.REFUSED, "identity takes vb: true (make a new key pair), false (switch to it)");
        }
        try {
            if (step.value()) {
                byte[] spki = rotation.get().prepare();
                append.accept(new Reading(dev.lichen.command.KeyRotation.CHANNEL, null,
                        new Value.Text(java.util.Base64.getEncoder().encodeToString(spki)), clock.epochMillis()));
                LOG.info("command {}: a new key pair is made, fingerprint {}; the gateway is told it over the current link", c.id(),
                        dev.lichen.runtime.identity.DeviceIdentity.fingerprint(spki));
            } else if (!rotation.get().switchNow()) {
                LOG.info("command {}: no new key pair waits: switched already", c.id());
            }
            return CommandAck.done(c.id());
        } catch (IOException e) {
            return new CommandAck(c.id(), CommandAck.Outcome.FAILED, "the key pair could not be kept: " + e.getMessage());
        }
    }

    private static String describe(Value v) {
        return switch (v) {
            case Value.Bool b -> b.value() ? "on" : "off";
            case Value.Number n -> n.value() + " %";
            default -> v.toString();
        };
    }

    private static Reading state(Output o, long now) {
        return new Reading(o.name(), o.unit().isEmpty() ? null : o.unit(), o.state(), now);
    }

    /** A command applied before: its acknowledgement again (once in a while), nothing else. */
    private void again(Command.CommandId id) {
        String text = outcomes.get(id.n());
        if (text == null) return; // older than what is kept: the gateway has long had its answer or let it expire
        Long last = answered.get(id.n());
        if (last != null && clock.monotonicNanos() - last < 10_000_000_000L) return;
        answer(id, text);
    }

    private void remember(Command.CommandId id, CommandAck ack) {
        if (!id.epoch().equals(epoch)) {
            // another gateway database: its ids start afresh
            epoch = id.epoch();
            outcomes.clear();
        }
        lastId = id.n();
        outcomes.put(id.n(), ack.text());
        while (outcomes.size() > KEPT) outcomes.remove(outcomes.keySet().iterator().next());
        if (store.isEmpty()) return;
        StringBuilder b = new StringBuilder().append(epoch).append(' ').append(lastId);
        outcomes.values().forEach(t -> b.append('\n').append(t));
        try {
            store.get().put(LOG_KEY, b.toString());
        } catch (IOException e) {
            LOG.warn("could not remember command {}: after a restart it may be carried out again: {}", id, e.getMessage());
        }
    }

    private void load() {
        if (store.isEmpty()) return;
        try {
            Optional<String> kept = store.get().get(LOG_KEY);
            if (kept.isEmpty()) return;
            String[] lines = kept.get().split("\n");
            String[] head = lines[0].split(" ");
            if (head.length != 2) throw new IOException("its first line is not '<epoch> <last id>'");
            epoch = head[0];
            lastId = Long.parseLong(head[1]);
            for (int i = 1; i < lines.length; i++) {
                CommandAck a = CommandAck.parse(lines[i]);
                if (a != null) outcomes.put(a.id().n(), lines[i]);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("the record of applied commands is unreadable ({}); starting afresh", e.getMessage());
            epoch = "";
            lastId = -1;
            outcomes.clear();
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        for (Output o : outputs.values()) o.safe();
    }
}
