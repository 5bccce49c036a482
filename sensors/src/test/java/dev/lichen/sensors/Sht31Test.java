package dev.lichen.sensors;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.sensors.core.I2cChip;
import dev.lichen.sensors.core.SensorFault;
import dev.lichen.sensors.sht31.Sht31;
import dev.lichen.sensors.sht31.Sht31Model;
import org.junit.jupiter.api.Test;

class Sht31Test {
    // SHT31 datasheet: +-0.3 degC (0..90 typ, worse to +-1.5 at the ends), +-2 %RH
    final ManualClock clock = new ManualClock();
    final SimBoard board = new SimBoard("t");
    final Sht31Model model = new Sht31Model(clock);

    Sht31 start() throws BusException {
        board.attachI2c(1, 0x44, model);
        return Sht31.start(new I2cChip("sht31", board.i2c(1), 1, 0x44), clock, Sht31.Repeatability.HIGH);
    }

    @Test
    void readsBackValuesAcrossTheRange() throws Exception {
        Sht31 sensor = start();
        double[][] cases = {{-40, 0}, {-10, 15}, {0, 100}, {4, 80}, {25, 50}, {60, 30}, {90, 5}, {125, 60}};
        for (double[] c : cases) {
            model.set(c[0], c[1]);
            var m = sensor.measure();
            assertEquals(c[0], m.celsius(), 0.3, "T at " + c[0]);
            assertEquals(c[1], m.relativeHumidity(), 2, "RH at " + c[1]);
            assertEquals(c[0], m.celsius(), 0.003); // 175/65535 degC per count
        }
        var readings = sensor.sample(7);
        assertEquals("temperature", readings.get(0).channel());
        assertEquals("%RH", readings.get(1).unit());
    }

    @Test
    void readBeforeTheMeasurementIsDoneIsNackedWithoutClockStretching() throws Exception {
        board.attachI2c(1, 0x44, model);
        var bus = board.i2c(1);
        bus.write(0x44, new byte[] {0x24, 0x00});
        var e = assertThrows(BusException.class, () -> bus.read(0x44, 6));
        assertEquals(BusException.Kind.NACK, e.kind());
        clock.advance(java.time.Duration.ofMillis(13));
        assertEquals(6, bus.read(0x44, 6).length);
        // read once: the result is gone
        assertThrows(BusException.class, () -> bus.read(0x44, 6));
    }

    @Test
    void badCrcIsACrcMismatchNeverANumber() throws Exception {
        Sht31 sensor = start();
        model.faults().badCrc(true);
        var e = assertThrows(BusException.class, () -> sensor.sample(0));
        assertInstanceOf(SensorFault.CrcMismatch.class, e.getCause());
        assertTrue(e.getMessage().contains("sht31 at 0x44 on i2c-1"), e.getMessage());
    }

    @Test
    void statusWithCommandFailedIsANamedFault() throws Exception {
        Sht31 sensor = start();
        assertEquals(0, sensor.status() & 0x0012, "reset and command bits cleared at start");
        board.i2c(1).write(0x44, new byte[] {0x12, 0x34}); // not a command the chip knows
        var e = assertThrows(SensorFault.ChipStatus.class, sensor::status);
        assertTrue(e.getMessage().contains("last command not processed"), e.getMessage());
        sensor.heater(true);
        assertEquals(0x2000, sensor.status() & 0x2000);
    }

    @Test
    void absentChipNamesAddressAndPins() {
        var e = assertThrows(BusException.class,
                () -> Sht31.start(new I2cChip("sht31", board.i2c(1), 1, 0x45), clock, Sht31.Repeatability.LOW));
        assertEquals(BusException.Kind.ABSENT, e.kind());
        assertTrue(e.getMessage().startsWith("sht31: no answer at 0x45 on i2c-1: check wiring (SDA pin 3, SCL pin 5"), e.getMessage());
    }

    @Test
    void nackMidwayIsABusFault() throws Exception {
        Sht31 sensor = start();
        model.faults().nack(true);
        assertEquals(BusException.Kind.NACK, assertThrows(BusException.class, () -> sensor.sample(0)).kind());
    }
}
