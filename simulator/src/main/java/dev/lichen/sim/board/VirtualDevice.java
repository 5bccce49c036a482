package dev.lichen.sim.board;

import dev.lichen.appliance.ConfigException;
import dev.lichen.appliance.DeviceConfig;
import dev.lichen.appliance.SensorAppliance;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.storage.FileKeyValueStore;
import dev.lichen.runtime.storage.FileOutbox;
import dev.lichen.runtime.storage.Outbox;
import dev.lichen.runtime.uplink.UplinkPump;
import java.util.Optional;
import dev.lichen.runtime.uplink.Uplink;
import dev.lichen.sensors.core.ModelFaults;
import dev.lichen.sensors.factory.LichenSensorFactory;
import dev.lichen.sensors.sim.ChipModels;
import dev.lichen.sim.faults.SkewedClock;
import dev.lichen.sensors.sim.Environment;
import dev.lichen.sim.physics.Home;
import dev.lichen.sim.scenario.FaultSpec.SensorMode;
import dev.lichen.sim.scenario.ScenarioLoader;
import dev.lichen.sim.scenario.SimDevice;
import dev.lichen.sim.time.SimClock;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One virtual board: a {@link SimBoard} carrying the chip models its device config names, fed by
 * the home's physics, running the real {@link SensorAppliance} (real drivers, real file outbox,
 * real uplink). It can be rebooted (a new boot id), lose power mid-write, have its clock skewed and
 * its chips broken. Its outputs act on the home: each change the appliance makes to an output's
 * pin is told to the {@link Home} as the level of what that output drives.
 */
