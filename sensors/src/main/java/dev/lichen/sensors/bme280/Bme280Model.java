package dev.lichen.sensors.bme280;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimI2cDevice;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.sensors.core.ModelFaults;

/**
 * A BME280 as its I2C registers show it: chip id, reset, ctrl_hum/ctrl_meas/config, status with
 * the measuring bit for as long as a measurement takes, calibration NVM, and data registers
 * holding the raw ADC values that the chip's own trimming turns back into the physical values set
 * here. The raw values are found by inverting the compensation (a binary search over the ADC range,
 * about 60 evaluations per measurement), so a simulator can run many.
 */
public final class Bme280Model implements SimI2cDevice {
    private final Clock clock;
    private final Bme280Calibration cal;
    private final ModelFaults faults = new ModelFaults();
    private final byte[] regs = new byte[256];
    private int pointer;
    private double celsius = 21.0, rh = 45.0, pascals = 101325.0;
    private long measureDoneNanos = Long.MIN_VALUE;
    private boolean measurementPending;
    private long imUpdateUntilNanos = Long.MIN_VALUE;
    private int effectiveCtrlHum;
    private long normalPeriodNanos;
    private long lastNormalLatchNanos;
    private double filteredT = Double.NaN, filteredP = Double.NaN; // IIR filter memory, raw ADC units

    public Bme280Model(Clock clock) {
        this(clock, Bme280Calibration.TYPICAL);
    }

    public Bme280Model(Clock clock, Bme280Calibration calibration) {
        this.clock = clock;
        this.cal = calibration;
        powerOn();
    }

    public ModelFaults faults() { return faults; }

    /** The physical values the chip will measure next (clamped to its range). */
    public synchronized Bme280Model set(double celsius, double relativeHumidity, double pascals) {
        if (!faults.isStuck()) {
            this.celsius = Math.clamp(celsius, -40, 85);
            this.rh = Math.clamp(relativeHumidity, 0, 100);
            this.pascals = Math.clamp(pascals, 30000, 110000);
        }
        return this;
    }

    private void powerOn() {
        java.util.Arrays.fill(regs, (byte) 0);
        System.arraycopy(cal.block1(), 0, regs, Bme280.REG_CALIB1, 26);
        System.arraycopy(cal.block2(), 0, regs, Bme280.REG_CALIB2, 7);
        regs[Bme280.REG_ID] = (byte) Bme280.CHIP_ID;
        // data registers' reset values: 0x80000 / 0x8000, the "no measurement" marker
        byte[] reset = {(byte) 0x80, 0, 0, (byte) 0x80, 0, 0, (byte) 0x80, 0};
        System.arraycopy(reset, 0, regs, Bme280.REG_DATA, 8);
        effectiveCtrlHum = 0;
        measurementPending = false;
        filteredT = filteredP = Double.NaN;
        imUpdateUntilNanos = clock.monotonicNanos() + 1_000_000; // NVM copy right after reset
    }

    @Override
    public synchronized void write(byte[] data) throws BusException {
        faults.checkAnswering("bme280");
        if (data.length == 0) {
            return; // quick write: an ACK only
        }
        pointer = data[0] & 0xFF;
        // a burst write is (register, value) pairs
        for (int i = 0; i + 1 < data.length; i += 2) {
            writeRegister(data[i] & 0xFF, data[i + 1] & 0xFF);
        }
    }

    private void writeRegister(int reg, int value) {
        switch (reg) {
            case Bme280.REG_RESET -> {
                if (value == Bme280.RESET_WORD) {
                    powerOn();
                }
            }
            case Bme280.REG_CTRL_HUM -> regs[reg] = (byte) (value & 0x07);
            case Bme280.REG_CONFIG -> regs[reg] = (byte) (value & 0xFD);
            case Bme280.REG_CTRL_MEAS -> {
                regs[reg] = (byte) value;
                effectiveCtrlHum = regs[Bme280.REG_CTRL_HUM] & 0x07; // ctrl_hum is latched here
                int mode = value & 0x03;
                long now = clock.monotonicNanos();
                if (mode == 0b01 || mode == 0b10) {
                    measureDoneNanos = now + typicalMeasureNanos();
                    measurementPending = true;
                } else if (mode == 0b11) {
                    int tsb = (regs[Bme280.REG_CONFIG] >> 5) & 0x07;
                    long standby = new long[] {500_000, 62_500_000, 125_000_000, 250_000_000, 500_000_000,
                            1_000_000_000, 10_000_000, 20_000_000}[tsb];
                    normalPeriodNanos = typicalMeasureNanos() + standby;
                    lastNormalLatchNanos = now;
                }
            }
            default -> { /* read-only: ignored, as the chip does */ }
        }
    }

    /** Datasheet 9.1, typical time: 1 + 2*T + (2*P + 0.5) + (2*H + 0.5) ms. */
    private long typicalMeasureNanos() {
        int ctrl = regs[Bme280.REG_CTRL_MEAS] & 0xFF;
        long us = 1000 + 2000L * factor((ctrl >> 5) & 7);
        int p = factor((ctrl >> 2) & 7), h = factor(effectiveCtrlHum);
        us += p == 0 ? 0 : 2000L * p + 500;
        us += h == 0 ? 0 : 2000L * h + 500;
        return us * 1000;
    }

