package dev.lichen.sensors;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.sensors.bh1750.Bh1750;
import dev.lichen.sensors.bh1750.Bh1750Model;
import dev.lichen.sensors.core.I2cChip;
import dev.lichen.sensors.core.SensorFault;
import org.junit.jupiter.api.Test;

class Bh1750Test {
    final ManualClock clock = new ManualClock();
    final SimBoard board = new SimBoard("t");
    final Bh1750Model model = new Bh1750Model(clock);

    Bh1750 start(Bh1750.Resolution r, int mtreg) throws BusException {
        board.attachI2c(1, 0x23, model);
        return Bh1750.start(new I2cChip("bh1750", board.i2c(1), 1, 0x23), clock, r, mtreg);
    }

    @Test
    void highResolutionReadsBackAcrossTheRange() throws Exception {
        Bh1750 s = start(Bh1750.Resolution.H, 69);
        for (double lux : new double[] {1, 12, 100, 320, 1000, 10_000, 54_612}) {
            model.set(lux);
            // datasheet: measurement accuracy 1.2 +-20 %; the model uses the typical 1.2, so 1 count
            assertEquals(lux, s.lux(), Math.max(lux * 0.2, 1), "at " + lux);
            assertEquals(lux, s.lux(), 1 / 1.2 + 1e-9, "at " + lux);
        }
        assertEquals("lx", s.sample(0).getFirst().unit());
    }

    @Test
    void countToLuxFollowsTheDatasheet() throws Exception {
        // datasheet example: count 0x83 0x90 = 33680 -> 28067 lx in H mode at MTreg 69
        board.attachI2c(1, 0x5C, new dev.lichen.runtime.bus.sim.SimI2cDevice() {
            @Override public void write(byte[] d) {}
            @Override public byte[] read(int n) { return new byte[] {(byte) 0x83, (byte) 0x90}; }
        });
        var s = Bh1750.start(new I2cChip("bh1750", board.i2c(1), 1, 0x5C), clock, Bh1750.Resolution.H, 69);
        assertEquals(28067, s.lux(), 1);
    }

    @Test
    void h2AndLModesAndMtregScaleTheCount() throws Exception {
        Bh1750 h2 = start(Bh1750.Resolution.H2, 69);
        model.set(10.5);
        assertEquals(10.5, h2.lux(), 0.5 / 1.2 + 1e-9);
        Bh1750 l = Bh1750.start(new I2cChip("bh1750", board.i2c(1), 1, 0x23), clock, Bh1750.Resolution.L, 69);
        model.set(500);
        assertEquals(500, l.lux(), 4 / 1.2 + 1e-9);
        Bh1750 dim = Bh1750.start(new I2cChip("bh1750", board.i2c(1), 1, 0x23), clock, Bh1750.Resolution.H2, 254);
        model.set(0.5);
        assertEquals(0.5, dim.lux(), 0.15); // MTreg 254 in H2: 0.11 lx steps
        Bh1750 bright = Bh1750.start(new I2cChip("bh1750", board.i2c(1), 1, 0x23), clock, Bh1750.Resolution.H, 31);
        model.set(100_000);
        assertEquals(100_000, bright.lux(), 3);
    }

    @Test
    void saturationIsAFaultNotAReading() throws Exception {
        Bh1750 s = start(Bh1750.Resolution.H, 254);
        model.set(60_000);
        var e = assertThrows(BusException.class, () -> s.sample(0));
        assertInstanceOf(SensorFault.InvalidRawValue.class, e.getCause());
        assertTrue(e.getMessage().contains("saturated"), e.getMessage());
    }

    @Test
    void absentChipIsNamed() {
        var e = assertThrows(BusException.class,
                () -> Bh1750.start(new I2cChip("bh1750", board.i2c(1), 1, 0x23), clock, Bh1750.Resolution.H, 69));
        assertTrue(e.getMessage().startsWith("bh1750: no answer at 0x23 on i2c-1: check wiring (SDA pin 3, SCL pin 5"), e.getMessage());
    }
}
