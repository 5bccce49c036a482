package dev.lichen.sensors.bh1750;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimI2cDevice;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.sensors.core.ModelFaults;

/**
 * A BH1750 as its opcodes show it: power down/on, reset (only while powered), continuous and
 * one-time modes in H/H2/L, MTreg in two halves; the 16-bit data register holds the last result
 * and is updated when a measurement's time has passed. count = lux * 1.2 * MTreg/69 (x2 in H2),
 * L mode keeping 4 lx steps.
 */
public final class Bh1750Model implements SimI2cDevice {
    private final Clock clock;
    private final ModelFaults faults = new ModelFaults();
    private double lux = 100;
    private boolean powered;
    private int opcode = -1; // measurement mode in force, -1 none
    private int mtreg = Bh1750.DEFAULT_MTREG;
    private int mtHigh = Bh1750.DEFAULT_MTREG >> 5;
    private int data;
    private long doneNanos;
    private boolean measuring;

    public Bh1750Model(Clock clock) {
        this.clock = clock;
    }

    public ModelFaults faults() { return faults; }

    public synchronized Bh1750Model set(double lux) {
        if (!faults.isStuck()) {
            this.lux = Math.clamp(lux, 0, 120_000);
        }
        return this;
    }

    @Override
    public synchronized void write(byte[] data) throws BusException {
        faults.checkAnswering("bh1750");
        for (byte b : data) {
            opcode(b & 0xFF);
        }
    }

    private void opcode(int op) {
        long now = clock.monotonicNanos();
        update();
        switch (op) {
            case Bh1750.POWER_DOWN -> { powered = false; measuring = false; }
            case Bh1750.POWER_ON -> powered = true;
            case Bh1750.RESET -> { if (powered) data = 0; }
            case 0x10, 0x11, 0x13, 0x20, 0x21, 0x23 -> {
                powered = true;
                opcode = op;
                measuring = true;
                doneNanos = now + typicalNanos(op);
            }
            default -> {
                if ((op & 0xF8) == 0x40) {
                    mtHigh = op & 0x07;
                } else if ((op & 0xE0) == 0x60) {
                    mtreg = (mtHigh << 5) | (op & 0x1F);
                }
            }
        }
    }

    /** Typical time (datasheet: 120 ms H/H2, 16 ms L at MTreg 69), scaled by MTreg. */
    private long typicalNanos(int op) {
        long base = (op & 0x03) == 0x03 ? 16_000_000L : 120_000_000L;
        return base * mtreg / Bh1750.DEFAULT_MTREG;
    }

    private void update() {
        if (measuring && clock.monotonicNanos() >= doneNanos) {
            double l = Math.max(0, faults.noisy(lux, Math.max(0.5, lux * 0.01)));
            double count = l * 1.2 * mtreg / Bh1750.DEFAULT_MTREG;
            int mode = opcode & 0x03;
            if (mode == 0x01) {
                count *= 2; // H2: half-lux steps
            }
            long c = (long) Math.floor(count);
            if (mode == 0x03) {
                c = c & ~0x03L; // L: 4 lx resolution
            }
            data = (int) Math.min(c, 0xFFFF);
            if ((opcode & 0x20) != 0) {
                measuring = false;
                powered = false; // one-time modes power down when done
            } else {
                doneNanos += typicalNanos(opcode);
            }
        }
    }

    @Override
    public synchronized byte[] read(int length) throws BusException {
        faults.checkAnswering("bh1750");
        update();
        byte[] out = new byte[length];
        if (length > 0) out[0] = (byte) (data >> 8);
        if (length > 1) out[1] = (byte) data;
        return out;
    }
}
