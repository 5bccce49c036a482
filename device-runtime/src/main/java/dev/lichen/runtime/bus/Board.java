package dev.lichen.runtime.bus;

/**
 * What an appliance may touch of its board. A real board is backed by Pi4J; a simulated one by
 * in-memory buses to which chip models attach. Pins are BCM numbers.
 */
public interface Board extends AutoCloseable {
    String name();

    I2cBus i2c(int bus) throws BusException;

    SpiBus spi(int bus) throws BusException;

    OneWireBus oneWire() throws BusException;

    DigitalInput digitalInput(int pin, Pull pull) throws BusException;

    DigitalOutput digitalOutput(int pin, boolean initial) throws BusException;

    /** A hardware-PWM pin at the given frequency, starting at 0 % duty. */
    default PwmOutput pwm(int pin, int frequencyHz) throws BusException {
        throw new BusException(BusException.Kind.ABSENT, "board " + name() + " has no hardware PWM");
    }

    enum Pull { NONE, UP, DOWN }

    @Override
    void close();
}
