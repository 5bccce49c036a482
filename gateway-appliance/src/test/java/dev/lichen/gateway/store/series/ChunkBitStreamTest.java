package dev.lichen.gateway.store.series;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkBitStreamTest {

    @Test
    void bitsVarintsAndCodesReadBackAsWritten() {
        long[] edges = {0, 1, -1, 7, 8, -8, 63, 64, 2047, 2048, (1L << 23) - 1, 1L << 23, (1L << 39) - 1, 1L << 39,
            Long.MAX_VALUE, Long.MIN_VALUE};
        Random rnd = new Random(3);
        int count = 5_000;
        long[] values = new long[count];
        int[] kinds = new int[count], widths = new int[count];
        BitWriter w = new BitWriter(1);
        for (int i = 0; i < count; i++) {
            values[i] = i < edges.length ? edges[i] : rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextLong() >> rnd.nextInt(64);
            kinds[i] = rnd.nextInt(4);
            widths[i] = rnd.nextInt(65);
            switch (kinds[i]) {
                case 0 -> w.writeBits(values[i], widths[i]);
                case 1 -> w.writeVarLong(values[i]);
                case 2 -> w.writeZigZag(values[i]);
                default -> w.writeCode(values[i]);
            }
        }
        byte[] b = w.toByteArray(0);
        assertEquals((w.bitLength() + 7) / 8, b.length);
        BitReader r = new BitReader(b, 0, b.length);
        for (int i = 0; i < count; i++) {
            long expected = kinds[i] == 0 ? (widths[i] == 64 ? values[i] : values[i] & ((1L << widths[i]) - 1)) : values[i];
            long got = switch (kinds[i]) {
                case 0 -> r.readBits(widths[i]);
                case 1 -> r.readVarLong();
                case 2 -> r.readZigZag();
                default -> r.readCode();
            };
            assertEquals(expected, got, "value " + i + " kind " + kinds[i]);
        }
        assertThrows(CorruptChunkException.class, () -> r.readBits(8));
    }

    @Test
    void appendKeepsBitAlignment() {
        BitWriter a = new BitWriter(1), b = new BitWriter(1);
        a.writeBits(0b101, 3);
        b.writeBits(0x1234_5678_9ABCL, 45);
        a.append(b);
        BitReader r = new BitReader(a.toByteArray(0), 0, 6);
        assertEquals(0b101, r.readBits(3));
        assertEquals(0x1234_5678_9ABCL, r.readBits(45));
    }
}
