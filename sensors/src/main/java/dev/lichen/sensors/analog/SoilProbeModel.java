package dev.lichen.sensors.analog;

/**
 * A capacitive soil-moisture probe (v1.2/v2.0 style, 3.3 V supply) wired to one ADC input: set the
 * soil's water content and the probe puts the matching voltage on the input.
 */
public final class SoilProbeModel {
    private final AnalogFrontEnd adc;
    private final int input;
    private final SoilCalibration probe;

    /** {@code probe} is this probe's real response (which its placement's calibration should match). */
    public SoilProbeModel(AnalogFrontEnd adc, int input, SoilCalibration probe) {
        this.adc = adc;
        this.input = input;
        this.probe = probe;
        setWaterContent(0.3);
    }

    /** Volumetric water content as a ratio: 0 dry air, 1 water. */
    public SoilProbeModel setWaterContent(double ratio) {
        adc.setVolts(input, probe.volts(ratio));
        return this;
    }

    /** The probe's cable pulled off the ADC (input floating near ground through the ADC's input). */
    public void unplug() {
        adc.setVolts(input, 0.0);
    }
}
