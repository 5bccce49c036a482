package dev.lichen.runtime.bus.sim;

import dev.lichen.runtime.bus.BusException;

/** A chip model on a simulated I2C bus; it sees the bytes a real chip would. */
public interface SimI2cDevice {
    void write(byte[] data) throws BusException;

    /** A read transaction; writeRead is a write followed by this, with no stop between. */
    byte[] read(int length) throws BusException;
}
