package dev.lichen.runtime.bus.pi4j;

import static org.junit.jupiter.api.Assertions.*;

import com.pi4j.Pi4J;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProvider;
import com.pi4j.plugin.mock.provider.pwm.MockPwmProvider;
import com.pi4j.plugin.mock.provider.spi.MockSpiProvider;
import dev.lichen.appliance.DeviceConfig.OutputSpec;
import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.DigitalInput;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.output.Dimmer;
import dev.lichen.runtime.output.Outputs;
import dev.lichen.runtime.output.Switch;
import java.time.Duration;
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
                        MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance(),
                        MockPwmProvider.newInstance())
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

    @Test
    void aSwitchIsAPi4jDigitalOutputOnItsBcmPinInvertedWhenActiveLow() throws Exception {
        var outputs = Outputs.open(board, List.of(
                new OutputSpec.SwitchSpec("relay", 22, true, false),
                new OutputSpec.SwitchSpec("lamp", 23, false, false)), Clock.SYSTEM);
        com.pi4j.io.gpio.digital.DigitalOutput relay = board.pi4jContext().io("gpio-out-22");
        com.pi4j.io.gpio.digital.DigitalOutput lamp = board.pi4jContext().io("gpio-out-23");
        assertEquals(22, relay.address());
        assertEquals(23, lamp.address());
        assertEquals(DigitalState.HIGH, relay.state(), "active low: off (its safe state) is the pin high");
        assertEquals(DigitalState.LOW, lamp.state());
        ((Switch) outputs.get(0)).set(true);
        ((Switch) outputs.get(1)).set(true);
        assertEquals(DigitalState.LOW, relay.state(), "active low: on is the pin low");
        assertEquals(DigitalState.HIGH, lamp.state());
        Outputs.closeAll(outputs);
        assertEquals(DigitalState.HIGH, relay.state(), "closed: back to off");
        assertEquals(DigitalState.LOW, lamp.state());
    }

    @Test
    void aDimmerIsAPi4jHardwarePwmOnItsChannelAtItsFrequency() throws Exception {
        var outputs = Outputs.open(board, List.of(
                new OutputSpec.DimmerSpec("fan", 18, 25_000, Duration.ZERO, 10),
                new OutputSpec.DimmerSpec("lamp", 13, 1000, Duration.ZERO, 0)), Clock.SYSTEM);
        com.pi4j.io.pwm.Pwm fan = board.pi4jContext().io("pwm-18");
        com.pi4j.io.pwm.Pwm lamp = board.pi4jContext().io("pwm-13");
        // Pi4J's linuxfs PWM is addressed by the Pi's PWM channel: 0 for GPIO 12/18, 1 for 13/19
        assertEquals(0, fan.address());
        assertEquals(1, lamp.address());
        assertEquals(com.pi4j.io.pwm.PwmType.HARDWARE, fan.pwmType());
        assertEquals(25_000, fan.frequency());
        assertEquals(1000, lamp.frequency());
        assertTrue(fan.isOn());
        assertEquals(10, fan.dutyCycle(), "opened at its safe level");
        assertFalse(lamp.isOn(), "0 % is the channel off");
        Dimmer d = (Dimmer) outputs.get(0);
        d.set(62.4);
        assertEquals(62, fan.dutyCycle(), "Pi4J takes whole percents");
        assertEquals(62.0, d.level(), "the level is what the pin is at");
        d.set(0);
        assertFalse(fan.isOn());
        d.set(100);
        assertEquals(100, fan.dutyCycle());
        Outputs.closeAll(outputs);
        assertEquals(10, fan.dutyCycle(), "closed: back to its safe level");
    }

    @Test
    void pwmOnAPinWithoutItOrOnABusyChannelIsRefusedNamingThePin() throws Exception {
        var e = assertThrows(BusException.class, () -> board.pwm(17, 1000));
        assertTrue(e.getMessage().contains("GPIO 17") && e.getMessage().contains("no hardware PWM"), e.getMessage());
        board.pwm(12, 1000);
        e = assertThrows(BusException.class, () -> board.pwm(18, 1000));
        assertTrue(e.getMessage().contains("GPIO 18") && e.getMessage().contains("GPIO 12"), e.getMessage());
    }
}
