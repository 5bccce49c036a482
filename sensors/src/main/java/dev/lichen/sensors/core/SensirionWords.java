package dev.lichen.sensors.core;

/** Sensirion's framing: every 16-bit word on the wire is followed by its CRC-8. */
public final class SensirionWords {
    private SensirionWords() {}

    /** Words, MSB first, each followed by its CRC (a parameter written to the chip, or a model's answer). */
    public static byte[] encode(int... words) {
        byte[] out = new byte[words.length * 3];
        for (int i = 0; i < words.length; i++) {
            out[i * 3] = (byte) (words[i] >> 8);
            out[i * 3 + 1] = (byte) words[i];
            out[i * 3 + 2] = (byte) Crc8.sensirion(out, i * 3, 2);
        }
        return out;
    }

    /** Checks each word's CRC; {@code what} names the chip and place for the error. */
    public static int[] decode(byte[] data, String what) throws SensorFault.CrcMismatch {
        int[] words = new int[data.length / 3];
        for (int i = 0; i < words.length; i++) {
            int expected = Crc8.sensirion(data, i * 3, 2);
            int got = data[i * 3 + 2] & 0xFF;
            if (expected != got) {
                throw new SensorFault.CrcMismatch("%s: CRC mismatch on word %d (0x%02x%02x): got 0x%02x, expected 0x%02x"
                        .formatted(what, i, data[i * 3] & 0xFF, data[i * 3 + 1] & 0xFF, got, expected));
            }
            words[i] = ((data[i * 3] & 0xFF) << 8) | (data[i * 3 + 1] & 0xFF);
        }
        return words;
    }
}
