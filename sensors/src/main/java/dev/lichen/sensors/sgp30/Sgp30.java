package dev.lichen.sensors.sgp30;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import dev.lichen.sensors.core.I2cChip;
import dev.lichen.sensors.core.SensirionWords;
import dev.lichen.sensors.core.SensorFault;
import dev.lichen.sensors.core.Units;
import dev.lichen.sensors.core.Waits;
import java.util.List;

/**
 * Sensirion SGP30 over I2C: TVOC and eCO2 through init_air_quality then measure_iaq (meant to be
 * sampled every second, for the chip's dynamic baseline), with humidity compensation from the
 * device's temperature and humidity channels, and the CRC of every word checked. For 15 s after
 * init the chip answers a fixed 400 ppm / 0 ppb, which is reported as not ready, never published.
 */
public final class Sgp30 implements Sensor {
    static final int CMD_INIT_AIR_QUALITY = 0x2003, CMD_MEASURE_IAQ = 0x2008, CMD_GET_BASELINE = 0x2015;
    static final int CMD_SET_BASELINE = 0x201E, CMD_SET_HUMIDITY = 0x2061, CMD_FEATURE_SET = 0x202F;
    static final int CMD_SERIAL_ID = 0x3682;
    static final long WARM_UP_NANOS = 15_000_000_000L;

    private final I2cChip chip;
    private final Clock clock;
    private final long initNanos;
    private final int featureSet;
    private double lastCelsius = Double.NaN, lastRh = Double.NaN;
    private int sentHumidity = 0; // 0: compensation off, the chip's power-up state
    private int wantedHumidity = 0;

    private Sgp30(I2cChip chip, Clock clock, int featureSet) throws BusException {
        this.chip = chip;
        this.clock = clock;
        this.featureSet = featureSet;
        chip.command16(CMD_INIT_AIR_QUALITY);
        Waits.sleepMicros(clock, 10_000, chip.where());
        this.initNanos = clock.monotonicNanos();
    }

    /** Checks the feature set (product type 0 is an SGP30), then starts the IAQ algorithm. */
    public static Sgp30 start(I2cChip chip, Clock clock) throws BusException {
        int features;
        try {
            chip.command16(CMD_FEATURE_SET);
        } catch (BusException e) {
            throw chip.absent(e, "0x58, fixed");
        }
        Waits.sleepMicros(clock, 10_000, chip.where());
        try {
            features = SensirionWords.decode(chip.read(3), chip.where() + " feature set")[0];
        } catch (SensorFault f) {
            throw f.asBusException();
        }
        if ((features >> 12) != 0) {
            throw new BusException(BusException.Kind.IO, "%s: feature set 0x%04x has product type %d, an SGP30 is 0"
                    .formatted(chip.where(), features, features >> 12));
        }
        return new Sgp30(chip, clock, features);
    }

    public int featureSet() { return featureSet; }

    @Override
    public List<Channel> channels() {
        return List.of(Units.CO2, Units.VOC);
    }

    /** Feeds humidity compensation from the device's other sensors. */
    @Override
    public synchronized void observe(Reading reading) {
        if (!(reading.value() instanceof Value.Number(double v))) {
            return;
        }
        if (reading.channel().equals(Units.TEMPERATURE.name()) && reading.unit().equals(Units.TEMPERATURE.unit())) {
            lastCelsius = v;
        } else if (reading.channel().equals(Units.HUMIDITY.name()) && reading.unit().equals(Units.HUMIDITY.unit())) {
            lastRh = v;
        } else {
            return;
        }
        if (!Double.isNaN(lastCelsius) && !Double.isNaN(lastRh)) {
            wantedHumidity = fixed8_8(absoluteHumidity(lastCelsius, lastRh));
        }
    }

    /**
     * Absolute humidity in g/m3 from temperature and relative humidity (Sensirion's SGP30
     * driver-integration note: the Magnus formula, 216.7 * (RH/100 * 6.112 * exp(17.62 T/(243.12+T))) / (273.15+T)).
     */
    public static double absoluteHumidity(double celsius, double relativeHumidity) {
        double vapourHpa = relativeHumidity / 100.0 * 6.112 * Math.exp(17.62 * celsius / (243.12 + celsius));
        return 216.7 * vapourHpa / (273.15 + celsius);
    }

    /** g/m3 as set_humidity's 8.8 fixed point (0x0B92 = 11.57 g/m3); 0 would turn compensation off. */
    public static int fixed8_8(double gramsPerCubicMetre) {
        return (int) Math.clamp(Math.round(gramsPerCubicMetre * 256.0), 1, 0xFFFF);
    }

    /** eCO2 in ppm and TVOC in ppb. */
    public record AirQuality(int co2Ppm, int tvocPpb) {}

    public synchronized AirQuality measure() throws BusException, SensorFault {
        int humidity = wantedHumidity;
        if (humidity != 0 && humidity != sentHumidity) {
            byte[] param = SensirionWords.encode(humidity);
            chip.write((byte) (CMD_SET_HUMIDITY >> 8), (byte) CMD_SET_HUMIDITY, param[0], param[1], param[2]);
            Waits.sleepMicros(clock, 10_000, chip.where());
            sentHumidity = humidity;
        }
        chip.command16(CMD_MEASURE_IAQ);
        Waits.sleepMicros(clock, 12_000, chip.where()); // measure_iaq: 12 ms max
        int[] w = SensirionWords.decode(chip.read(6), chip.where());
        int co2 = w[0], tvoc = w[1];
        if (co2 == 400 && tvoc == 0 && clock.monotonicNanos() - initNanos < WARM_UP_NANOS) {
            throw new SensorFault.NotReady(chip.where() + ": warming up (fixed 400 ppm / 0 ppb for 15 s after init_air_quality)");
        }
        if (co2 < 400 || co2 > 60000 || tvoc > 60000) {
            throw new SensorFault.InvalidRawValue("%s: eCO2 %d ppm / TVOC %d ppb is outside the chip's output range (400..60000 / 0..60000)"
                    .formatted(chip.where(), co2, tvoc));
        }
        return new AirQuality(co2, tvoc);
    }

    /** The algorithm's baseline (eCO2, TVOC words), to save and restore across restarts. */
    public int[] baseline() throws BusException, SensorFault {
        chip.command16(CMD_GET_BASELINE);
        Waits.sleepMicros(clock, 10_000, chip.where());
        return SensirionWords.decode(chip.read(6), chip.where() + " baseline");
    }

    /** Restores a baseline saved less than a week ago, right after start (datasheet 3.3). */
    public synchronized void restoreBaseline(int co2Word, int tvocWord) throws BusException {
        byte[] p = SensirionWords.encode(co2Word, tvocWord);
        byte[] out = new byte[2 + p.length];
        out[0] = (byte) (CMD_SET_BASELINE >> 8);
        out[1] = (byte) CMD_SET_BASELINE;
        System.arraycopy(p, 0, out, 2, p.length);
        chip.write(out);
        Waits.sleepMicros(clock, 10_000, chip.where());
    }

    @Override
    public List<Reading> sample(long timeMillis) throws BusException {
        try {
            AirQuality q = measure();
            return List.of(Units.number(Units.CO2, q.co2Ppm(), timeMillis),
                    Units.number(Units.VOC, q.tvocPpb(), timeMillis));
        } catch (SensorFault f) {
            throw f.asBusException();
        }
    }
}
