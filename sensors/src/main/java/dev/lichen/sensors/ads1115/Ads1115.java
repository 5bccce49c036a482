package dev.lichen.sensors.ads1115;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.sensors.core.I2cChip;
import dev.lichen.sensors.core.SensorFault;
import dev.lichen.sensors.core.Waits;

/**
 * TI ADS1115, 16-bit I2C ADC: single-shot conversions of one input against ground, through the
 * config register (OS, MUX, PGA, MODE, DR, comparator off) and the conversion register.
 */
public final class Ads1115 {
    static final int REG_CONVERSION = 0x00, REG_CONFIG = 0x01;
    static final int OS = 0x8000, MODE_SINGLE = 0x0100, COMP_DISABLE = 0x0003;

    /** Programmable gain: full-scale range and its PGA code. */
    public enum Pga {
        FS_6_144(6.144, 0), FS_4_096(4.096, 1), FS_2_048(2.048, 2), FS_1_024(1.024, 3), FS_0_512(0.512, 4), FS_0_256(0.256, 5);

        public final double fullScale;
        final int code;

        Pga(double fullScale, int code) {
            this.fullScale = fullScale;
            this.code = code;
        }

        public static Pga ofVolts(double volts) {
            for (Pga p : values()) {
                if (Math.abs(p.fullScale - volts) < 1e-9) {
                    return p;
                }
            }
            throw new IllegalArgumentException("ads1115 full scale must be 6.144, 4.096, 2.048, 1.024, 0.512 or 0.256 V, not " + volts);
        }
    }

    /** Data rates in samples per second, by DR code. */
    static final int[] RATES = {8, 16, 32, 64, 128, 250, 475, 860};

    private final I2cChip chip;
    private final Clock clock;
    private final int rateCode;

    private Ads1115(I2cChip chip, Clock clock, int samplesPerSecond) {
        this.chip = chip;
        this.clock = clock;
        int code = java.util.Arrays.stream(RATES).boxed().toList().indexOf(samplesPerSecond);
        if (code < 0) {
            throw new IllegalArgumentException("ads1115 data rate must be one of 8, 16, 32, 64, 128, 250, 475, 860 SPS, not " + samplesPerSecond);
        }
        this.rateCode = code;
    }

    /** Reads the config register once to see the chip is there. */
    public static Ads1115 start(I2cChip chip, Clock clock, int samplesPerSecond) throws BusException {
        Ads1115 adc = new Ads1115(chip, clock, samplesPerSecond);
        try {
            chip.readRegisters(REG_CONFIG, 2);
        } catch (BusException e) {
            throw chip.absent(e, "0x48 ADDR to GND, 0x49 to VDD, 0x4a to SDA, 0x4b to SCL");
        }
        return adc;
    }

    public String where() { return chip.where(); }

    /** One single-shot conversion of input 0..3 against GND, in volts. */
    public double volts(int input, Pga pga) throws BusException, SensorFault {
        int config = OS | ((0b100 | input) << 12) | (pga.code << 9) | MODE_SINGLE | (rateCode << 5) | COMP_DISABLE;
        chip.write((byte) REG_CONFIG, (byte) (config >> 8), (byte) config);
        // one conversion takes 1/DR; the internal oscillator may be 10% slow
        Waits.sleepMicros(clock, 1_100_000L / RATES[rateCode] + 100, chip.where());
        for (int i = 0; (u16(chip.readRegisters(REG_CONFIG, 2)) & OS) == 0; i++) {
            if (i >= 5) {
                throw new BusException(BusException.Kind.TIMEOUT, chip.where() + ": conversion did not finish");
            }
            Waits.sleepMicros(clock, 1_000_000L / RATES[rateCode] / 4 + 100, chip.where());
        }
        int raw = (short) u16(chip.readRegisters(REG_CONVERSION, 2));
        if (raw == Short.MAX_VALUE || raw == Short.MIN_VALUE) {
            throw new SensorFault.InvalidRawValue("%s: input %d saturated at the +-%.3f V full scale (raw 0x%04x): choose a larger full scale"
                    .formatted(chip.where(), input, pga.fullScale, raw & 0xFFFF));
        }
        return raw * pga.fullScale / 32768.0;
    }

    private static int u16(byte[] b) {
        return ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
    }
}
