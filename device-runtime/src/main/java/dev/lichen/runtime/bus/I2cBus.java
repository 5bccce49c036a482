package dev.lichen.runtime.bus;

/** One I2C bus (for example i2c-1 on a Pi's header). Addresses are 7-bit. */
public interface I2cBus {
    /** e.g. "i2c-1": used in error messages. */
    String name();

    void write(int address, byte[] data) throws BusException;

    byte[] read(int address, int length) throws BusException;

    /** Write then read without a stop in between (the usual register read). */
    byte[] writeRead(int address, byte[] data, int readLength) throws BusException;
}
