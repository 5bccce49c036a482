package dev.lichen.sensors.analog;

/**
 * A capacitive soil probe's two-point calibration: its output in dry air and in water. The probe's
 * voltage falls as water content rises, so dry is above wet. Water content is mapped linearly
 * between them: 0 at dryVolts, 1 at wetVolts (published in percent, SenML "/100").
 */
public record SoilCalibration(double dryVolts, double wetVolts) {
    public SoilCalibration {
        if (!(dryVolts > wetVolts)) {
            throw new IllegalArgumentException(
                    "dryVolts (%s) must be above wetVolts (%s): a capacitive probe reads lower when wet; measure it in air and in a glass of water"
                            .formatted(dryVolts, wetVolts));
        }
        if (wetVolts <= 0 || dryVolts > 5.5) {
            throw new IllegalArgumentException("soil calibration volts must lie in 0..5.5 V, got dry %s, wet %s"
                    .formatted(dryVolts, wetVolts));
        }
    }

    /** Unclamped: below 0 drier than air, above 1 wetter than water. */
    public double waterContent(double volts) {
        return (dryVolts - volts) / (dryVolts - wetVolts);
    }

    public double volts(double waterContent) {
        return dryVolts - waterContent * (dryVolts - wetVolts);
    }
}