public final class VirtualDevice implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How devices reach the gateway and what they share. */
    public interface Network {
        String host();

        /** The port this device's uplink kind connects to. */
        int port(String uplink);

        /** The device's uplink (real CoAP or MQTT), wrapped for network faults; identity is its own key, for an uplink that presents it. */
        Uplink uplink(String deviceId, DeviceConfig config, Optional<dev.lichen.runtime.identity.DeviceIdentity> identity) throws IOException;

        /**
         * The gateway CA this uplink kind trusts when it is encrypted (the device's caFile): MQTT
         * over TLS, or CoAP as coaps; either way the device presents its own key pair.
         */
        default java.util.Optional<Path> caFile(String uplink) {
            return java.util.Optional.empty();
        }
    }

    private final SimDevice spec;
    private final Path dataDir;
    private final Home home;
    private final SimClock simClock;
    private final SkewedClock clock;
    private final Network network;
    private final ReadingLog log;
    private final long seed;
    private final Map<String, ModelFaults> faults = new HashMap<>();
    private final List<Consumer<Environment>> pins = new ArrayList<>();
    private String placeOfPins;
    private SensorAppliance appliance;
    private Outbox outbox;
    private Uplink uplink;
    private Thread pinDriver;
    private AutoCloseable outputListener;
    private int boots;

    public VirtualDevice(SimDevice spec, Path dataDir, Home home, SimClock simClock, Network network, ReadingLog log,
                         long seed) {
        this.spec = spec;
        this.dataDir = dataDir;
        this.home = home;
        this.simClock = simClock;
        this.clock = new SkewedClock(simClock);
        this.network = network;
        this.log = log;
        this.seed = seed;
    }

    public String id() { return spec.deviceId(); }

    public SimDevice spec() { return spec; }

    public int boots() { return boots; }

    /** The device config the appliance runs with: the scenario's, pointing at the gateway. */
    public DeviceConfig config() throws ConfigException {
        var ca = network.caFile(spec.uplink());
        String uplink = ca.isPresent() && spec.uplink().equals("coap") ? "coaps" : spec.uplink();
        var complete = ScenarioLoader.completeConfig(spec.deviceConfig(), uplink, network.host(), network.port(uplink), dataDir.toString());
        ObjectNode gateway = (ObjectNode) complete.get("gateway");
        ca.ifPresent(file -> gateway.put("caFile", file.toString()));
        try {
            return DeviceConfig.parse(spec.deviceId(), JSON.writeValueAsBytes(complete), ChipModels.chips());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where a device of the simulation under devicesDir keeps its state (its key pair among it). */
    public static Path stateDir(Path devicesDir, String deviceId) {
        return devicesDir.resolve(deviceId).resolve("state");
    }

    public synchronized void start() throws Exception {
        if (appliance != null) return;
        DeviceConfig config = config();
        Files.createDirectories(dataDir);
        SimBoard board = new SimBoard(spec.deviceId());
        faults.clear();
        pins.clear();
        for (DeviceConfig.SensorSpec s : config.sensors()) {
            String place = spec.placeOf(s.chip());
            var ctx = new ChipModels.Context(board, clock, () -> home.at(place, simClock.epochMillis()));
            ChipModels.Attached a = ChipModels.attach(s.chip(), ctx, s.placement());
            faults.put(s.chip(), a.faults());
            if (a.gpio() != null) {
                pins.add(a.gpio());
                placeOfPins = place;
            }
        }
        // heard from the first pin the appliance sets, so the home knows each output's safe state
        outputListener = listenToOutputs(board, config);
        outbox = new RecordingOutbox(spec.deviceId(),
                FileOutbox.open(dataDir.resolve("outbox"), config.outboxBudgetBytes()), log);
        var state = new FileKeyValueStore(dataDir.resolve("state"));
        // the key the uplink presents is the one the appliance prints: read (or made) once, here
        var identity = config.gateway().ownKey() ? Optional.of(dev.lichen.runtime.identity.DeviceIdentity.loadOrCreate(state))
                : Optional.<dev.lichen.runtime.identity.DeviceIdentity>empty();
        uplink = network.uplink(spec.deviceId(), config, identity);
        appliance = new SensorAppliance(config, board, clock, outbox, uplink, List.of(new LichenSensorFactory(clock)),
                Optional.of(state), UplinkPump.Options.defaults());
        appliance.start();
        boots++;
        if (!pins.isEmpty()) {
            pinDriver = Thread.ofVirtual().name("pins-" + spec.deviceId()).start(this::drivePins);
        }
    }

    /**
     * Tells the home each output's level as its pin changes: a switch's pin (inverted when active
     * low) 0 or 1, a dimmer's duty 0-100 % as 0 to 1. Outputs that drive nothing are not heard.
     */
    private AutoCloseable listenToOutputs(SimBoard board, DeviceConfig config) {
        Map<Integer, DeviceConfig.OutputSpec> byPin = new HashMap<>();
        for (DeviceConfig.OutputSpec o : config.outputs()) {
            if (home.drives(spec.deviceId(), o.name())) byPin.put(o.pin(), o);
        }
        if (byPin.isEmpty()) return null;
        return board.onOutput(change -> {
            DeviceConfig.OutputSpec o = byPin.get(change.pin());
            if (o == null) return;
            double level = switch (o) {
                case DeviceConfig.OutputSpec.SwitchSpec sw -> (change.value() > 0.5) != sw.activeLow() ? 1 : 0;
                case DeviceConfig.OutputSpec.DimmerSpec d -> change.value() / 100;
            };
            home.actuate(spec.deviceId(), o.name(), simClock.epochMillis(), level);
        });
    }

    /** The running appliance's outputs (empty when it has none or is stopped). */
    public synchronized List<dev.lichen.runtime.output.Output> outputs() {
        return appliance == null ? List.of() : appliance.outputs();
    }

    /** Moves the PIR / reed pins at the moments the home says motion or a door changes. */
    private void drivePins() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                long now = simClock.epochMillis();
                Environment e = home.at(placeOfPins, now);
                for (Consumer<Environment> p : pins) p.accept(e);
                long next = home.nextEdgeAfter(placeOfPins, now);
                if (next == Long.MAX_VALUE) next = now + 3_600_000;
                simClock.sleep(java.time.Duration.ofMillis(Math.max(1, next - now)));
            }
        } catch (InterruptedException e) {
            // stopped
        }
    }

    /** Stops the appliance as a power switch would (what is durable stays; nothing is flushed after). */
    public synchronized void stop() {
        if (pinDriver != null) {
            pinDriver.interrupt();
            pinDriver = null;
        }
        if (appliance != null) {
            appliance.close();
            appliance = null;
        }
        if (outputListener != null) {
            try {
                outputListener.close();
            } catch (Exception e) {
                // a listener list: closing it does not fail
            }
            outputListener = null;
            // a board without power drives nothing: its relays drop out, its PWM stops
            long now = simClock.epochMillis();
            for (var o : spec.outputs()) {
                if (home.drives(spec.deviceId(), o.name())) home.actuate(spec.deviceId(), o.name(), now, 0);
            }
        }
        if (uplink != null) {
            uplink.close();
            uplink = null;
        }
        if (outbox != null) {
            try {
                outbox.close();
            } catch (IOException e) {
                // as after a power cut: the next open recovers what is on flash
            }
            outbox = null;
        }
    }

    /**
     * Restarts the device with a new boot id. With power loss, the write that was under way is
     * torn: a partial record is left at the end of the outbox file, which the outbox must find by
     * its checksum and drop, keeping everything before it.
     */
    public synchronized void reboot(boolean powerLoss) throws Exception {
        stop();
        if (powerLoss) tearLastWrite();
        start();
    }

    private void tearLastWrite() throws IOException {
        Path file;
        try (Stream<Path> files = Files.list(dataDir.resolve("outbox"))) {
            file = files.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().startsWith("seg-"))
                    .max(java.util.Comparator.comparingLong(p -> p.toFile().lastModified())).orElse(null);
        }
        if (file == null) return;
        // the record being written when the power went: a random prefix of a record-sized write
        SplittableRandom r = new SplittableRandom(seed ^ spec.deviceId().hashCode() ^ boots);
        byte[] torn = new byte[1 + r.nextInt(40)];
        for (int i = 0; i < torn.length; i++) torn[i] = (byte) r.nextInt(256);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length());
            f.write(torn);
        }
    }

    /** The running appliance's statistics (boot id, readings appended, failed reads, uplink), or null when stopped. */
    public synchronized SensorAppliance.Stats stats() {
        return appliance == null ? null : appliance.stats();
    }

    /** Readings in the outbox not yet acknowledged by the gateway. */
    public synchronized long backlog() {
        return outbox == null ? 0 : outbox.stats().pending();
    }

    public void skewClock(long millis) {
        clock.skew(millis);
    }

    public synchronized void sensorFault(String chip, SensorMode mode, double noise) {
        ModelFaults f = faults.get(chip);
        if (f == null) return;
        switch (mode) {
            case STUCK -> f.stuck(true);
            case NACK -> f.nack(true);
            case NOISY -> f.noise(seed ^ chip.hashCode() ^ spec.deviceId().hashCode(), noise);
        }
    }

    public synchronized void clearSensorFault(String chip) {
        ModelFaults f = faults.get(chip);
        if (f == null) return;
        f.stuck(false).nack(false).noise(0, 0);
    }

    @Override
    public void close() {
        stop();
    }
}
