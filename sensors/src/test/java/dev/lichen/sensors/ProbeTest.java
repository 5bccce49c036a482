package dev.lichen.sensors;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.DigitalInput;
import dev.lichen.runtime.bus.DigitalOutput;
import dev.lichen.runtime.bus.I2cBus;
import dev.lichen.runtime.bus.OneWireBus;
import dev.lichen.runtime.bus.SpiBus;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.sensors.probe.DemoBoard;
import dev.lichen.sensors.probe.I2cProbe;
import dev.lichen.sensors.probe.SensorsCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ProbeTest {
    @Test
    void scanNamesEveryModelledI2cChipAndNothingElse() {
        var demo = DemoBoard.create("t", Clock.SYSTEM);
        List<String> progress = new ArrayList<>();
        var found = I2cProbe.scan(demo.board(), List.of(0, 1), progress::add);
        assertEquals(List.of("0x23 bh1750", "0x44 sht31", "0x48 ads1115", "0x58 sgp30", "0x76 bme280"),
                found.stream().map(f -> "0x%02x %s".formatted(f.address(), f.chip())).toList());
        assertTrue(found.stream().allMatch(f -> f.bus().equals("i2c-1")));
        assertTrue(found.get(4).detail().contains("chip id 0x60"));
        assertTrue(found.get(2).detail().contains("config register 0x8583"), found.get(2).detail());
        assertTrue(progress.contains("scanning i2c-0 (0x03..0x77)..."), progress.toString());
    }

    @Test
    void commandLineProbeSimListsChipsOnEveryBus() {
        var out = new StringWriter();
        var cmd = new CommandLine(new SensorsCommand());
        cmd.setOut(new PrintWriter(out));
        int code = cmd.execute("probe", "--sim");
        String text = out.toString();
        assertEquals(0, code, text);
        for (String s : new String[] {"i2c-1 0x76  bme280", "i2c-1 0x44  sht31", "i2c-1 0x58  sgp30", "w1 28-0000075e3a1b  ds18b20",
                "w1 28-0000075e9c02  ds18b20", "spi-0 CE0  mcp3008"}) {
            assertTrue(text.contains(s), s + " missing from:\n" + text);
        }
        assertFalse(text.contains("spi-0 CE1  mcp3008"), text);
    }

    @Test
    void aBoardWithNothingWiredSaysWhatToCheck() {
        var out = new StringWriter();
        var cmd = new CommandLine(new SensorsCommand.Probe(() -> new dev.lichen.runtime.bus.sim.SimBoard("bare")));
        cmd.setOut(new PrintWriter(out));
        assertEquals(1, cmd.execute());
        assertTrue(out.toString().contains("no known chip found. Check wiring"), out.toString());
    }

    @Test
    void aMissingBusIsReportedNotScanned() {
        Board board = new Board() {
            @Override public String name() { return "no-i2c"; }
            @Override public I2cBus i2c(int bus) {
                return new I2cBus() {
                    @Override public String name() { return "i2c-" + bus; }
                    @Override public void write(int a, byte[] d) { fail("a missing bus gets no writes"); }
                    @Override public byte[] read(int a, int n) throws BusException {
                        throw new BusException(BusException.Kind.ABSENT, "cannot open i2c-" + bus);
                    }
                    @Override public byte[] writeRead(int a, byte[] d, int n) throws BusException { return read(a, n); }
                };
            }
            @Override public SpiBus spi(int bus) { throw new UnsupportedOperationException(); }
            @Override public OneWireBus oneWire() { throw new UnsupportedOperationException(); }
            @Override public DigitalInput digitalInput(int pin, Pull pull) { throw new UnsupportedOperationException(); }
            @Override public DigitalOutput digitalOutput(int pin, boolean initial) { throw new UnsupportedOperationException(); }
            @Override public void close() {}
        };
        List<String> progress = new ArrayList<>();
        assertTrue(I2cProbe.scan(board, List.of(1), progress::add).isEmpty());
        assertEquals(List.of("i2c-1: not available (cannot open i2c-1)"), progress);
    }

    @Test
    void aBoardThatCannotBeOpenedSaysWhatToDo() {
        var err = new StringWriter();
        var cmd = new CommandLine(new SensorsCommand.Probe(() -> { throw new IllegalStateException("no /dev/i2c-1"); }));
        cmd.setErr(new PrintWriter(err));
        assertEquals(2, cmd.execute());
        assertTrue(err.toString().contains("no /dev/i2c-1") && err.toString().contains("use --sim"), err.toString());
    }
}
