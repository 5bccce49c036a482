package dev.lichen.gateway.store.series;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The per-boot set of stored seqs against a plain TreeSet: the same answer to every add and
 * contains, through in-order runs, late and duplicated packs and far jumps, and the same set after
 * a round trip through its stored bytes.
 */
class StoredSeqsTest {

    @Test
    void randomArrivalsGiveTheAnswersOfAPlainSet() {
        for (long seed = 0; seed < 500; seed++) {
            Random r = new Random(seed);
            StoredSeqs seqs = new StoredSeqs();
            TreeSet<Long> plain = new TreeSet<>();
            long next = r.nextInt(3) == 0 ? (1L << (20 + r.nextInt(40))) : 0;
            for (int op = 0; op < 400; op++) {
                long seq;
                int kind = r.nextInt(10);
                if (kind < 5) seq = next++;                                   // in order
                else if (kind < 7) seq = Math.max(0, next - 1 - r.nextInt(20)); // late or a duplicate
                else if (kind < 9) { next += 1 + r.nextInt(8); seq = next; }   // a lost pack
                else { next += 1L << (10 + r.nextInt(30)); seq = next; }       // a far jump
                String at = "seed " + seed + " op " + op + " seq " + seq + " in " + seqs;
                assertEquals(plain.add(seq), seqs.add(seq), at);
                // probe around the arrival, where a range can be wrong
                for (long p = seq - 3; p <= seq + 3; p++) assertEquals(plain.contains(p), seqs.contains(p), at + " probe " + p);
            }
            assertEquals(plain.size(), seqs.size(), "seed " + seed);
            for (long s : plain) assertTrue(seqs.contains(s), "seed " + seed + " lost " + s);
            StoredSeqs back = StoredSeqs.fromBytes(seqs.toBytes());
            assertEquals(seqs.toString(), back.toString(), "seed " + seed);
            for (long s : plain) assertFalse(back.add(s), "seed " + seed + " round trip lost " + s);
        }
    }

    @Test
    void aMillionInOrderCostOneRangeAndAFewBytes() {
        StoredSeqs seqs = new StoredSeqs();
        for (long s = 0; s < 1_000_000; s++) assertTrue(seqs.add(s));
        assertEquals(1, seqs.ranges());
        assertTrue(seqs.toBytes().length <= 6, seqs.toBytes().length + " bytes");
        assertFalse(seqs.add(999_999));
        assertFalse(seqs.add(0));
    }

    @Test
    void holesCloseWhenTheLatePacksCome() {
        StoredSeqs seqs = new StoredSeqs();
        for (long s : new long[] {0, 1, 2, 6, 7, 4}) seqs.add(s);
        assertEquals("[0..2, 4..4, 6..7]", seqs.toString());
        seqs.add(3);
        seqs.add(5);
        assertEquals("[0..7]", seqs.toString());
        StoredSeqs other = new StoredSeqs();
        for (long s : new long[] {8, 9, 20}) other.add(s);
        seqs.addAll(other);
        assertEquals("[0..9, 20..20]", seqs.toString());
    }

    @Test
    void damagedBytesAreRefusedWithAReason() {
        StoredSeqs two = new StoredSeqs();
        two.add(5);
        two.add(9);
        byte[] good = two.toBytes();
        assertArrayEquals(good, StoredSeqs.fromBytes(good).toBytes());
        var cut = assertThrows(CorruptChunkException.class, () -> StoredSeqs.fromBytes(java.util.Arrays.copyOf(good, good.length - 1)));
        assertTrue(cut.getMessage().contains("cut short"), cut.getMessage());
        byte[] overlapping = {2, 10, 4, 0, 0}; // [5..9] then a range starting at 9
        assertThrows(CorruptChunkException.class, () -> StoredSeqs.fromBytes(overlapping));
    }
}
