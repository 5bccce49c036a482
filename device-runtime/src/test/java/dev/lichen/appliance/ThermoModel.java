package dev.lichen.appliance;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimI2cDevice;

/**
 * A tiny made-up I2C thermometer for tests: register 0xD0 holds its id 0x5A, register 0x01 four
 * bytes: temperature in centi-degrees C (int16, big-endian), then relative humidity in
 * centi-percent (uint16). Real chips and their models live in the sensors module.
 */
public final class ThermoModel implements SimI2cDevice {
    public static final int ID = 0x5A;

    private volatile double celsius = 21.5;
    private volatile double humidity = 40.0;
    private volatile boolean failing;
    private int register;

    public void set(double celsius, double humidity) {
        this.celsius = celsius;
        this.humidity = humidity;
    }

    /** While failing, every transaction errors as a loose wire would. */
    public void failing(boolean f) {
        this.failing = f;
    }

    @Override
    public synchronized void write(byte[] data) throws BusException {
        if (failing) throw new BusException(BusException.Kind.IO, "thermo: bus error");
        register = data[0] & 0xFF;
    }

    @Override
    public synchronized byte[] read(int length) throws BusException {
        if (failing) throw new BusException(BusException.Kind.IO, "thermo: bus error");
        byte[] out = new byte[length];
        if (register == 0xD0) {
            out[0] = (byte) ID;
        } else if (register == 0x01) {
            int t = (int) Math.round(celsius * 100);
            int h = (int) Math.round(humidity * 100);
            byte[] all = {(byte) (t >> 8), (byte) t, (byte) (h >> 8), (byte) h};
            System.arraycopy(all, 0, out, 0, Math.min(length, 4));
        }
        return out;
    }
}
