package dev.lichen.runtime.bus;

/** A pin driven by hardware PWM at a fixed frequency; the duty cycle is in percent, 0 to 100. */
public interface PwmOutput {
    int pin();

    void duty(double percent) throws BusException;

    double duty();
}
