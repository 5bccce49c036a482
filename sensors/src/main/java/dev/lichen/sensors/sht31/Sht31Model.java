package dev.lichen.sensors.sht31;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimI2cDevice;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.sensors.core.ModelFaults;
import dev.lichen.sensors.core.PendingReply;

/**
 * An SHT31 as its I2C commands show it: single-shot measurements (both clock-stretching variants),
 * a read NACKed until the result is ready and NACKed again once it has been read, the status
 * register with its reset and command-failed bits, soft reset, heater.
 */
public final class Sht31Model implements SimI2cDevice {
    private final Clock clock;
    private final ModelFaults faults = new ModelFaults();
    private double celsius = 21.0, rh = 45.0;
    private int status;
    private final PendingReply reply = new PendingReply();

    public Sht31Model(Clock clock) {
        this.clock = clock;
        status = 0x8010; // after power-up: alert pending, system reset detected
    }

    public ModelFaults faults() { return faults; }

    public synchronized Sht31Model set(double celsius, double relativeHumidity) {
        if (!faults.isStuck()) {
            this.celsius = Math.clamp(celsius, -40, 125);
            this.rh = Math.clamp(relativeHumidity, 0, 100);
        }
        return this;
    }

    /** The status register as the chip holds it now (heater bit 13, command failed bit 1...). */
    public synchronized int status() { return status; }

    @Override
    public synchronized void write(byte[] data) throws BusException {
        faults.checkAnswering("sht31");
        if (data.length == 0) {
            return;
        }
        if (data.length != 2) {
            status |= Sht31.STATUS_COMMAND_FAILED;
            return;
        }
        int command = ((data[0] & 0xFF) << 8) | (data[1] & 0xFF);
        long now = clock.monotonicNanos();
        if (command != Sht31.CMD_READ_STATUS) {
            status &= ~Sht31.STATUS_COMMAND_FAILED; // reading the status reports on the command before
        }
        switch (command) {
            // no clock stretching: typical durations (datasheet table 4: 12.5 / 4.5 / 2.5 ms)
            case 0x2400 -> measure(now, 12_500_000);
            case 0x240B -> measure(now, 4_500_000);
            case 0x2416 -> measure(now, 2_500_000);
            // clock stretching: the chip holds SCL until done, so the result is there at the read
            case 0x2C06, 0x2C0D, 0x2C10 -> measure(now, 0);
            case Sht31.CMD_READ_STATUS -> reply.words(now, faults, status);
            case Sht31.CMD_CLEAR_STATUS -> status &= ~(0x8000 | 0x0800 | 0x0400 | 0x0010);
            case Sht31.CMD_SOFT_RESET -> { status = 0x0010; reply.none(now); }
            case Sht31.CMD_HEATER_ON -> status |= 0x2000;
            case Sht31.CMD_HEATER_OFF -> status &= ~0x2000;
            default -> status |= Sht31.STATUS_COMMAND_FAILED;
        }
    }

    private void measure(long now, long durationNanos) {
        double t = faults.noisy(celsius, 0.04), h = faults.noisy(rh, 0.08);
        int st = (int) Math.round(Math.clamp((t + 45) / 175.0, 0, 1) * 65535);
        int srh = (int) Math.round(Math.clamp(h / 100.0, 0, 1) * 65535);
        reply.words(now + durationNanos, faults, st, srh);
    }

    @Override
    public synchronized byte[] read(int length) throws BusException {
        faults.checkAnswering("sht31");
        return reply.take(length, clock.monotonicNanos(), "sht31");
    }
}
