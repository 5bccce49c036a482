package dev.lichen.gateway.store.series;

import java.util.Arrays;

/** Appends bits, most significant first, to a growing byte array. */
final class BitWriter {
    private byte[] buf;
    private int bytes;
    private long acc;    // the bits not yet in buf, right-aligned; fewer than 8 between calls
    private int pending;

    BitWriter(int expectedBytes) {
        buf = new byte[Math.max(16, expectedBytes)];
    }

    /** The low n bits of value, 0 <= n <= 64. */
    void writeBits(long value, int n) {
        if (n > 32) {
            writeBits(value >>> 32, n - 32);
            n = 32;
        }
        if (n == 0) return;
        acc = (acc << n) | (value & ((1L << n) - 1));
        pending += n;
        while (pending >= 8) {
            pending -= 8;
            if (bytes == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
            buf[bytes++] = (byte) (acc >>> pending);
        }
        acc &= (1L << pending) - 1;
    }

    void writeBit(boolean one) {
        writeBits(one ? 1 : 0, 1);
    }

    /** Unsigned LEB128: 7 bits a group, low group first, high bit set on all but the last. */
    void writeVarLong(long v) {
        while ((v & ~0x7FL) != 0) {
            writeBits((v & 0x7F) | 0x80, 8);
            v >>>= 7;
        }
        writeBits(v, 8);
    }

    void writeZigZag(long v) {
        writeVarLong(zigZag(v));
    }

    /** A signed value in the bucketed code of {@link ChunkFormat#CODE_WIDTHS}. */
    void writeCode(long signed) {
        long z = zigZag(signed);
        if (z == 0) {
            writeBits(0, 1);
            return;
        }
        int[] widths = ChunkFormat.CODE_WIDTHS;
        int last = widths.length - 1;
        for (int i = 1; i < last; i++) {
            if (z >>> widths[i] == 0) {
                writeBits(((1L << i) - 1) << 1, i + 1);
                writeBits(z, widths[i]);
                return;
            }
        }
        writeBits((1L << last) - 1, last);
        writeBits(z, 64);
    }

    void append(BitWriter other) {
        for (int i = 0; i < other.bytes; i++) writeBits(other.buf[i], 8);
        writeBits(other.acc, other.pending);
    }

    long bitLength() {
        return bytes * 8L + pending;
    }

    /** The bits, zero-padded to a byte, with {@code extra} zero bytes after them. */
    byte[] toByteArray(int extra) {
        byte[] out = Arrays.copyOf(buf, bytes + (pending > 0 ? 1 : 0) + extra);
        if (pending > 0) out[bytes] = (byte) (acc << (8 - pending));
        return out;
    }

    static long zigZag(long v) {
        return (v << 1) ^ (v >> 63);
    }
}
