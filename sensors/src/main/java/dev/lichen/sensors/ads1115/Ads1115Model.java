package dev.lichen.sensors.ads1115;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimI2cDevice;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.sensors.analog.AnalogFrontEnd;
import dev.lichen.sensors.core.ModelFaults;

/**
 * An ADS1115 as its four registers show it: a single-shot conversion starts when OS is written,
 * OS reads 0 until it is done (1/DR later), and the conversion register then holds the input
 * voltage in the PGA's full scale, clipped at 0x7FFF/0x8000. Continuous mode converts every 1/DR.
 */
public final class Ads1115Model implements SimI2cDevice, AnalogFrontEnd {
    private static final double[] FULL_SCALE = {6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256};

    private final Clock clock;
    private final ModelFaults faults = new ModelFaults();
    private final double[] inputs = new double[4];
    private int pointer;
    private int config = 0x8583; // power-up default
    private int conversion;
    private int loThresh = 0x8000, hiThresh = 0x7FFF;
    private long doneNanos = Long.MIN_VALUE;
    private boolean converting;

    public Ads1115Model(Clock clock) {
        this.clock = clock;
    }

    public ModelFaults faults() { return faults; }

    @Override
    public synchronized void setVolts(int input, double volts) {
        if (!faults.isStuck()) {
            inputs[input] = volts;
        }
    }

    @Override
    public synchronized void write(byte[] data) throws BusException {
        faults.checkAnswering("ads1115");
        if (data.length == 0) {
            return;
        }
        pointer = data[0] & 0x03;
        if (data.length >= 3) {
            int value = ((data[1] & 0xFF) << 8) | (data[2] & 0xFF);
            switch (pointer) {
                case 1 -> writeConfig(value);
                case 2 -> loThresh = value;
                case 3 -> hiThresh = value;
                default -> { /* conversion register is read-only */ }
            }
        }
    }

    private void writeConfig(int value) {
        config = value & 0x7FFF;
        boolean single = (value & Ads1115.MODE_SINGLE) != 0;
        if ((value & Ads1115.OS) != 0 || !single) {
            converting = true;
            doneNanos = clock.monotonicNanos() + periodNanos();
        }
    }

    private long periodNanos() {
        return 1_000_000_000L / Ads1115.RATES[(config >> 5) & 7];
    }

    private void update() {
        if (converting && clock.monotonicNanos() >= doneNanos) {
            conversion = convert();
            if ((config & Ads1115.MODE_SINGLE) != 0) {
                converting = false; // back to power-down
            } else {
                doneNanos += periodNanos();
            }
        }
    }

    private int convert() {
        int mux = (config >> 12) & 7;
        double volts = switch (mux) {
            case 0 -> inputs[0] - inputs[1];
            case 1 -> inputs[0] - inputs[3];
            case 2 -> inputs[1] - inputs[3];
            case 3 -> inputs[2] - inputs[3];
            default -> inputs[mux - 4];
        };
        double fs = FULL_SCALE[(config >> 9) & 7];
        long code = Math.round(faults.noisy(volts, 0.0001) / fs * 32768.0);
        return (int) Math.clamp(code, -32768, 32767) & 0xFFFF;
    }

    @Override
    public synchronized byte[] read(int length) throws BusException {
        faults.checkAnswering("ads1115");
        update();
        int value = switch (pointer) {
            case 0 -> conversion;
            case 1 -> config | (converting ? 0 : Ads1115.OS);
            case 2 -> loThresh;
            default -> hiThresh;
        };
        byte[] out = new byte[length];
        if (length > 0) out[0] = (byte) (value >> 8);
        if (length > 1) out[1] = (byte) value;
        return out;
    }
}
