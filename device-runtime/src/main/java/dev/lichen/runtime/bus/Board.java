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

    enum Pull { NONE, UP, DOWN }

    @Override
    void close();
}
