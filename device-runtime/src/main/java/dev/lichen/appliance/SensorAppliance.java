package dev.lichen.appliance;

import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.clock.Interruptible;
import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.runtime.sensor.SensorFactory;
import dev.lichen.runtime.storage.KeyValueStore;
import dev.lichen.runtime.storage.Outbox;
import dev.lichen.runtime.uplink.CoapUplink;
import dev.lichen.runtime.uplink.MqttUplink;
import dev.lichen.runtime.uplink.Uplink;
import dev.lichen.runtime.uplink.UplinkPump;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlException;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensor appliance: starts each configured sensor through its {@link SensorFactory}, samples
 * each channel on its interval (one virtual thread a sensor, timed by the given {@link Clock}),
 * pushes event channels as they fire, appends every reading to the outbox before anything is
 * sent, and runs the {@link UplinkPump} that delivers the outbox to the gateway.
 *
 * <p>A failed read publishes nothing for its channels (never a made-up number) and is counted;
 * a sensor that cannot start is retried. Each change of state gets one log line.
 */
public final class SensorAppliance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SensorAppliance.class);
    /** How often a sensor that failed to start is tried again. */
    static final Duration RESTART_EVERY = Duration.ofSeconds(5);

    public record Stats(String bootId, long appended, long failedReads, long invalidReadings, UplinkPump.Stats uplink, long commandsApplied) {}

    private final DeviceConfig config;
    private final Board board;
    private final Clock clock;
    private final Outbox outbox;
    private final List<SensorFactory> factories;
    private final Optional<KeyValueStore> store;
    private final UplinkPump pump;
    private final Uplink uplink;
    private List<dev.lichen.runtime.output.Output> outputs = List.of();
    private CommandRunner commands;
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong failedReads = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private volatile boolean running;
    private String bootId;
    private volatile Optional<dev.lichen.runtime.identity.DeviceIdentity> identity = Optional.empty();

    /** The appliance with the sensor drivers found by ServiceLoader. */
    public SensorAppliance(DeviceConfig config, Board board, Clock clock, Outbox outbox, Uplink uplink) {
        this(config, board, clock, outbox, uplink, installedFactories(), Optional.empty(), UplinkPump.Options.defaults());
    }

    public SensorAppliance(DeviceConfig config, Board board, Clock clock, Outbox outbox, Uplink uplink,
                           List<SensorFactory> factories, Optional<KeyValueStore> store, UplinkPump.Options pumpOptions) {
        this.config = config;
        this.board = board;
        this.clock = clock;
        this.outbox = outbox;
        this.factories = List.copyOf(factories);
        this.store = store;
        this.pump = new UplinkPump(config.deviceId(), outbox, uplink, clock, pumpOptions);
        this.uplink = uplink;
    }

    public static List<SensorFactory> installedFactories() {
        return dev.lichen.runtime.system.Providers.load(SensorFactory.class);
    }

    public static Set<String> chips(List<SensorFactory> factories) {
        Set<String> chips = new TreeSet<>();
        factories.forEach(f -> chips.addAll(f.chips()));
        return chips;
    }

    /** The uplink the config names, for a config that needs no identity ({@link DeviceConfig.Gateway#ownKey()} false). */
    public static Uplink openUplink(DeviceConfig config) {
        return openUplink(config, Optional.empty());
    }

    /**
     * The uplink the config names: CoAP, CoAP over DTLS with the PSK or with the device's own key
     * pair (identity, which such a config needs), or MQTT (over TLS with the gateway's CA and no
     * user name: with the device's own key too).
     */
    public static Uplink openUplink(DeviceConfig config, Optional<dev.lichen.runtime.identity.DeviceIdentity> identity) {
        DeviceConfig.Gateway g = config.gateway();
        return switch (g.uplink()) {
            case COAP, COAPS -> {
                var d = CoapUplink.Options.defaults();
                var options = new CoapUplink.Options(g.format(), d.ackTimeout(), d.maxRetransmit(), d.blockSize());
                if (g.ownKey()) {
                    var id = identity.orElseThrow(() -> new IllegalStateException(
                            "coaps with the device's own key needs its identity, kept in the device's state folder"));
                    yield new CoapUplink(g.host(), g.port(), new CoapUplink.OwnKey(id.keys(), g.ca().orElseThrow()), options);
                }
                yield new CoapUplink(g.host(), g.port(), g.psk().map(p -> new CoapUplink.PskCredentials(p.identity(), p.key())), options);
            }
            case MQTT -> {
                var d = MqttUplink.Options.defaults();
                var options = new MqttUplink.Options(g.format(), d.protocol(), d.timeout(), d.keepAlive(), d.sessionExpiry(),
                        g.username(), g.password(), g.tls(), g.ca(), Optional.empty());
                if (g.ownKey()) {
                    var id = identity.orElseThrow(() -> new IllegalStateException(
                            "mqtt over TLS with the device's own key needs its identity, kept in the device's state folder"));
                    options = options.withOwnKey(g.ca().orElseThrow(), id.keys());
                }
                yield new MqttUplink(config.deviceId(), g.host(), g.port(), options);
            }
        };
    }

    /**
     * Starts every sensor and the pump. Throws if a sensor that did start does not offer a
     * channel the config names (nothing is left running then); a sensor whose chip does not
     * answer yet is retried in the background.
     */
    public synchronized SensorAppliance start() throws IOException {
        if (running) throw new IllegalStateException("already started");
        bootId = newBootId();
        running = true;
        // the device's own key pair: made on the first boot (two writes before the first reading,
        // that boot only), read on the others; before the start line, so that an image's class
        // archive holds its classes whatever the training run reached
        if (store.isPresent()) {
            try {
                identity = Optional.of(dev.lichen.runtime.identity.DeviceIdentity.loadOrCreate(store.get()));
            } catch (IOException e) {
                LOG.warn("device {} has no identity this boot: {}", config.deviceId(), e.getMessage());
            }
        }
        LOG.info("device {} starting: boot {}, {} sensor(s), uplink {}", config.deviceId(), bootId,
                config.sensors().size(), "via " + config.gateway().uplink().name().toLowerCase(java.util.Locale.ROOT)
                        + (config.gateway().tls() ? " over TLS" : ""));
        // the same fingerprint is on the gateway's ready line and first-run page: a person compares them
        config.gateway().ca().ifPresent(ca -> LOG.info("trusting the gateway CA with SHA-256 fingerprint {}", ca.fingerprint()));
        try {
            for (DeviceConfig.SensorSpec spec : config.sensors()) {
                SensorFactory factory = factories.stream().filter(f -> f.chips().contains(spec.chip())).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no SensorFactory offers chip " + spec.chip()));
                Worker w = new Worker(spec, factory);
                w.tryStart();
                workers.add(w);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        workers.forEach(Worker::launch);
        if (!config.outputs().isEmpty() || (config.gateway().ownKey() && identity.isPresent())) startOutputs();
        pump.start();
        // after the sensors and the pump started: the count's write (three fsyncs on an image's FAT data
        // partition, ~0.2 s under QEMU) does not hold back the first reading. A cut before it is durable
        // counts this boot again; the id's random part still keeps the readings' ids apart
        if (store.isPresent()) store.get().put("boot.count", bootId.substring(0, bootId.indexOf('-')));
        identity.ifPresent(id -> LOG.info("device {} identity: public key fingerprint {} (compare it with the gateway's new-device card)",
                config.deviceId(), id.fingerprint()));
        return this;
    }

    /**
     * Opens the outputs in their safe state, tells the gateway about them and their state, and
     * takes commands from the uplink (a device with its own key takes them without outputs too:
     * a rotation of its key comes as commands). An output that cannot be opened (its pin is taken or
     * missing) stops the start: the board is not what the config says.
     */
    private void startOutputs() throws IOException {
        try {
            outputs = dev.lichen.runtime.output.Outputs.open(board, config.outputs(), clock);
        } catch (BusException e) {
            close();
            throw new IOException("the outputs cannot be opened: " + e.getMessage(), e);
        }
        Optional<CommandRunner.Rotation> rotation = config.gateway().ownKey() && identity.isPresent() && store.isPresent()
                ? Optional.of(new CommandRunner.Rotation() {
                    @Override
                    public byte[] prepare() throws IOException {
                        return dev.lichen.runtime.identity.DeviceIdentity.prepareNext(store.get()).keys().getPublic().getEncoded();
                    }

                    @Override
                    public boolean switchNow() throws IOException {
                        var next = dev.lichen.runtime.identity.DeviceIdentity.switchToNext(store.get());
                        if (next.isEmpty()) return false;
                        identity = next;
                        uplink.rekey(next.get().keys());
                        LOG.info("device {} identity: public key fingerprint {} (rotated; the gateway took it over the old key's link)",
                                config.deviceId(), next.get().fingerprint());
                        return true;
                    }
                })
                : Optional.empty();
        commands = new CommandRunner(config.deviceId(), outputs, this::append, store, clock, rotation).start();
        uplink.onCommands(config.deviceId(), commands::offer);
        if (!outputs.isEmpty()) LOG.info("device {}: {} output(s) in their safe state, taking commands", config.deviceId(), outputs.size());
    }

    /** The device's outputs (empty when the config names none), once started. */
    public List<dev.lichen.runtime.output.Output> outputs() {
        return outputs;
    }

    /** The device's own key pair, once started with a key-value store. */
    public Optional<dev.lichen.runtime.identity.DeviceIdentity> identity() {
        return identity;
    }

    public String bootId() {
        return bootId;
    }

    public Stats stats() {
        return new Stats(bootId, appended.get(), failedReads.get(), invalid.get(), pump.stats(), commands == null ? 0 : commands.applied());
    }

    @Override
    public synchronized void close() {
        running = false;
        workers.forEach(Worker::stop);
        workers.clear();
        if (commands != null) commands.close();
        commands = null;
        dev.lichen.runtime.output.Outputs.closeAll(outputs);
        pump.close();
    }

    /** A fresh id each start: with the outbox's growing sequence it names every reading for ever. */
    private String newBootId() throws IOException {
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        String suffix = HexFormat.of().formatHex(random);
        if (store.isEmpty()) return "r" + suffix;
        return (storedBootCount() + 1) + "-" + suffix;
    }

    /**
     * The boots counted so far. An unreadable count (seen after a power cut on the FAT data
     * partition of an image: an empty file) starts the count again instead of stopping every
     * start for good: the random suffix keeps each boot id unique.
     */
    private long storedBootCount() throws IOException {
        String text = store.get().get("boot.count").orElse("0").strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            LOG.warn("boot count unreadable (\"{}\"): counting again from 1", text.length() > 40 ? text.substring(0, 40) : text);
            return 0;
        }
    }

    private void append(Reading r) {
        try {
            // what the codec cannot send must not sit in the outbox ahead of good readings
            SenmlCodec.check(r);
        } catch (SenmlException e) {
            invalid.incrementAndGet();
            LOG.warn("invalid reading not queued: {}", e.getMessage());
            return;
        }
        for (Worker w : workers) w.observe(r);
        try {
            outbox.append(bootId, r);
            appended.incrementAndGet();
            pump.wake();
        } catch (IOException e) {
            LOG.error("outbox append failed, reading of {} lost: {}", r.channel(), e.getMessage());
        }
    }

    /** One sensor: its driver, its polled channels' next due times, its event subscription. */
    private final class Worker {
        private final DeviceConfig.SensorSpec spec;
        private final SensorFactory factory;
        private final String label;
        private final Map<String, Duration> polled = new LinkedHashMap<>();
        private final Set<String> events = new TreeSet<>();
        private final Interruptible waits = new Interruptible();
        private volatile Sensor sensor;

        /** Hands another sensor's reading to this one (an SGP30 compensating for humidity). */
        void observe(Reading r) {
            Sensor s = sensor;
            if (s == null) return;
            try {
                s.observe(r);
            } catch (RuntimeException e) {
                LOG.warn("{} could not use a {} reading: {}", label, r.channel(), e.getMessage());
            }
        }
        private AutoCloseable eventSubscription;
        private Thread thread;
        private String state = "";

        Worker(DeviceConfig.SensorSpec spec, SensorFactory factory) {
            this.spec = spec;
            this.factory = factory;
            this.label = spec.chip() + placementLabel(spec.placement());
            spec.channels().forEach((name, schedule) -> {
                switch (schedule) {
                    case DeviceConfig.Schedule.Every(Duration d) -> polled.put(name, d);
                    case DeviceConfig.Schedule.OnEvent() -> events.add(name);
                }
            });
        }

        /** Starts the driver once; a chip that does not answer is logged and retried later. */
        boolean tryStart() {
            Sensor s;
            try {
                s = factory.start(spec.chip(), board, spec.placement());
            } catch (BusException e) {
                changeState("absent", "not answering: " + e.getMessage() + "; retrying every " + RESTART_EVERY.toSeconds() + " s");
                return false;
            }
            Set<String> offered = new TreeSet<>();
            s.channels().forEach(c -> offered.add(c.name()));
            for (String wanted : spec.channels().keySet()) {
                if (!offered.contains(wanted)) {
                    s.close();
                    throw new IllegalStateException("sensor " + label + " has no channel '" + wanted
                            + "' (it offers " + String.join(", ", offered) + "): fix channels in the config");
                }
            }
            if (!events.isEmpty()) {
                eventSubscription = s.onEvent(r -> {
                    if (running && events.contains(r.channel())) append(r);
                });
            }
            sensor = s;
            changeState("ok", "started");
            return true;
        }

        void launch() {
            thread = Thread.ofVirtual().name("sensor-" + label).start(this::run);
        }

        private void run() {
            Map<String, Long> due = new LinkedHashMap<>();
            long now = clock.monotonicNanos();
            polled.keySet().forEach(c -> due.put(c, now));
            try {
                while (running && !waits.isStopped()) {
                    if (sensor == null) {
                        if (!tryStart()) {
                            failedReads.addAndGet(polled.size());
                            sleep(RESTART_EVERY);
                            continue;
                        }
                    }
                    if (polled.isEmpty()) {
                        // an events-only sensor: nothing to poll, its listener does the work
                        sleep(Duration.ofSeconds(60));
                        continue;
                    }
                    long t = clock.monotonicNanos();
                    List<String> dueNow = new ArrayList<>();
                    due.forEach((c, at) -> { if (at <= t) dueNow.add(c); });
                    if (!dueNow.isEmpty()) sample(dueNow);
                    for (String c : dueNow) {
                        long next = due.get(c) + polled.get(c).toNanos();
                        // after a stall (slow bus, suspended clock) skip missed slots, do not burst
                        due.put(c, next <= t ? t + polled.get(c).toNanos() : next);
                    }
                    long wait = due.values().stream().mapToLong(Long::longValue).min().orElseThrow() - clock.monotonicNanos();
                    if (wait > 0) sleep(Duration.ofNanos(wait));
                }
            } catch (InterruptedException e) {
                // stopping
            } catch (RuntimeException e) {
                LOG.error("sensor {} stopped: {}", label, e.getMessage(), e);
            }
        }

        /** Only sleeps are interrupted on stop: never a bus transaction or an outbox append. */
        private void sleep(Duration d) throws InterruptedException {
            waits.await(() -> {
                clock.sleep(d);
                return null;
            });
        }

        private void sample(List<String> channels) {
            List<Reading> readings;
            try {
                readings = sensor.sample(clock.epochMillis());
            } catch (BusException e) {
                failedReads.addAndGet(channels.size());
                changeState("failing", "read failed (" + e.kind() + "): " + e.getMessage() + "; its readings are marked invalid and not sent");
                return;
            } catch (RuntimeException e) {
                failedReads.addAndGet(channels.size());
                changeState("failing", "driver error: " + e);
                return;
            }
            changeState("ok", "reading");
            for (String c : channels) {
                Reading r = readings.stream().filter(x -> x.channel().equals(c)).findFirst().orElse(null);
                if (r == null) {
                    failedReads.incrementAndGet();
                    continue;
                }
                append(r);
            }
        }

        /** One log line when the sensor's state changes (ok, absent, failing), not per read. */
        private void changeState(String next, String detail) {
            if (next.equals(state)) return;
            boolean recovered = next.equals("ok") && !state.isEmpty();
            state = next;
            if (next.equals("ok")) LOG.info("sensor {}: {}", label, recovered ? "reading again" : detail);
            else LOG.warn("sensor {}: {}", label, detail);
        }

        void stop() {
            waits.stop();
            if (thread != null) {
                try {
                    thread.join(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (eventSubscription != null) {
                try {
                    eventSubscription.close();
                } catch (Exception e) {
                    LOG.debug("closing event subscription", e);
                }
            }
            Sensor s = sensor;
            if (s != null) s.close();
        }
    }

    private static String placementLabel(Map<String, Object> p) {
        if (p.get("address") instanceof Integer a) return "@i2c-%s/0x%02x".formatted(p.getOrDefault("bus", 1), a);
        if (p.get("pin") instanceof Integer pin) return "@gpio" + pin;
        if (p.get("romId") instanceof String rom) return "@w1/" + rom;
        if (p.get("chipSelect") instanceof Integer cs) return "@spi-" + p.getOrDefault("bus", 0) + "/cs" + cs;
        return "";
    }
}
