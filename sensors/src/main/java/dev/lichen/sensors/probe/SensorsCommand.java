package dev.lichen.sensors.probe;

import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.OneWireBus;
import dev.lichen.runtime.bus.SpiBus;
import dev.lichen.runtime.bus.pi4j.Pi4jBoard;
import dev.lichen.runtime.clock.Clock;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lichen sensors ...}: tools for the chips on a board. */
@Command(name = "sensors", description = "Sensor chips: find what is wired to this board.",
        mixinStandardHelpOptions = true, subcommands = {SensorsCommand.Probe.class})
public final class SensorsCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "probe", mixinStandardHelpOptions = true,
            description = "Scan the I2C buses (like i2cdetect -r), the 1-Wire bus and SPI chip-selects, and name the chips Lichen knows.")
    public static final class Probe implements Callable<Integer> {
        @Spec CommandSpec spec;

        private final java.util.function.Supplier<Board> hardware;

        /** On a board: Pi4J through device-runtime's Pi4jBoard. */
        public Probe() {
            this(() -> Pi4jBoard.open("probe"));
        }

        /** With another board backend (tests, other hardware). */
        public Probe(java.util.function.Supplier<Board> hardware) {
            this.hardware = hardware;
        }

        @Option(names = "--sim", description = "Probe a simulated board with one of every modelled chip.")
        boolean sim;

        @Option(names = "--max-bus", defaultValue = "1", description = "Scan i2c-0 .. i2c-N (default: ${DEFAULT-VALUE}).")
        int maxBus;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Board board;
            if (sim) {
                board = DemoBoard.create("sim", Clock.SYSTEM).board();
            } else {
                try {
                    board = hardware.get();
                } catch (RuntimeException e) {
                    err.println("lichen sensors probe: cannot open this board's buses (" + e.getMessage() + "); run on a Pi with I2C enabled, or use --sim");
                    return 2;
                }
            }
            try (board) {
                return report(board, out) ? 0 : 1;
            }
        }

        boolean report(Board board, PrintWriter out) {
            List<Integer> buses = new ArrayList<>();
            for (int i = 0; i <= maxBus; i++) {
                buses.add(i);
            }
            var found = I2cProbe.scan(board, buses, line -> { out.println(line); out.flush(); });
            boolean any = !found.isEmpty();
            out.println("scanning 1-Wire...");
            try {
                OneWireBus w1 = board.oneWire();
                for (String slave : w1.slaves()) {
                    out.println("  %s %s  %s".formatted(w1.name(), slave, slave.startsWith("28-") ? "ds18b20" : "unknown family"));
                    any = true;
                }
            } catch (BusException | RuntimeException e) {
                out.println("  1-Wire not available (" + e.getMessage() + ")");
            }
            out.println("scanning SPI chip-selects for an MCP3008...");
            for (int cs = 0; cs <= 1; cs++) {
                try {
                    SpiBus spi = board.spi(0);
                    byte[] in = spi.transfer(cs, new byte[] {0x01, (byte) 0x80, 0x00});
                    if ((in[1] & 0x04) == 0) {
                        out.println("  %s CE%d  mcp3008  (null bit answered; input 0 reads %d)".formatted(spi.name(), cs, ((in[1] & 3) << 8) | (in[2] & 0xFF)));
                        any = true;
                    }
                } catch (BusException | RuntimeException e) {
                    out.println("  spi-0 CE" + cs + " not available (" + e.getMessage() + ")");
                }
            }
            out.println(any ? "done." : "done: no known chip found. Check wiring, and that I2C/SPI/1-Wire are enabled (raspi-config or config.txt dtparam/dtoverlay).");
            return any;
        }
    }
}