    private static int factor(int osrsCode) {
        return osrsCode == 0 ? 0 : 1 << Math.min(osrsCode - 1, 4);
    }

    @Override
    public synchronized byte[] read(int length) throws BusException {
        faults.checkAnswering("bme280");
        update();
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = register((pointer + i) & 0xFF);
        }
        pointer = (pointer + length) & 0xFF;
        return out;
    }

    private byte register(int reg) {
        if (reg == Bme280.REG_STATUS) {
            long now = clock.monotonicNanos();
            int measuring = measurementPending && now < measureDoneNanos ? Bme280.STATUS_MEASURING : 0;
            int imUpdate = now < imUpdateUntilNanos ? Bme280.STATUS_IM_UPDATE : 0;
            return (byte) (measuring | imUpdate);
        }
        return regs[reg];
    }

    private void update() {
        long now = clock.monotonicNanos();
        if (measurementPending && now >= measureDoneNanos) {
            measurementPending = false;
            latch();
            regs[Bme280.REG_CTRL_MEAS] &= (byte) 0xFC; // forced mode ends in sleep mode
        }
        if ((regs[Bme280.REG_CTRL_MEAS] & 0x03) == 0b11 && now - lastNormalLatchNanos >= normalPeriodNanos) {
            lastNormalLatchNanos = now;
            latch();
        }
    }

    /** Puts the raw values of the current physical state into the data registers. */
    private void latch() {
        int ctrl = regs[Bme280.REG_CTRL_MEAS] & 0xFF;
        int osrsT = (ctrl >> 5) & 7, osrsP = (ctrl >> 2) & 7, osrsH = effectiveCtrlHum;
        // noise at scale 1.0 and x1 oversampling, on the generous side of the datasheet's noise
        // figures; oversampling n averages it down by sqrt(n)
        double tSigma = 0.02 / Math.sqrt(Math.max(1, factor(osrsT))), pSigma = 2.0 / Math.sqrt(Math.max(1, factor(osrsP)));
        double hSigma = 0.2 / Math.sqrt(Math.max(1, factor(osrsH)));
        double t = faults.noisy(celsius, tSigma), h = faults.noisy(rh, hSigma), p = faults.noisy(pascals, pSigma);
        int adcT = Bme280Model.rawTemperature(cal, t);
        int tFine = cal.tFine(adcT);
        int adcP = rawPressure(cal, tFine, p);
        int adcH = rawHumidity(cal, tFine, Math.clamp(h, 0, 100));
        int coefficient = 1 << ((regs[Bme280.REG_CONFIG] >> 2) & 7); // 1 (off), 2, 4, 8, 16
        if (coefficient > 1 && osrsT != 0 && osrsP != 0) {
            // datasheet 3.4.4: filtered = (old * (c - 1) + new) / c, at 20-bit resolution; the
            // compensation then sees the filtered raw values (humidity is not filtered)
            filteredT = Double.isNaN(filteredT) ? adcT : (filteredT * (coefficient - 1) + adcT) / coefficient;
            filteredP = Double.isNaN(filteredP) ? adcP : (filteredP * (coefficient - 1) + adcP) / coefficient;
            adcT = (int) Math.round(filteredT);
            adcP = (int) Math.round(filteredP);
        } else {
            filteredT = filteredP = Double.NaN;
            adcT = osrsT == 0 ? Bme280.SKIPPED_20 : quantize(adcT, osrsT);
            adcP = osrsP == 0 ? Bme280.SKIPPED_20 : quantize(adcP, osrsP);
        }
        adcH = osrsH == 0 ? Bme280.SKIPPED_16 : adcH;
        int base = Bme280.REG_DATA;
        regs[base] = (byte) (adcP >> 12);
        regs[base + 1] = (byte) (adcP >> 4);
        regs[base + 2] = (byte) ((adcP & 0x0F) << 4);
        regs[base + 3] = (byte) (adcT >> 12);
        regs[base + 4] = (byte) (adcT >> 4);
        regs[base + 5] = (byte) ((adcT & 0x0F) << 4);
        regs[base + 6] = (byte) (adcH >> 8);
        regs[base + 7] = (byte) adcH;
    }

    /** Oversampling x1 gives 16 bits of the 20-bit result, each doubling one more (filter off). */
    private static int quantize(int raw20, int osrsCode) {
        int dropped = 20 - (15 + Math.min(osrsCode, 5));
        int step = 1 << dropped;
        return Math.min(((raw20 + step / 2) / step) * step, 0xFFFFF);
    }

    static int rawTemperature(Bme280Calibration cal, double celsius) {
        long target = Math.round(celsius * 5120.0); // t_fine is degC * 5120
        int lo = 0, hi = 0xFFFFF;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cal.tFine(mid) < target) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    static int rawPressure(Bme280Calibration cal, int tFine, double pascals) {
        long target = Math.round(pascals * 256.0);
        int lo = 0, hi = 0xFFFFF; // pressure falls as the ADC value rises
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cal.pressure(tFine, mid) > target) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    static int rawHumidity(Bme280Calibration cal, int tFine, double relativeHumidity) {
        long target = Math.round(relativeHumidity * 1024.0);
        int lo = 0, hi = 0xFFFF;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cal.humidity(tFine, mid) < target) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
