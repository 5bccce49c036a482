package dev.lichen.gateway.commands;

import dev.lichen.command.Command;
import dev.lichen.command.CommandAck;
import dev.lichen.command.CommandCodec;
import dev.lichen.command.OutputsAnnouncement;
import dev.lichen.gateway.live.LiveBus;
import dev.lichen.gateway.live.LiveEvent;
import dev.lichen.gateway.metrics.Metrics;
import dev.lichen.gateway.store.DeviceOutput;
import dev.lichen.gateway.store.DeviceState;
import dev.lichen.gateway.store.OutputKind;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.store.StoredCommand;
import dev.lichen.gateway.store.StoredCommand.CommandState;
import dev.lichen.gateway.store.StoredReading;
import dev.lichen.gateway.store.WriteResult;
import dev.lichen.senml.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Commands from the gateway to the devices' outputs: kept durably in the store until the device
 * acknowledges them or they expire ({@link #DEFAULT_LIFETIME} by default). What a device gets is
 * always the whole set of its pending commands ({@link #pack}): the MQTT door publishes it as the
 * retained message of {@code lichen/<id>/cmd}, the CoAP door as the Observe notifications of
 * {@code /c/<id>}, so a device that was away, or missed a notification, gets them when it comes
 * back, and a command that expired is no longer in the set. Each command carries its id; the
 * device applies it once and answers with the output's state and an acknowledgement on its
 * readings' path, which {@link #onStored} reads after the group commit.
 */
public final class Commands implements AutoCloseable {
    /** How long a command waits for its device: a light switched half a minute late surprises more than one that failed. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(30);
    private static final System.Logger LOG = System.getLogger(Commands.class.getName());

    /** Where the pending set of a device is sent when it changes (MQTT, CoAP). */
    @FunctionalInterface
    public interface Door {
        void pendingChanged(String deviceId);
    }

    /** A command that cannot be made; the message says why and what to do. */
    public static final class CommandException extends Exception {
        public enum Kind { NO_DEVICE, NOT_ADOPTED, NO_OUTPUT, BAD_VALUE, TOO_MANY }

        private final Kind kind;

        public CommandException(Kind kind, String message) {
            super(message);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    private final Store store;
    private final dev.lichen.gateway.ingest.DeviceIdentities identities;
    private final LiveBus bus;
    private final Duration lifetime;
    private final String epoch;
    private final List<Door> doors = new CopyOnWriteArrayList<>();
    private final Metrics.Counter sent;
    private final Metrics.Counter finished;
    private final Metrics.Counter badAcks;
    private final Thread sweeper;
    private volatile boolean running = true;

    public Commands(Store store, LiveBus bus, Metrics metrics, Duration lifetime, dev.lichen.gateway.ingest.DeviceIdentities identities) {
        this.store = store;
        this.identities = identities;
        this.bus = bus;
        this.lifetime = lifetime;
        this.epoch = store.commandEpoch();
        this.sent = metrics.counter("lichen_commands_total", "Commands made for the devices' outputs, by origin (user, automation)", "origin");
        this.finished = metrics.counter("lichen_commands_finished_total", "Commands finished, by state (done, failed, refused, expired)", "state");
        this.badAcks = metrics.counter("lichen_command_acks_ignored_total",
                "Acknowledgements that named no pending command of their device (late, repeated, or not from this gateway)");
        this.sweeper = Thread.ofVirtual().name("lichen-command-expiry").unstarted(this::sweep);
    }

    /** Lets the doors know every pending set (after a restart the doors hold none), then expires commands as they fall due. */
    public void start() {
        for (String id : store.devicesWithPendingCommands()) changed(id);
        sweeper.start();
    }

    public void addDoor(Door door) {
        doors.add(door);
    }

    public Duration lifetime() {
        return lifetime;
    }

    /** The command id a device sees for a stored command. */
    public Command.CommandId wireId(StoredCommand c) {
        return new Command.CommandId(epoch, c.id());
    }

    /**
     * Makes a command to set a device's output: {@code on} for a switch, {@code level} (0-100 %) for
     * a dimmer; exactly one of them is given. origin says who asked, for the history.
     */
    public StoredCommand send(String deviceId, String output, Boolean on, Double level, String origin) throws CommandException {
        var device = store.device(deviceId).orElseThrow(() -> new CommandException(CommandException.Kind.NO_DEVICE,
                "no device '" + deviceId + "' on this gateway"));
        if (device.state() != DeviceState.ADOPTED) {
            throw new CommandException(CommandException.Kind.NOT_ADOPTED, "device '" + deviceId + "' is " + device.state().name().toLowerCase()
                    + ": adopt it before switching its outputs");
        }
        List<DeviceOutput> outputs = store.outputs(deviceId);
        DeviceOutput out = outputs.stream().filter(o -> o.name().equals(output)).findFirst().orElseThrow(() ->
                new CommandException(CommandException.Kind.NO_OUTPUT, "device '" + deviceId + "' has no output '" + output + "'"
                        + (outputs.isEmpty() ? " (it announced none)" : " (it has " + String.join(", ", outputs.stream().map(DeviceOutput::name).toList()) + ")")));
        double value = switch (out.kind()) {
            case SWITCH -> {
                if (on == null || level != null) throw new CommandException(CommandException.Kind.BAD_VALUE, "'" + output + "' is a switch: give on (true or false)");
                yield on ? 1 : 0;
            }
            case DIMMER -> {
                if (level == null || on != null) throw new CommandException(CommandException.Kind.BAD_VALUE, "'" + output + "' is a dimmer: give level (0 to 100)");
                if (!(level >= 0 && level <= 100)) throw new CommandException(CommandException.Kind.BAD_VALUE, "level " + level + " is not within 0 to 100");
                yield level;
            }
            case IDENTITY -> throw new CommandException(CommandException.Kind.NO_OUTPUT, "'" + output + "' is the device's key: rotate it from its page");
        };
        return make(deviceId, output, out.kind(), value, origin);
    }

    /**
     * Starts a rotation of the device's own key pair (adopted with a pinned public key): the device
     * makes a new one and tells it over its current link, then switches to it; the old key stops
     * working at the new one's first pack. Returns the first of its two commands.
     */
    public StoredCommand rotateKey(String deviceId, String origin) throws CommandException {
        var device = store.device(deviceId).orElseThrow(() -> new CommandException(CommandException.Kind.NO_DEVICE,
                "no device '" + deviceId + "' on this gateway"));
        if (device.state() != DeviceState.ADOPTED || !identities.pinned(deviceId)) {
            throw new CommandException(CommandException.Kind.NOT_ADOPTED, "device '" + deviceId
                    + "' was not adopted with a key of its own: there is no key to rotate (a pre-shared key is rotated with POST .../psk)");
        }
        return make(deviceId, dev.lichen.command.KeyRotation.OUTPUT, OutputKind.IDENTITY, 1, origin);
    }

    private StoredCommand make(String deviceId, String output, OutputKind kind, double value, String origin) throws CommandException {
        synchronized (this) {
            if (store.pendingCommands(deviceId).size() >= CommandCodec.MAX_COMMANDS) {
                throw new CommandException(CommandException.Kind.TOO_MANY, "device '" + deviceId + "' has " + CommandCodec.MAX_COMMANDS
                        + " commands waiting already (is it offline?); wait until they are done or expire");
            }
            long now = System.currentTimeMillis();
            StoredCommand c = store.createCommand(deviceId, output, kind, value, origin, now, now + lifetime.toMillis());
            sent.inc(origin.startsWith("automation:") ? "automation" : "user");
            bus.publish(new LiveEvent.CommandChanged(c));
            changed(deviceId);
            return c;
        }
    }

    /** A device's pending commands as the SenML pack it reads ({@code []}: none), and when the last of them expires (0: none). */
    public record PendingSet(byte[] pack, long untilMillis) {}

    /** The device's pending commands, read once for both the pack and its expiry. */
    public PendingSet pending(String deviceId) {
        List<Command> out = new ArrayList<>();
        long until = 0;
        for (StoredCommand c : store.pendingCommands(deviceId)) {
            Value v = c.kind() == OutputKind.DIMMER ? new Value.Number(c.value()) : new Value.Bool(c.value() != 0);
            out.add(new Command(wireId(c), c.output(), v));
            until = Math.max(until, c.expiresMillis());
        }
        return new PendingSet(CommandCodec.encode(deviceId, out), until);
    }

    public List<StoredCommand> recent(String deviceId, int limit) {
        return store.commands(deviceId, limit);
    }

    public Optional<StoredCommand> command(long id) {
        return store.command(id);
    }

    public List<DeviceOutput> outputs(String deviceId) {
        return store.outputs(deviceId);
    }

    /**
     * After a group commit: the acknowledgements and output announcements among the newly stored
     * readings (a resent pack's are duplicates and not here again).
     */
    public void onStored(List<WriteResult> results) {
        for (WriteResult w : results) {
            if (w.refused()) continue;
            for (StoredReading r : w.stored()) {
                if (r.text() == null) continue;
                if (r.channel().equals(CommandAck.CHANNEL)) acknowledged(r);
                else if (r.channel().equals(OutputsAnnouncement.CHANNEL)) announced(r);
                else if (r.channel().equals(dev.lichen.command.KeyRotation.CHANNEL)) newKey(r);
            }
        }
    }

    private void acknowledged(StoredReading r) {
        CommandAck ack = CommandAck.parse(r.text());
        if (ack == null || !ack.id().epoch().equals(epoch)) {
            badAcks.inc();
            return;
        }
        CommandState state = switch (ack.outcome()) {
            case DONE -> CommandState.DONE;
            case FAILED -> CommandState.FAILED;
            case REFUSED -> CommandState.REFUSED;
        };
        try {
            var done = store.finishCommand(ack.id().n(), r.deviceId(), state, ack.detail(), System.currentTimeMillis());
            if (done.isEmpty()) {
                badAcks.inc();
                return;
            }
            finished.inc(state.name().toLowerCase());
            bus.publish(new LiveEvent.CommandChanged(done.get()));
            changed(r.deviceId());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "acknowledgement of command " + ack.id() + " by " + r.deviceId() + " not stored", e);
        }
    }

    /**
     * The key a device made in a rotation, told over the link of its pinned key (the pipeline let
     * the pack in only with that key): the gateway takes it too, and tells the device to switch.
     */
    private void newKey(StoredReading r) {
        try {
            byte[] spki = java.util.Base64.getDecoder().decode(r.text().strip());
            java.security.KeyFactory.getInstance("EC").generatePublic(new java.security.spec.X509EncodedKeySpec(spki));
            identities.offerNext(r.deviceId(), spki, System.currentTimeMillis());
            make(r.deviceId(), dev.lichen.command.KeyRotation.OUTPUT, OutputKind.IDENTITY, 0, "rotation");
        } catch (IllegalArgumentException | java.security.GeneralSecurityException | IllegalStateException | CommandException e) {
            LOG.log(System.Logger.Level.WARNING, "device " + r.deviceId() + " told a new key the gateway cannot take: " + e.getMessage());
        }
    }

    private void announced(StoredReading r) {
        OutputsAnnouncement a = OutputsAnnouncement.parse(r.text());
        if (a == null) {
            LOG.log(System.Logger.Level.WARNING, "device " + r.deviceId() + " announced outputs the gateway cannot read: " + r.text());
            return;
        }
        List<DeviceOutput> outs = new ArrayList<>();
        a.outputs().forEach((name, kind) -> outs.add(new DeviceOutput(r.deviceId(), name,
                kind == OutputsAnnouncement.Kind.SWITCH ? OutputKind.SWITCH : OutputKind.DIMMER)));
        try {
            if (!outs.equals(store.outputs(r.deviceId()))) store.putOutputs(r.deviceId(), outs);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "outputs of " + r.deviceId() + " not stored", e);
        }
    }

    private void changed(String deviceId) {
        for (Door d : doors) {
            try {
                d.pendingChanged(deviceId);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not hand the commands of " + deviceId + " to " + d, e);
            }
        }
    }

    private void sweep() {
        while (running) {
            try {
                Thread.sleep(250);
                List<StoredCommand> gone = store.expireCommands(System.currentTimeMillis());
                java.util.Set<String> devices = new java.util.TreeSet<>();
                for (StoredCommand c : gone) {
                    finished.inc("expired");
                    bus.publish(new LiveEvent.CommandChanged(c));
                    devices.add(c.deviceId());
                }
                devices.forEach(this::changed);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "expiring commands failed; trying again", e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        sweeper.interrupt();
    }
}
