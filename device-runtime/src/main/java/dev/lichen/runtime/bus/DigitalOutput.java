package dev.lichen.runtime.bus;

/** A GPIO pin configured as output. */
public interface DigitalOutput {
    int pin();

    void set(boolean high) throws BusException;

    boolean isHigh();
}
