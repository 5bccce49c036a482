package dev.lichen.sensors.bme280;

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
 * Bosch BME280 over I2C: temperature, humidity, pressure. Reads the chip's trimming once at start
 * and applies the datasheet's integer compensation to every sample.
 */
public final class Bme280 implements Sensor {
    static final int REG_CALIB1 = 0x88, REG_ID = 0xD0, REG_RESET = 0xE0, REG_CALIB2 = 0xE1;
    static final int REG_CTRL_HUM = 0xF2, REG_STATUS = 0xF3, REG_CTRL_MEAS = 0xF4, REG_CONFIG = 0xF5;
    static final int REG_DATA = 0xF7;
    static final int CHIP_ID = 0x60, RESET_WORD = 0xB6;
    static final int STATUS_MEASURING = 0x08, STATUS_IM_UPDATE = 0x01;
    /** What a data register holds when its measurement was skipped (or never made). */
    static final int SKIPPED_20 = 0x80000, SKIPPED_16 = 0x8000;

    public enum Mode {
        /** One measurement per sample, then sleep: Bosch's choice for weather monitoring. */
        FORCED(0b01),
        /** Measures continuously, t_standby apart; a sample reads the latest result. */
        NORMAL(0b11);

        final int bits;

        Mode(int bits) { this.bits = bits; }
    }

    /**
     * @param oversampling 1, 2, 4, 8 or 16 for every quantity (0 would skip it)
     * @param filter IIR filter coefficient: 0 (off), 2, 4, 8, 16
     * @param standbyCode t_sb code 0..7 (0.5, 62.5, 125, 250, 500, 1000, 10, 20 ms), normal mode only
     */
    public record Settings(Mode mode, int oversampling, int filter, int standbyCode) {
        public static final Settings WEATHER = new Settings(Mode.FORCED, 1, 0, 5);

        public Settings {
            osrsCode(oversampling);
            if (filter != 0 && filter != 2 && filter != 4 && filter != 8 && filter != 16) {
                throw new IllegalArgumentException("bme280 filter must be 0, 2, 4, 8 or 16, not " + filter);
            }
            if (standbyCode < 0 || standbyCode > 7) {
                throw new IllegalArgumentException("bme280 standby code must be 0..7, not " + standbyCode);
            }
        }

        static int osrsCode(int oversampling) {
            return switch (oversampling) {
                case 0 -> 0;
                case 1 -> 1;
                case 2 -> 2;
                case 4 -> 3;
                case 8 -> 4;
                case 16 -> 5;
                default -> throw new IllegalArgumentException(
                        "bme280 oversampling must be 1, 2, 4, 8 or 16, not " + oversampling);
            };
        }

        int filterCode() {
            return filter == 0 ? 0 : Integer.numberOfTrailingZeros(filter);
        }

        /** Datasheet 9.1, maximum measurement time in microseconds with T, P and H all on. */
        long maxMeasureMicros() {
            return 1250 + 2300L * oversampling + (2300L * oversampling + 575) * 2;
        }
    }

    private final I2cChip chip;
    private final Clock clock;
    private final Settings settings;
    private final Bme280Calibration calibration;

    private Bme280(I2cChip chip, Clock clock, Settings settings, Bme280Calibration calibration) {
        this.chip = chip;
        this.clock = clock;
        this.settings = settings;
        this.calibration = calibration;
    }

    /** Checks the chip id, resets the chip, reads its trimming and configures it. */
    public static Bme280 start(I2cChip chip, Clock clock, Settings settings) throws BusException {
        int id;
        try {
            id = chip.readRegisters(REG_ID, 1)[0] & 0xFF;
        } catch (BusException e) {
            throw chip.absent(e, "0x76 with SDO to GND, 0x77 with SDO to VDDIO");
        }
        if (id != CHIP_ID) {
            String what = switch (id) {
                case 0x56, 0x57, 0x58 -> " (a BMP280: it has no humidity sensor)";
                case 0x61 -> " (a BME680)";
                default -> "";
            };
            throw new BusException(BusException.Kind.IO, "%s: chip id is 0x%02x%s, a BME280 answers 0x60"
                    .formatted(chip.where(), id, what));
        }
        chip.writeRegister(REG_RESET, RESET_WORD);
        Waits.sleepMicros(clock, 2000, chip.where()); // start-up time after reset, datasheet: 2 ms
        for (int i = 0; (chip.readRegisters(REG_STATUS, 1)[0] & STATUS_IM_UPDATE) != 0; i++) {
            if (i >= 10) {
                throw new BusException(BusException.Kind.TIMEOUT, chip.where() + ": still copying its NVM trimming after reset");
            }
            Waits.sleepMicros(clock, 1000, chip.where());
        }
        Bme280Calibration calibration = Bme280Calibration.parse(
                chip.readRegisters(REG_CALIB1, 26), chip.readRegisters(REG_CALIB2, 7));
        Bme280 sensor = new Bme280(chip, clock, settings, calibration);
        sensor.configure();
        return sensor;
    }

