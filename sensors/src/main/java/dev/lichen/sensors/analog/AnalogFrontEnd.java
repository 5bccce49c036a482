package dev.lichen.sensors.analog;

/** An ADC model's inputs, where a probe model puts its voltage. */
public interface AnalogFrontEnd {
    void setVolts(int input, double volts);
}
