package dev.lichen.sensors.ds18b20;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.OneWireBus;
import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.senml.Reading;
import dev.lichen.sensors.core.PiHeader;
import dev.lichen.sensors.core.SensorFault;
import dev.lichen.sensors.core.Units;
import java.util.List;

/**
 * Maxim DS18B20 through Linux's w1 subsystem: one sensor per ROM id, several on one bus. Checks
 * the scratchpad's CRC itself (the kernel's "YES" alone lets an all-zero scratchpad through), the
 * configuration byte's fixed bits, and the 85 degC power-on value.
 */
public final class Ds18b20 implements Sensor {
    /** The temperature register after power-up, before any conversion: 0x0550 = +85 degC. */
    static final int POWER_ON_RAW = 0x0550;

    private final OneWireBus bus;
    private final RomId rom;

    private Ds18b20(OneWireBus bus, RomId rom) {
        this.bus = bus;
        this.rom = rom;
    }

    /**
     * Finds the sensor by ROM id; without one, takes the bus's only DS18B20 (and refuses to guess
     * among several).
     */
    public static Ds18b20 start(OneWireBus bus, RomId rom) throws BusException {
        List<String> present = bus.slaves();
        List<String> ours = present.stream().filter(s -> s.startsWith("28-")).toList();
        if (rom == null) {
            if (ours.size() != 1) {
                throw new BusException(BusException.Kind.ABSENT, ours.isEmpty()
                        ? "ds18b20: no DS18B20 on %s (slaves: %s): check wiring (%s)".formatted(bus.name(), present, PiHeader.ONE_WIRE)
                        : "ds18b20: %d DS18B20 on %s (%s): give each one's romId in its placement".formatted(ours.size(), bus.name(), String.join(", ", ours)));
            }
            rom = RomId.parse(ours.getFirst());
        } else if (rom.family() != RomId.DS18B20) {
            throw new BusException(BusException.Kind.IO, "ds18b20: %s has family code 0x%02x, a DS18B20 is 0x28".formatted(rom, rom.family()));
        } else if (!present.contains(rom.toString())) {
            throw new BusException(BusException.Kind.ABSENT, "ds18b20: %s not on %s (present: %s): check wiring (%s)"
                    .formatted(rom, bus.name(), present.isEmpty() ? "none" : String.join(", ", present), PiHeader.ONE_WIRE));
        }
        return new Ds18b20(bus, rom);
    }

    public RomId rom() { return rom; }

    @Override
    public List<Channel> channels() {
        return List.of(Units.TEMPERATURE);
    }

    public double celsius() throws BusException, SensorFault {
        String where = "ds18b20 " + rom + " on " + bus.name();
        W1Slave w1 = W1Slave.parse(bus.readSlave(rom.toString()), where);
        byte[] s = w1.scratchpad();
        if (!w1.crcValid()) {
            throw new SensorFault.CrcMismatch("%s: scratchpad CRC mismatch: got 0x%02x, computed 0x%02x (kernel said %s)"
                    .formatted(where, s[8] & 0xFF, dev.lichen.sensors.core.Crc8.maxim(s, 0, 8), w1.kernelCrcOk() ? "YES" : "NO"));
        }
        // configuration register: bits 4..0 always read 1 and bit 7 0; an all-zero scratchpad
        // (a sensor that vanished mid-read) passes the CRC but fails this
        if ((s[4] & 0x9F) != 0x1F) {
            throw new SensorFault.InvalidRawValue("%s: configuration byte 0x%02x is not a DS18B20's (scratchpad %s)"
                    .formatted(where, s[4] & 0xFF, java.util.HexFormat.ofDelimiter(" ").formatHex(s)));
        }
        int raw = (short) ((s[0] & 0xFF) | ((s[1] & 0xFF) << 8));
        if (raw == POWER_ON_RAW) {
            throw new SensorFault.InvalidRawValue(where + ": 85.0 degC is the power-on value: no conversion ran (weak pull-up or parasite power?)");
        }
        double celsius = celsius(raw, (s[4] >> 5) & 0x03);
        if (celsius < -55 || celsius > 125) {
            throw new SensorFault.InvalidRawValue("%s: raw 0x%04x = %.4f degC is outside -55..125".formatted(where, raw & 0xFFFF, celsius));
        }
        return celsius;
    }

    /**
     * The temperature register (two's complement, 1/16 degC) at a resolution of 9 + r bits: the
     * bits below the resolution are undefined and dropped.
     */
    public static double celsius(int raw, int resolutionCode) {
        int undefined = 3 - resolutionCode;
        return ((short) raw >> undefined << undefined) / 16.0;
    }

    @Override
    public List<Reading> sample(long timeMillis) throws BusException {
        try {
            return List.of(Units.number(Units.TEMPERATURE, celsius(), timeMillis));
        } catch (SensorFault f) {
            throw f.asBusException();
        }
    }
}
