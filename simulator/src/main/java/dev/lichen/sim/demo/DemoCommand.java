package dev.lichen.sim.demo;

import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.store.Device;
import dev.lichen.gateway.store.DeviceState;
import dev.lichen.gateway.store.Store;
import dev.lichen.sim.board.Scenarios;
import dev.lichen.sim.board.Simulation;
import dev.lichen.sim.time.SimClock;
import dev.lichen.sim.scenario.Plan;
import dev.lichen.sim.scenario.Scenario;
import dev.lichen.sim.scenario.SimDevice;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lichen demo}: a gateway (embedded broker, SQLite in ./lichen-data) and a built-in home
 * of thirteen virtual devices, some over CoAP and some over MQTT, adopted into their rooms on the
 * first start. Three of them drive something: the hall light, the bathroom fan and the basil's
 * watering pump act on the simulated home as their outputs are set. Runs until Ctrl-C, then stops the devices and the gateway cleanly.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs a gateway and a simulated home (kitchen, living room, bedroom, bathroom, four plants, a fridge, "
                + "a front door: 13 devices over CoAP and MQTT; a hall light, a bathroom fan and a watering pump) until Ctrl-C.",
                "Its day runs 60 times faster than the clock so the charts move; a second start reuses the data."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "lichen-data", description = "data folder (default ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--http-port", defaultValue = "8080", description = "web UI and API port (default ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--coap-port", defaultValue = "5683", description = "CoAP port (default ${DEFAULT-VALUE})")
    int coapPort;

    @Option(names = "--mqtt-port", defaultValue = "1883", description = "MQTT port (default ${DEFAULT-VALUE})")
    int mqttPort;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "address to listen on; 0.0.0.0 lets other machines in (default ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--verbose", description = "log every component's INFO lines (default: warnings only)")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DemoCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        if (!verbose) quietLogs();
        Plan plan;
        try (InputStream in = DemoCommand.class.getResourceAsStream("home.json")) {
            plan = Scenarios.loader().parse(in.readAllBytes(), "built-in demo home", List.of());
        }
        // Ctrl-C ends the demo through the normal path below (exit 0), not through the JVM's default exit 130
        CountDownLatch stop = new CountDownLatch(1);
        // a script's background job starts with SIGINT ignored, and the JVM then never installs the
        // handler (Signal.handle answers SIG_IGN): say how to stop it instead of promising Ctrl-C
        boolean ctrlC = sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> stop.countDown()) != sun.misc.SignalHandler.SIG_IGN;
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> stop.countDown());

        System.out.println("lichen demo: starting the gateway (data in " + data.toAbsolutePath() + ")...");
        GatewayConfig config = GatewayConfig.defaults().withDataDir(data).withBindHost(bind)
                .withPorts(coapPort, mqttPort, httpPort)
                // a demo on this computer: a browser trusts plain http on loopback, and a CA warning would only scare
                .withHttpsPort(GatewayConfig.HTTPS_OFF)
                // the demo's devices all run in this process, from one address
                .withLimits(GatewayConfig.Limits.forDevicesOnOneHost(plan.devices().size()));
        // the gateway's automations run on the home's clock, as its devices do
        SimClock clock = Simulation.clockFor(plan);
        EmbeddedGateway gateway;
        try {
            gateway = new EmbeddedGateway(config, clock);
        } catch (Exception e) {
            System.err.println("lichen demo: the gateway could not start: " + e.getMessage());
            System.err.println("lichen demo: is another Lichen (or anything) using ports " + httpPort + "/tcp, " + coapPort
                    + "/udp or " + mqttPort + "/tcp? Choose others with --http-port, --coap-port, --mqtt-port.");
            return 1;
        }
        Simulation sim = null;
        try {
            Store store = gateway.gateway().store();
            Path devices = data.resolve("demo-devices");
            int adopted = adopt(gateway.gateway(), plan, devices);
            int automated = automate(gateway.gateway());
            sim = new Simulation(plan, gateway, new Simulation.Options(devices, false, false, null), clock);
            sim.start();
            String host = bind.equals("0.0.0.0") ? "127.0.0.1" : bind;
            System.out.printf(Locale.ROOT, "lichen demo: %d devices running (%d over CoAP, %d over MQTT)%s, started in %.1f s%n",
                    plan.devices().size(), plan.devices().stream().filter(d -> d.uplink().equals("coap")).count(),
                    plan.devices().stream().filter(d -> d.uplink().equals("mqtt")).count(),
                    adopted > 0 ? ", " + adopted + " adopted into their rooms" : "", (System.nanoTime() - t0) / 1e9);
            if (automated > 0) System.out.println("lichen demo: " + automated + " automations made: the hall light on motion in the dark,"
                    + " the bathroom fan when it is humid, the basil's pump when its soil is dry (see the Automations page)");
            System.out.println();
            System.out.println("  Open http://" + host + ":" + httpPort + "/");
            if (store.userCount() == 0) {
                System.out.println("  First run: the page asks you to create the admin account (there is no default password).");
            } else {
                System.out.println("  Log in with the account you created on the first run.");
            }
            System.out.println("  The home's day runs 60x faster than the clock; readings arrive every few seconds.");
            System.out.println(ctrlC ? "  Press Ctrl-C to stop."
                    : "  Stop it with kill " + ProcessHandle.current().pid() + " (SIGTERM): it was started with Ctrl-C (SIGINT) ignored,"
                    + " as a script's background job is.");
            System.out.flush();
            stop.await();
            System.out.println("lichen demo: stopping...");
        } finally {
            if (sim != null) sim.close();
            gateway.close();
        }
        System.out.println("lichen demo: stopped cleanly; the data stays in " + data.toAbsolutePath());
        return 0;
    }

    /** Thirteen devices, a broker and a web server log a lot at INFO: keep the demo's own lines readable. */
    private static void quietLogs() {
        try {
            Object factory = org.slf4j.LoggerFactory.getILoggerFactory();
            Class<?> level = Class.forName("ch.qos.logback.classic.Level");
            Object root = factory.getClass().getMethod("getLogger", String.class).invoke(factory, "ROOT");
            root.getClass().getMethod("setLevel", level).invoke(root, level.getField("WARN").get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another logging backend: leave it as configured
        }
    }

    /**
     * Adopts the demo's devices into their rooms, so that the dashboard shows them from the start,
     * each with its own key pinned: the demo makes every virtual device's key pair in the device's
     * own state folder (where the device reads it) and pins it before the device first speaks, as
     * a person would after comparing fingerprints. A device a person rejected stays rejected;
     * one from an older demo, adopted with a pre-shared key, moves to its own key.
     */
    static int adopt(dev.lichen.gateway.Gateway gateway, Plan plan, Path devicesDir) throws java.io.IOException {
        Store store = gateway.store();
        Map<String, String> roomOf = new HashMap<>();
        Scenario home = plan.home();
        home.rooms().forEach(r -> roomOf.put(r.name(), r.name()));
        home.plants().forEach(p -> roomOf.put(p.name(), p.room()));
        home.fridges().forEach(f -> roomOf.put(f.name(), f.room() == null ? "kitchen" : f.room()));
        home.doors().forEach(d -> roomOf.put(d.name(), d.room() == null ? "hall" : d.room()));
        int n = 0;
        long now = System.currentTimeMillis();
        for (SimDevice d : plan.devices()) {
            Device known = store.device(d.deviceId()).orElse(null);
            if (known != null && known.state() == DeviceState.REJECTED) continue; // a person's choice stands
            if (!gateway.deviceIdentities().pinned(d.deviceId())) {
                var identity = dev.lichen.runtime.identity.DeviceIdentity.loadOrCreate(new dev.lichen.runtime.storage.FileKeyValueStore(
                        dev.lichen.sim.board.VirtualDevice.stateDir(devicesDir, d.deviceId())));
                gateway.deviceKeys().revoke(d.deviceId());
                gateway.deviceIdentities().pinKnown(d.deviceId(), identity.keys().getPublic().getEncoded(), now);
            }
            if (known != null && known.state() == DeviceState.ADOPTED) continue; // its name and room may be a person's
            if (known == null) store.setOnline(d.deviceId(), false, now);
            store.adopt(d.deviceId(), title(d.deviceId()), title(roomOf.get(d.place())));
            n++;
        }
        return n;
    }

    /**
     * The demo home's automations, made once (a person may change or delete them afterwards; one
     * that is gone is made again at the next start only if none of that name is there):
     * the hall light on motion while the room is dark (its own light sensor; with the lamp on the
     * room stays below the threshold, so more motion keeps it on), the bathroom fan when the air
     * stays humid, the basil's pump when its soil is dry. The home's day runs 60 times faster than
     * the clock, so their minutes are short.
     */
    static int automate(dev.lichen.gateway.Gateway gateway) {
        var engine = gateway.automations();
        java.util.Set<String> have = new java.util.HashSet<>();
        engine.list().forEach(a -> have.add(a.name()));
        int n = 0;
        for (String json : DEMO_AUTOMATIONS) {
            try {
                var a = dev.lichen.gateway.automations.AutomationJson.parse(json);
                if (have.contains(a.name())) continue;
                engine.create(a);
                n++;
            } catch (dev.lichen.gateway.automations.AutomationJson.InvalidAutomation e) {
                throw new IllegalStateException("the demo's automation is not valid: " + e.getMessage(), e);
            }
        }
        return n;
    }

    static final List<String> DEMO_AUTOMATIONS = List.of("""
            {"name": "Hall light on motion in the dark",
             "trigger": {"type": "reading", "device": "living-presence", "channel": "motion", "op": "equals", "value": 1},
             "conditions": [{"type": "value", "device": "living-presence", "channel": "illuminance", "op": "below", "value": 300}],
             "actions": [{"type": "set", "device": "living-presence", "output": "hall_light", "on": true, "forMinutes": 2}]}
            """, """
            {"name": "Bathroom fan when humid",
             "trigger": {"type": "reading", "device": "bathroom-climate", "channel": "humidity", "op": "above", "value": 70, "forMinutes": 1},
             "actions": [{"type": "set", "device": "bathroom-climate", "output": "bathroom_fan", "level": 80, "forMinutes": 5}],
             "cooldownSeconds": 300}
            """, """
            {"name": "Water the basil when dry",
             "trigger": {"type": "reading", "device": "plant-basil", "channel": "soil_moisture", "op": "below", "value": 35},
             "actions": [{"type": "set", "device": "plant-basil", "output": "basil_pump", "on": true, "forMinutes": 0.5}],
             "cooldownSeconds": 1800}
            """);

    private static String title(String id) {
        String s = id.replace('-', ' ');
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
