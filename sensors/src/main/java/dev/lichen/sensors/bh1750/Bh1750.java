package dev.lichen.sensors.bh1750;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.senml.Reading;
import dev.lichen.sensors.core.I2cChip;
import dev.lichen.sensors.core.SensorFault;
import dev.lichen.sensors.core.Units;
import dev.lichen.sensors.core.Waits;
import java.util.List;

/**
 * ROHM BH1750FVI over I2C: one-time measurements in H (1 lx), H2 (0.5 lx) or L (4 lx) resolution,
 * with the measurement time register (MTreg) for sensitivity. lux = count / 1.2 * (69 / MTreg),
 * halved again in H2 mode. The chip powers down after each one-time measurement.
 */
public final class Bh1750 implements Sensor {
    static final int POWER_DOWN = 0x00, POWER_ON = 0x01, RESET = 0x07;
    static final int DEFAULT_MTREG = 69;

    /** One-time mode opcodes, and maximum measurement time at the default MTreg (datasheet: 180 / 24 ms). */
    public enum Resolution {
        H(0x20, 180_000, 1), H2(0x21, 180_000, 2), L(0x23, 24_000, 1);

        final int oneTime;
        final long maxMicros;
        final int divisor;

        Resolution(int oneTime, long maxMicros, int divisor) {
            this.oneTime = oneTime;
            this.maxMicros = maxMicros;
            this.divisor = divisor;
        }
    }

    private final I2cChip chip;
    private final Clock clock;
    private final Resolution resolution;
    private final int mtreg;

    private Bh1750(I2cChip chip, Clock clock, Resolution resolution, int mtreg) {
        this.chip = chip;
        this.clock = clock;
        this.resolution = resolution;
        this.mtreg = mtreg;
    }

    /** Powers the chip on (an absent one NACKs), resets its data register, sets MTreg. */
    public static Bh1750 start(I2cChip chip, Clock clock, Resolution resolution, int mtreg) throws BusException {
        if (mtreg < 31 || mtreg > 254) {
            throw new IllegalArgumentException("bh1750 MTreg must be 31..254, not " + mtreg);
        }
        try {
            chip.write((byte) POWER_ON);
        } catch (BusException e) {
            throw chip.absent(e, "0x23 with ADDR low, 0x5c with ADDR high");
        }
        chip.write((byte) RESET);
        // MTreg goes in two writes: 01000_MT[7:5], then 011_MT[4:0]
        chip.write((byte) (0x40 | (mtreg >> 5)));
        chip.write((byte) (0x60 | (mtreg & 0x1F)));
        return new Bh1750(chip, clock, resolution, mtreg);
    }

    @Override
    public List<Channel> channels() {
        return List.of(Units.ILLUMINANCE);
    }

    public synchronized double lux() throws BusException, SensorFault {
        chip.write((byte) resolution.oneTime);
        Waits.sleepMicros(clock, resolution.maxMicros * mtreg / DEFAULT_MTREG, chip.where());
        byte[] d = chip.read(2);
        int count = ((d[0] & 0xFF) << 8) | (d[1] & 0xFF);
        if (count == 0xFFFF) {
            throw new SensorFault.InvalidRawValue("%s: count 65535: the sensor is saturated; lower MTreg (now %d) or use L mode"
                    .formatted(chip.where(), mtreg));
        }
        return count / 1.2 * DEFAULT_MTREG / mtreg / resolution.divisor;
    }

    @Override
    public List<Reading> sample(long timeMillis) throws BusException {
        try {
            return List.of(Units.number(Units.ILLUMINANCE, lux(), timeMillis));
        } catch (SensorFault f) {
            throw f.asBusException();
        }
    }

    @Override
    public void close() {
        try {
            chip.write((byte) POWER_DOWN);
        } catch (BusException ignored) {
            // gone already
        }
    }
}
