package dev.lichen.sensors.analog;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.senml.Reading;
import dev.lichen.sensors.core.SensorFault;
import dev.lichen.sensors.core.Units;
import java.util.List;

/** What hangs on one ADC input: a soil probe (water content) or a plain voltage. */
public final class AnalogSensor implements Sensor {
    /** A reading this far outside the calibration span is a fault, not wet or dry soil. */
    static final double SLACK = 0.15;

    private final String where;
    private final AnalogInput input;
    private final SoilCalibration soil; // null: plain voltage

    private AnalogSensor(String where, AnalogInput input, SoilCalibration soil) {
        this.where = where;
        this.input = input;
        this.soil = soil;
    }

    public static AnalogSensor soil(String where, AnalogInput input, SoilCalibration calibration) {
        return new AnalogSensor(where, input, calibration);
    }

    public static AnalogSensor voltage(String where, AnalogInput input) {
        return new AnalogSensor(where, input, null);
    }

    @Override
    public List<Channel> channels() {
        return List.of(soil != null ? Units.SOIL_MOISTURE : Units.VOLTAGE);
    }

    /** Volumetric water content, 0 (dry) to 1 (water), small overshoot clamped. */
    public double waterContent() throws BusException, SensorFault {
        double volts = input.volts();
        double vwc = soil.waterContent(volts);
        if (vwc < -SLACK || vwc > 1 + SLACK) {
            throw new SensorFault.InvalidRawValue(
                    "%s: %.3f V is far outside the probe's calibration (dry %.3f V, wet %.3f V): probe unplugged, shorted or mis-calibrated"
                            .formatted(where, volts, soil.dryVolts(), soil.wetVolts()));
        }
        return Math.clamp(vwc, 0, 1);
    }

    @Override
    public List<Reading> sample(long timeMillis) throws BusException {
        try {
            if (soil != null) {
                return List.of(Units.number(Units.SOIL_MOISTURE, waterContent() * 100, timeMillis)); // percent, "/100"
            }
            return List.of(Units.number(Units.VOLTAGE, input.volts(), timeMillis));
        } catch (SensorFault f) {
            throw f.asBusException();
        }
    }
}
