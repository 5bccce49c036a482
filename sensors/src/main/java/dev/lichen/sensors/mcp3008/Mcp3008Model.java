package dev.lichen.sensors.mcp3008;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimSpiDevice;
import dev.lichen.sensors.analog.AnalogFrontEnd;
import dev.lichen.sensors.core.ModelFaults;

/**
 * An MCP3008 behind one chip-select: it answers a 3-byte transaction with the null bit and the 10
 * result bits of the input (or input pair) the second byte names; the bits before the null bit
 * are not driven and read as 1. A NACK fault leaves MISO high entirely.
 */
public final class Mcp3008Model implements SimSpiDevice, AnalogFrontEnd {
    private final ModelFaults faults = new ModelFaults();
    private final double vref;
    private final double[] inputs = new double[8];

    public Mcp3008Model(double vref) {
        this.vref = vref;
    }

    public ModelFaults faults() { return faults; }

    @Override
    public synchronized void setVolts(int input, double volts) {
        if (!faults.isStuck()) {
            inputs[input] = volts;
        }
    }

    @Override
    public synchronized byte[] transfer(byte[] out) throws BusException {
        byte[] in = new byte[out.length];
        java.util.Arrays.fill(in, (byte) 0xFF);
        if (faults.nacking() || out.length < 3 || (out[0] & 0x01) == 0) {
            return in; // no start bit where the driver frames it: the chip stays silent
        }
        boolean single = (out[1] & 0x80) != 0;
        int ch = (out[1] >> 4) & 0x07;
        double volts = single ? inputs[ch] : inputs[ch] - inputs[ch ^ 1];
        int code = (int) Math.clamp((long) Math.floor(faults.noisy(volts, 0.5 * vref / 1024) / vref * 1024), 0, 1023);
        in[1] = (byte) (0xF8 | (code >> 8)); // bits 7..3 undriven, bit 2 the null bit, then B9 B8
        in[2] = (byte) code;
        return in;
    }
}
