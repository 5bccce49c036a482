package dev.lichen.appliance;

import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.pi4j.Pi4jBoard;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.bus.sim.SimChipModels;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.storage.FileKeyValueStore;
import dev.lichen.runtime.storage.FileOutbox;
import dev.lichen.runtime.uplink.Uplink;
import dev.lichen.runtime.uplink.UplinkPump;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lichen sensor run --config device.json [--board sim]}: the sensor appliance's main. */
@Command(name = "sensor", description = "The sensor appliance: reads sensors, queues readings durably, uplinks them.",
        subcommands = {SensorCommand.Run.class, CommandLine.HelpCommand.class})
public final class SensorCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The configured outbox budget, or less when the data folder's file system is smaller (an
     * image's few-MiB data partition): an outbox that fills the disk would fail its appends instead
     * of dropping its oldest readings. An eighth is left for the file system's own tables, the
     * state files and a segment being rolled.
     */
    static long fitBudget(long configured, Path dataDir) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dataDir);
        long total = java.nio.file.Files.getFileStore(dataDir).getTotalSpace();
        return Math.min(configured, Math.max(total / 8 * 7, 65536));
    }

    /**
     * Runs the sensor appliance until the JVM is stopped: {@code lichen sensor run}'s work, also
     * called directly on an image ({@code ApplianceMain}), where building picocli's model of the
     * command line cost ~1 s of the boot under emulation. Returns 2 when it cannot start (a bad
     * config or board, an outbox in use, a sensor offering too little), having closed what it opened.
     */
    public static int runAppliance(Path config, Optional<String> board, java.io.PrintWriter err) throws Exception {
        var factories = SensorAppliance.installedFactories();
        DeviceConfig c;
        try {
            c = DeviceConfig.load(config, SensorAppliance.chips(factories));
        } catch (ConfigException e) {
            err.println("lichen sensor: " + e.getMessage());
            err.flush();
            return 2;
        }
        String boardName = board.orElse(c.board());
        if (!DeviceConfig.BOARDS.contains(boardName)) {
            err.println("lichen sensor: --board: unknown board '" + boardName + "' (one of " + String.join(", ", new java.util.TreeSet<>(DeviceConfig.BOARDS)) + ")");
            err.flush();
            return 2;
        }
        // what is opened is closed again, newest first, when the start fails: under init's supervisor
        // the JVM lives on, and the next try must find the outbox's lock and the pins free
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            // an uplink to a gateway given by its address needs nothing of the machine, so on an image it is
            // set up beside init's work; a host name is resolved once the network is up
            Uplink uplink = null;
            // (not with the device's own key: that is read from the data partition)
            if (c.gateway().hostIsAddress() && !c.gateway().ownKey()) opened.push(uplink = SensorAppliance.openUplink(c));
            // on an image, what follows needs the machine up (devices, data partition, network, clock)
            dev.lichen.runtime.system.Machine.awaitReady();
            Board b = Run.openBoard(boardName, c);
            opened.push(b);
            long budget = fitBudget(c.outboxBudgetBytes(), c.dataDir());
            if (budget < c.outboxBudgetBytes()) {
                err.println("lichen sensor: outbox budget " + budget + " bytes, not the configured " + c.outboxBudgetBytes()
                        + ": the data partition holds no more (build the image with a bigger --data-mib to keep more)");
                err.flush();
            }
            FileOutbox outbox = FileOutbox.open(c.dataDir().resolve("outbox"), budget);
            opened.push(outbox);
            var store = new FileKeyValueStore(c.dataDir().resolve("state"));
            if (uplink == null) {
                var identity = c.gateway().ownKey() ? Optional.of(dev.lichen.runtime.identity.DeviceIdentity.loadOrCreate(store))
                        : Optional.<dev.lichen.runtime.identity.DeviceIdentity>empty();
                opened.push(uplink = SensorAppliance.openUplink(c, identity));
            }
            var app = new SensorAppliance(c, b, Clock.SYSTEM, outbox, uplink, factories, Optional.of(store),
                    UplinkPump.Options.defaults());
            opened.push(app);
            app.start();
        } catch (Exception e) {
            err.println("lichen sensor: " + (e.getMessage() != null ? e.getMessage() : e));
            err.flush();
            closeAll(opened, err);
            return 2;
        }
        // stop sampling, let the pump finish its batch, then release the endpoint, the files, the pins
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll(opened, err);
            stopped.countDown();
        }, "lichen-sensor-stop"));
        dev.lichen.runtime.system.Machine.started(); // on an image, init arms the watchdog now
        stopped.await();
        return 0;
    }

    private static void closeAll(Deque<AutoCloseable> opened, java.io.PrintWriter err) {
        for (AutoCloseable c; (c = opened.poll()) != null; ) {
            try {
                c.close();
            } catch (Exception e) {
                err.println("lichen sensor: closing " + c.getClass().getSimpleName() + ": " + e.getMessage());
                err.flush();
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Runs until stopped (SIGTERM/Ctrl-C). Exits 2 before touching anything when the config is bad.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "the device's JSON config")
        Path config;

        @Option(names = "--board", paramLabel = "BOARD", description = "use this board instead of the config's: sim, rpi3, rpi4, arm64-virt")
        String board;

        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return runAppliance(config, Optional.ofNullable(board), spec.commandLine().getErr());
        }

        static Board openBoard(String name, DeviceConfig c) {
            return switch (name) {
                case "rpi3", "rpi4" -> Pi4jBoard.open(name);
                case "arm64-virt" -> benchBoard(c);
                default -> new SimBoard(name);
            };
        }

        /**
         * QEMU's virt machine has no sensor buses: each configured chip's model (sensors module,
         * found by ServiceLoader) is attached where the config places it, in fixed bench conditions.
         */
        static SimBoard benchBoard(DeviceConfig c) {
            SimBoard board = new SimBoard("arm64-virt");
            List<SimChipModels> providers = dev.lichen.runtime.system.Providers.load(SimChipModels.class);
            for (DeviceConfig.SensorSpec s : c.sensors()) {
                SimChipModels p = providers.stream().filter(m -> m.chips().contains(s.chip())).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("board arm64-virt has no model of chip " + s.chip()
                                + " (modelled chips: " + providers.stream().flatMap(m -> m.chips().stream()).sorted().toList()
                                + "): use a modelled chip, or build for a Raspberry Pi board"));
                p.attach(board, Clock.SYSTEM, s.chip(), s.placement());
            }
            return board;
        }
    }
}
