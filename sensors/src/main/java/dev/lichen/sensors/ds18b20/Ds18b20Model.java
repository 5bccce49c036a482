package dev.lichen.sensors.ds18b20;

import dev.lichen.runtime.bus.sim.SimOneWireDevice;
import dev.lichen.sensors.core.Crc8;
import dev.lichen.sensors.core.ModelFaults;

/**
 * A DS18B20 on the w1 bus as Linux shows it: each read of w1_slave converts and prints the
 * scratchpad (temperature, TH, TL, configuration, reserved bytes, CRC) the way w1_therm does.
 * A NACK fault reads as a vanished sensor does, an all-zero scratchpad; a CRC fault corrupts a
 * byte in transit, which the kernel flags NO.
 */
public final class Ds18b20Model implements SimOneWireDevice {
    private final RomId rom;
    private final ModelFaults faults = new ModelFaults();
    private volatile double celsius = 21.0;
    private volatile int resolutionCode = 3; // 12 bits, the power-up default
    private volatile boolean converted = true;

    public Ds18b20Model(RomId rom) {
        this.rom = rom;
    }

    public Ds18b20Model(long serial) {
        this(new RomId(RomId.DS18B20, serial));
    }

    public ModelFaults faults() { return faults; }

    public RomId rom() { return rom; }

    public Ds18b20Model set(double celsius) {
        if (!faults.isStuck()) {
            this.celsius = Math.clamp(celsius, -55, 125);
        }
        return this;
    }

    /** 9..12 bits, as the configuration register's R1R0 select. */
    public Ds18b20Model resolutionBits(int bits) {
        resolutionCode = Math.clamp(bits, 9, 12) - 9;
        return this;
    }

    /** A sensor that lost power between conversions answers its power-on value, 85 degC. */
    public Ds18b20Model powerOnReset() {
        converted = false;
        return this;
    }

    @Override
    public String romId() {
        return rom.toString();
    }

    @Override
    public String w1Slave() {
        byte[] s = new byte[9];
        if (!faults.nacking()) {
            int raw = converted ? raw(faults.noisy(celsius, 0.03)) : Ds18b20.POWER_ON_RAW;
            s[0] = (byte) raw;
            s[1] = (byte) (raw >> 8);
            s[2] = 0x4B; // TH, TL: the factory alarm settings
            s[3] = 0x46;
            s[4] = (byte) (0x1F | (resolutionCode << 5));
            s[5] = (byte) 0xFF;
            s[6] = (byte) (0x10 - (raw & 0x0F)); // reserved; w1 output shows this pattern
            s[7] = 0x10;
            s[8] = (byte) Crc8.maxim(s, 0, 8);
        }
        boolean ok = true;
        if (faults.corruptingCrc()) {
            s[0] ^= 0x04; // a bit flipped on the wire after the chip computed its CRC
            ok = false;
        }
        int raw = (short) ((s[0] & 0xFF) | ((s[1] & 0xFF) << 8));
        return W1Slave.format(s, ok, raw * 1000 / 16);
    }

    private int raw(double c) {
        int undefined = 3 - resolutionCode;
        // the chip truncates toward the resolution step; its undefined low bits read 0 here
        int r = (int) Math.round(c * 16);
        return (r >> undefined << undefined) & 0xFFFF;
    }
}