    public Bme280Calibration calibration() { return calibration; }

    private void configure() throws BusException {
        int osrs = Settings.osrsCode(settings.oversampling());
        // config is only written reliably in sleep mode, which the chip is in after reset
        chip.writeRegister(REG_CONFIG, (settings.standbyCode() << 5) | (settings.filterCode() << 2));
        // ctrl_hum only takes effect after a write to ctrl_meas
        chip.writeRegister(REG_CTRL_HUM, osrs);
        int mode = settings.mode() == Mode.NORMAL ? Mode.NORMAL.bits : 0;
        chip.writeRegister(REG_CTRL_MEAS, (osrs << 5) | (osrs << 2) | mode);
    }

    @Override
    public List<Channel> channels() {
        return List.of(Units.TEMPERATURE, Units.HUMIDITY, Units.PRESSURE);
    }

    /** One measurement: temperature in degC, humidity in %RH, pressure in Pa. */
    public record Measurement(double celsius, double relativeHumidity, double pascals) {}

    public synchronized Measurement measure() throws BusException, SensorFault {
        if (settings.mode() == Mode.FORCED) {
            int osrs = Settings.osrsCode(settings.oversampling());
            chip.writeRegister(REG_CTRL_MEAS, (osrs << 5) | (osrs << 2) | Mode.FORCED.bits);
            Waits.sleepMicros(clock, settings.maxMeasureMicros(), chip.where());
            for (int i = 0; (chip.readRegisters(REG_STATUS, 1)[0] & STATUS_MEASURING) != 0; i++) {
                if (i >= 5) {
                    throw new BusException(BusException.Kind.TIMEOUT, chip.where() + ": measurement did not finish");
                }
                Waits.sleepMicros(clock, 1000, chip.where());
            }
        }
        byte[] d = chip.readRegisters(REG_DATA, 8); // one burst, so all three come from one measurement
        int adcP = ((d[0] & 0xFF) << 12) | ((d[1] & 0xFF) << 4) | ((d[2] & 0xFF) >> 4);
        int adcT = ((d[3] & 0xFF) << 12) | ((d[4] & 0xFF) << 4) | ((d[5] & 0xFF) >> 4);
        int adcH = ((d[6] & 0xFF) << 8) | (d[7] & 0xFF);
        if (adcT == SKIPPED_20 || adcP == SKIPPED_20 || adcH == SKIPPED_16) {
            throw new SensorFault.InvalidRawValue("%s: raw value 0x%05x/0x%05x/0x%04x (T/P/H) marks a skipped or missing measurement"
                    .formatted(chip.where(), adcT, adcP, adcH));
        }
        int tFine = calibration.tFine(adcT);
        double celsius = Bme280Calibration.temperature(tFine) / 100.0;
        long p = calibration.pressure(tFine, adcP);
        double pascals = p / 256.0;
        double rh = calibration.humidity(tFine, adcH) / 1024.0;
        // the chip's operating range (datasheet 1.): -40..85 degC, 300..1100 hPa, give or take its accuracy
        if (celsius < -41 || celsius > 86 || p == 0 || pascals < 29_900 || pascals > 110_100) {
            throw new SensorFault.InvalidRawValue("%s: %.2f degC / %.0f Pa is outside the chip's range (raw T 0x%05x, P 0x%05x)"
                    .formatted(chip.where(), celsius, pascals, adcT, adcP));
        }
        return new Measurement(celsius, rh, pascals);
    }

    @Override
    public List<Reading> sample(long timeMillis) throws BusException {
        try {
            Measurement m = measure();
            return List.of(
                    Units.number(Units.TEMPERATURE, m.celsius(), timeMillis),
                    Units.number(Units.HUMIDITY, m.relativeHumidity(), timeMillis),
                    Units.number(Units.PRESSURE, m.pascals(), timeMillis));
        } catch (SensorFault f) {
            throw f.asBusException();
        }
    }

    @Override
    public void close() {
        try {
            chip.writeRegister(REG_CTRL_MEAS, 0); // sleep mode: 0.1 uA
        } catch (BusException ignored) {
            // the chip may be gone; nothing to undo
        }
    }
}
