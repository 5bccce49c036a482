package dev.lichen.sensors.core;

/** The two CRC-8s the chips here use. Both are x^8+x^5+x^4+1; they differ in bit order and start. */
public final class Crc8 {
    private Crc8() {}

    /** Sensirion (SHT3x, SGP30): polynomial 0x31, init 0xFF, MSB first, no final XOR. */
    public static int sensirion(byte[] data, int offset, int length) {
        int crc = 0xFF;
        for (int i = offset; i < offset + length; i++) {
            crc ^= data[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x31) & 0xFF : (crc << 1) & 0xFF;
            }
        }
        return crc;
    }

    /** Dallas/Maxim 1-Wire (Maxim AN27): the same polynomial reflected (0x8C), init 0, LSB first. */
    public static int maxim(byte[] data, int offset, int length) {
        int crc = 0;
        for (int i = offset; i < offset + length; i++) {
            crc ^= data[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x8C : crc >>> 1;
            }
        }
        return crc;
    }
}
