package dev.lichen.gateway.store.series;

/** Reads what {@link BitWriter} wrote; every read past the end throws, so a corrupt blob cannot loop. */
final class BitReader {
    private final byte[] data;
    private final long limit;
    private long pos;

    BitReader(byte[] data, int fromByte, int toByte) {
        this.data = data;
        this.pos = fromByte * 8L;
        this.limit = toByte * 8L;
    }

    long remaining() {
        return limit - pos;
    }

    long position() {
        return pos;
    }

    long readBits(int n) {
        if (n > remaining())
            throw new CorruptChunkException("chunk truncated: " + n + " more bits needed at bit " + pos + " of " + limit);
        long v = 0;
        while (n > 0) {
            int off = (int) (pos & 7);
            int take = Math.min(8 - off, n);
            int b = data[(int) (pos >>> 3)] & 0xFF;
            v = (v << take) | ((b >>> (8 - off - take)) & ((1 << take) - 1));
            pos += take;
            n -= take;
        }
        return v;
    }

    boolean readBit() {
        return readBits(1) != 0;
    }

    long readVarLong() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            long b = readBits(8);
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (shift == 63 && b > 1) break;
                return v;
            }
        }
        throw new CorruptChunkException("varint longer than 64 bits at bit " + pos);
    }

    long readZigZag() {
        return unZigZag(readVarLong());
    }

    /** A count in [min, max], refused otherwise so that a corrupt count never sizes an allocation. */
    int readCount(String what, long min, long max) {
        long c = readVarLong();
        if (c < min || c > max)
            throw new CorruptChunkException(what + " " + Long.toUnsignedString(c) + " outside " + min + ".." + max + " at bit " + pos);
        return (int) c;
    }

    long readCode() {
        int[] widths = ChunkFormat.CODE_WIDTHS;
        int last = widths.length - 1;
        int i = 0;
        while (i < last && readBit()) i++;
        return unZigZag(readBits(widths[i]));
    }

    static long unZigZag(long z) {
        return (z >>> 1) ^ -(z & 1);
    }
}
