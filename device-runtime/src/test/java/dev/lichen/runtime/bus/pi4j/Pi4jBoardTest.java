package dev.lichen.runtime.bus.pi4j;

import static org.junit.jupiter.api.Assertions.*;

import com.pi4j.Pi4J;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProvider;
import com.pi4j.plugin.mock.provider.spi.MockSpiProvider;
import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.DigitalInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Pi4J mapping, on Pi4J's own mock providers (no board here), and 1-Wire on a fake sysfs. */
class Pi4jBoardTest {
    @TempDir Path w1;
    private Pi4jBoard board;

    @BeforeEach
    void open() {
        var ctx = Pi4J.newContextBuilder()
                .add(MockI2CProvider.newInstance(), MockSpiProvider.newInstance(),
                        MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance())
                .build();
        board = new Pi4jBoard("rpi4", ctx, w1);
    }

    @AfterEach
    void close() {
        board.close();
    }

    @Test
    void i2cBytesWrittenToAnAddressReachThatDevice() throws Exception {
        var bus = board.i2c(1);
        // Pi4J's mock I2C device echoes what was written to it
        bus.write(0x76, new byte[] {0x01, 0x02, 0x03});
        bus.write(0x77, new byte[] {0x09});
        assertArrayEquals(new byte[] {0x01, 0x02, 0x03}, bus.read(0x76, 3));
        assertArrayEquals(new byte[] {0x09}, bus.read(0x77, 1));
        assertEquals("i2c-1", bus.name());
    }

    @Test
    void i2cShortReadIsABusErrorNamingAddressAndBus() throws Exception {
        var e = assertThrows(BusException.class, () -> board.i2c(1).read(0x44, 2));
        assertTrue(e.getMessage().contains("0x44") && e.getMessage().contains("i2c-1"), e.getMessage());
    }

    @Test
    void spiTransferIsFullDuplex() throws Exception {
        byte[] in = board.spi(0).transfer(0, new byte[] {0x55, 0x66});
        assertEquals(2, in.length, "as many bytes come back as go out");
    }

    @Test
    void digitalInputReadsLevelAndReportsEdges() throws Exception {
        DigitalInput in = board.digitalInput(17, Board.Pull.DOWN);
        List<DigitalInput.Edge> edges = new CopyOnWriteArrayList<>();
        AutoCloseable sub = in.onEdge(edges::add);
        MockDigitalInput mock = board.pi4jContext().io("gpio-in-17");
        mock.mockState(DigitalState.HIGH);
        assertTrue(in.isHigh());
        mock.mockState(DigitalState.LOW);
        assertFalse(in.isHigh());
        assertEquals(List.of(true, false), edges.stream().map(DigitalInput.Edge::high).toList());
        assertTrue(edges.stream().allMatch(e -> e.pin() == 17));
        sub.close();
        mock.mockState(DigitalState.HIGH);
        assertEquals(2, edges.size(), "a closed listener hears nothing more");
    }

    @Test
    void digitalOutputDrivesThePin() throws Exception {
        var out = board.digitalOutput(22, false);
        assertFalse(out.isHigh());
        out.set(true);
        assertTrue(out.isHigh());
        com.pi4j.io.gpio.digital.DigitalOutput pi = board.pi4jContext().io("gpio-out-22");
        assertEquals(DigitalState.HIGH, pi.state());
        assertThrows(BusException.class, () -> board.digitalInput(22, Board.Pull.NONE), "a pin is either in or out");
    }

    @Test
    void oneWireReadsKernelSlaveFiles() throws Exception {
        String text = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n";
        Files.createDirectories(w1.resolve("28-0000075e3a1b"));
        Files.writeString(w1.resolve("28-0000075e3a1b/w1_slave"), text);
        Files.createDirectories(w1.resolve("w1_bus_master1"));
        var bus = board.oneWire();
        assertEquals(List.of("28-0000075e3a1b"), bus.slaves());
        assertEquals(text, bus.readSlave("28-0000075e3a1b"));
        var e = assertThrows(BusException.class, () -> bus.readSlave("28-000000000001"));
        assertEquals(BusException.Kind.ABSENT, e.kind());
        assertThrows(BusException.class, () -> bus.readSlave("../../etc"), "a ROM id cannot walk out of the w1 folder");
    }

    @Test
    void missingW1FolderSaysHowToEnableIt() {
        var b = new Pi4jBoard("rpi4", Pi4J.newContextBuilder().build(), w1.resolve("absent"));
        var e = assertThrows(BusException.class, () -> b.oneWire().slaves());
        assertTrue(e.getMessage().contains("w1-gpio"), e.getMessage());
        b.close();
    }
}
