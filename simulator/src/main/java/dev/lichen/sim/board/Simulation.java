package dev.lichen.sim.board;

import dev.lichen.appliance.DeviceConfig;
import dev.lichen.appliance.SensorAppliance;
import dev.lichen.runtime.uplink.CoapUplink;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import dev.lichen.runtime.uplink.Uplink;
import dev.lichen.sim.faults.NetworkFaults;
import dev.lichen.sim.faults.UdpProxy;
import dev.lichen.sim.physics.Home;
import dev.lichen.sim.scenario.Durations;
import dev.lichen.sim.scenario.FaultSpec;
import dev.lichen.sim.scenario.Plan;
import dev.lichen.sim.scenario.SimDevice;
import dev.lichen.sim.time.SimClock;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A running scenario: the simulated clock, the home, every virtual device, and the faults at
 * their moments. The gateway is given (in-process or elsewhere); restarting it needs a handle.
 */
public final class Simulation implements AutoCloseable {
    /** The gateway the devices talk to. restart is only possible for one the simulation controls. */
    public interface GatewayHandle {
        String host();

        int coapPort();

        int mqttPort();

        /** MQTT over TLS, with {@link #caFile()} the gateway CA to trust; -1 when this gateway offers none to the simulator. */
        default int mqttTlsPort() {
            return -1;
        }

        default java.util.Optional<java.nio.file.Path> caFile() {
            return java.util.Optional.empty();
        }

        /** CoAP over DTLS; -1 when this gateway offers none to the simulator. */
        default int coapsPort() {
            return -1;
        }

        /** Stops the gateway, waits, starts it again on the same ports and data. */
        default void restart(Runnable whileDown) throws Exception {
            throw new UnsupportedOperationException("this gateway is not run by the simulator: it cannot be restarted");
        }
    }

    /**
     * @param virtualTime a discrete-event clock (tests: as fast as possible, repeatable) instead of speed x real time
     * @param keepReadings keep every reading taken in memory (tests compare them with the gateway's)
     * @param plain devices send in the clear (CoAP, MQTT) even when the gateway offers CoAPS and MQTT over TLS
     */
    public record Options(Path dataDir, boolean virtualTime, boolean keepReadings, PrintStream log, boolean plain) {
        /** Devices encrypted when the gateway offers it (plain false). */
        public Options(Path dataDir, boolean virtualTime, boolean keepReadings, PrintStream log) {
            this(dataDir, virtualTime, keepReadings, log, false);
        }
    }

    private final Plan plan;
    private final GatewayHandle gateway;
    private final Options options;
    private final SimClock clock;
    private final Home home;
    private final NetworkFaults network = new NetworkFaults();
    private final ReadingLog readings;
    private final Map<String, VirtualDevice> devices = new LinkedHashMap<>();
    private UdpProxy proxy;
    private CoapEndpoint sharedCoap;
    private Thread faultThread;
    private final List<String> faultLog = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Thread> slow = new java.util.concurrent.CopyOnWriteArrayList<>();

    public Simulation(Plan plan, GatewayHandle gateway, Options options) {
        this(plan, gateway, options, options.virtualTime() ? SimClock.virtual(plan.startMillis(), Duration.ofMillis(200))
                : SimClock.scaled(plan.startMillis(), plan.speed()));
    }

    /** The simulation timed by this clock, e.g. the one the gateway's automations run on too ({@link #clockFor}). */
    public Simulation(Plan plan, GatewayHandle gateway, Options options, SimClock clock) {
        this.plan = plan;
        this.gateway = gateway;
        this.options = options;
        this.clock = clock;
        this.home = new Home(plan);
        this.readings = new ReadingLog(options.keepReadings());
    }

    public SimClock clock() { return clock; }

    /** A clock for the plan's time at its speed (not virtual time): made before the gateway, shared with it. */
    public static SimClock clockFor(Plan plan) {
        return SimClock.scaled(plan.startMillis(), plan.speed());
    }

    public Home home() { return home; }

    public ReadingLog readings() { return readings; }

    public NetworkFaults network() { return network; }

    public List<String> faultLog() { return faultLog; }

    public VirtualDevice device(String id) { return devices.get(id); }

    /** Someone moves in the room now, for that long: the room's motion sensors report it. */
    public void motion(String room, Duration lasts) {
        home.motion(room, clock.epochMillis(), lasts);
        devices.values().forEach(VirtualDevice::homeChanged);
    }

