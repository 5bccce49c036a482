package dev.lichen.sensors.ds18b20;

import dev.lichen.sensors.core.Crc8;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A 1-Wire ROM id: family code, 48-bit serial number and the CRC-8 of both (Maxim AN27). Linux
 * names a slave "ff-ssssssssssss" (family, serial, hex), leaving the CRC out: the kernel checked it
 * while searching the bus.
 */
public record RomId(int family, long serial) {
    public static final int DS18B20 = 0x28;
    private static final Pattern SYSFS = Pattern.compile("([0-9a-f]{2})-([0-9a-f]{12})");

    public RomId {
        if (family < 0 || family > 0xFF || serial < 0 || serial > 0xFFFF_FFFF_FFFFL) {
            throw new IllegalArgumentException("ROM id needs an 8-bit family and a 48-bit serial");
        }
    }

    /** Parses Linux's "28-0000075e3a1b"; throws IllegalArgumentException with the expected form. */
    public static RomId parse(String name) {
        var m = SYSFS.matcher(name == null ? "" : name);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a 1-Wire ROM id like 28-0000075e3a1b (family, dash, 12 hex digits)");
        }
        return new RomId(Integer.parseInt(m.group(1), 16), Long.parseLong(m.group(2), 16));
    }

    /** The 8 ROM bytes as they come off the wire: family, serial LSB first, CRC. */
    public byte[] bytes() {
        byte[] b = new byte[8];
        b[0] = (byte) family;
        for (int i = 0; i < 6; i++) {
            b[1 + i] = (byte) (serial >>> (8 * i));
        }
        b[7] = (byte) Crc8.maxim(b, 0, 7);
        return b;
    }

    public int crc() {
        return bytes()[7] & 0xFF;
    }

    /** Checks ROM bytes read off the wire (8 bytes, CRC last). */
    public static boolean crcValid(byte[] rom) {
        return rom.length == 8 && Crc8.maxim(rom, 0, 7) == (rom[7] & 0xFF);
    }

    @Override
    public String toString() {
        return HexFormat.of().toHexDigits((byte) family) + "-" + "%012x".formatted(serial);
    }
}