    public List<VirtualDevice> devices() { return List.copyOf(devices.values()); }

    /**
     * One Californium endpoint for every CoAP device of the simulation: one socket and a few
     * threads instead of four threads and a socket per device, so that a thousand fit in one JVM.
     */
    private synchronized CoapEndpoint sharedCoap() {
        if (sharedCoap == null) {
            Configuration c = CoapUplink.configuration(CoapUplink.Options.defaults());
            // a thousand devices share one message-id space towards the gateway: recycle ids sooner
            c.set(CoapConfig.EXCHANGE_LIFETIME, 20, TimeUnit.SECONDS);
            c.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 2);
            sharedCoap = CoapEndpoint.builder().setConfiguration(c).setInetSocketAddress(new InetSocketAddress(0)).build();
            try {
                sharedCoap.start();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot open a UDP socket for the devices' CoAP", e);
            }
        }
        return sharedCoap;
    }

    private static CoapUplink.Options coapOptions(dev.lichen.senml.SenmlFormat format) {
        var d = CoapUplink.Options.defaults();
        return new CoapUplink.Options(format, d.ackTimeout(), d.maxRetransmit(), d.blockSize());
    }

    /** MQTT devices speak TLS to a gateway that offers it, unless the options say plain. */
    private boolean encryptedMqtt() {
        return !options.plain() && gateway.mqttTlsPort() > 0 && gateway.caFile().isPresent();
    }

    /**
     * CoAP devices speak CoAPS, presenting their own key pair and trusting the gateway's CA, when
     * the gateway offers both. Each has its own DTLS endpoint then (a session per device), not the
     * one shared CoAP socket.
     */
    private boolean encryptedCoap() {
        return !options.plain() && gateway.coapsPort() > 0 && gateway.caFile().isPresent();
    }

    /** Starts every device (time stands still meanwhile), then the fault schedule. */
    public void start() throws Exception {
        boolean udpTrouble = plan.faults().stream().anyMatch(f -> f instanceof FaultSpec.UdpTrouble);
        if (udpTrouble) {
            // the trouble sits between the devices and the port they use
            proxy = new UdpProxy(new InetSocketAddress(gateway.host(), encryptedCoap() ? gateway.coapsPort() : gateway.coapPort()), plan.seed());
        }
        VirtualDevice.Network net = new VirtualDevice.Network() {
            @Override public String host() { return proxy != null ? "127.0.0.1" : gateway.host(); }

            @Override
            public int port(String uplink) {
                if ("mqtt".equals(uplink)) return encryptedMqtt() ? gateway.mqttTlsPort() : gateway.mqttPort();
                if (proxy != null) return proxy.port();
                return "coaps".equals(uplink) ? gateway.coapsPort() : gateway.coapPort();
            }

            @Override
            public java.util.Optional<java.nio.file.Path> caFile(String uplink) {
                boolean encrypted = "mqtt".equals(uplink) ? encryptedMqtt() : "coap".equals(uplink) && encryptedCoap();
                return encrypted ? gateway.caFile() : java.util.Optional.empty();
            }

            @Override
            public Uplink uplink(String deviceId, DeviceConfig config, Optional<dev.lichen.runtime.identity.DeviceIdentity> identity) {
                var g = config.gateway();
                Uplink real = g.uplink() == DeviceConfig.UplinkKind.COAP
                        ? new CoapUplink(sharedCoap(), g.host(), g.port(), coapOptions(g.format()))
                        : SensorAppliance.openUplink(config, identity);
                return network.wrap(deviceId, real);
            }
        };
        // every device starts at the same simulated instant: each start holds time until it first waits
        try (ExecutorService starting = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> started = new ArrayList<>();
            for (SimDevice d : plan.devices()) {
                VirtualDevice v = new VirtualDevice(d, options.dataDir().resolve(d.deviceId()), home, clock, net, readings,
                        plan.seed());
                devices.put(d.deviceId(), v);
                SimClock.Hold hold = clock.hold();
                started.add(starting.submit(() -> {
                    clock.adopt(hold);
                    try {
                        v.start();
                    } finally {
                        clock.leave();
                    }
                    return null;
                }));
            }
            for (Future<?> f : started) f.get();
        }
        faultThread = Thread.ofVirtual().name("sim-faults").start(this::runFaults);
    }

    private record Action(long at, String what, Step step) {}

    private interface Step {
        void run() throws Exception;
    }

    private List<Action> schedule() {
        List<Action> a = new ArrayList<>();
        for (FaultSpec f : plan.faults()) {
            switch (f) {
                case FaultSpec.NetworkLoss n -> {
                    a.add(new Action(n.at(), "network lost for " + n.devices().size() + " devices", () -> network.cut(n.devices())));
                    a.add(new Action(n.at() + n.forMillis(), "network back for " + n.devices().size() + " devices",
                            () -> network.restore(n.devices())));
                }
                case FaultSpec.UdpTrouble u -> {
                    a.add(new Action(u.at(), "UDP loss " + u.loss() + ", delay " + u.delayMillis() + " ms",
                            () -> proxy.trouble(u.loss(), u.delayMillis())));
                    a.add(new Action(u.at() + u.forMillis(), "UDP clear", () -> proxy.trouble(0, 0)));
                }
                case FaultSpec.GatewayRestart g -> a.add(new Action(g.at(), "gateway restart", () -> gateway.restart(() -> {
                    try {
                        clock.sleep(Duration.ofMillis(g.downMillis()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })));
                case FaultSpec.SensorFault s -> {
                    a.add(new Action(s.at(), s.device() + " " + s.chip() + " " + s.mode(),
                            () -> devices.get(s.device()).sensorFault(s.chip(), s.mode(), s.noise())));
                    a.add(new Action(s.at() + s.forMillis(), s.device() + " " + s.chip() + " works again",
                            () -> devices.get(s.device()).clearSensorFault(s.chip())));
                }
                case FaultSpec.Reboot r -> a.add(new Action(r.at(), r.device() + (r.powerLoss() ? " loses power" : " reboots"),
                        () -> devices.get(r.device()).reboot(r.powerLoss())));
                case FaultSpec.ClockSkew c -> {
                    a.add(new Action(c.at(), c.device() + " clock skewed " + Durations.format(c.skewMillis()),
                            () -> devices.get(c.device()).skewClock(c.skewMillis())));
                    if (c.forMillis() > 0) {
                        a.add(new Action(c.at() + c.forMillis(), c.device() + " clock right again",
                                () -> devices.get(c.device()).skewClock(0)));
                    }
                }
            }
        }
        a.sort(Comparator.comparingLong(Action::at));
        return a;
    }

    private void runFaults() {
        for (Action a : schedule()) {
            try {
                // a hair early, so that a device waking at the very same instant already sees the fault
                clock.sleepUntilElapsed(a.at() - 1);
                String line = "t+" + Durations.format(clock.elapsedMillis() / 1000 * 1000) + ": " + a.what();
                faultLog.add(line);
                if (options.log() != null) options.log().println("sim: " + line);
                if (a.what().equals("gateway restart")) {
                    // time runs on while the gateway is down; other faults keep their moments
                    slow.add(Thread.ofVirtual().name("sim-gateway-restart").start(() -> {
                        try {
                            a.step().run();
                            faultLog.add("t+" + Durations.format(clock.elapsedMillis() / 1000 * 1000) + ": gateway back");
                        } catch (Exception e) {
                            faultLog.add("fault failed: " + a.what() + ": " + e);
                        }
                    }));
                } else {
                    a.step().run(); // this thread is busy: time waits for it, except where it waits itself
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                faultLog.add("fault failed: " + a.what() + ": " + e);
                if (options.log() != null) options.log().println("sim: fault failed: " + a.what() + ": " + e);
            }
        }
    }

    /** Sleeps until the scenario's duration has passed in simulated time (or forever when it has none). */
    public void awaitEnd() throws InterruptedException {
        if (plan.durationMillis() > 0) {
            clock.sleepUntilElapsed(plan.durationMillis());
            for (Thread t : slow) t.join(); // a gateway restart under way finishes first
        } else {
            new java.util.concurrent.CountDownLatch(1).await();
        }
    }

    /** Stops sampling everywhere; what the outboxes hold is still being delivered until close. */
    public Optional<String> proxyStats() {
        return proxy == null ? Optional.empty() : Optional.of("relayed " + proxy.relayed() + ", dropped " + proxy.dropped());
    }

    @Override
    public void close() {
        if (faultThread != null) faultThread.interrupt();
        try (ExecutorService stopping = Executors.newVirtualThreadPerTaskExecutor()) {
            for (VirtualDevice d : devices.values()) stopping.submit(d::close);
        }
        synchronized (this) {
            if (sharedCoap != null) sharedCoap.destroy();
        }
        if (proxy != null) {
            try {
                proxy.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        clock.close();
    }
}
