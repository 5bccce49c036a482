package dev.lichen.gateway.store.series;

import dev.lichen.gateway.store.Resolution;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the codec refuses, and with which words; and that unsorted input is sorted, not refused. */
class ChunkInputTest {

    @Test
    void nanAndInfinitiesAreRefusedNamingTheReading() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Double.longBitsToDouble(0x7ff0_0000_0000_0001L)}) {
            var e = assertThrows(IllegalArgumentException.class, () -> ChunkReading.number(1_764_170_314_000L, 42, 7, bad));
            assertTrue(e.getMessage().contains("t=1764170314000 boot=42 seq=7"), e.getMessage());
            assertTrue(e.getMessage().contains(Double.toString(bad)), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new ChunkValue.Num(bad));
        }
    }

    @Test
    void aNullTextIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> ChunkReading.text(5, 1, 2, null));
        assertTrue(e.getMessage().contains("t=5 boot=1 seq=2: text is null"), e.getMessage());
        assertThrows(NullPointerException.class, () -> new ChunkValue.Text(null));
        assertThrows(NullPointerException.class, () -> new ChunkReading(1, 1, 1, null));
    }

    @Test
    void anEmptyChunkIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> ChunkEncoder.encode(List.of()));
        assertEquals("a chunk needs at least one reading", e.getMessage());
        assertThrows(NullPointerException.class, () -> ChunkEncoder.encode(null));
    }

    @Test
    void unsortedInputIsSortedByTimeBootSeq() {
        ChunkReading a = ChunkReading.number(1000, 2, 5, 1.0);
        ChunkReading b = ChunkReading.number(1000, 2, 6, 2.0);
        ChunkReading c = ChunkReading.number(1000, 3, 0, 3.0);
        ChunkReading d = ChunkReading.text(2000, 1, 9, "late boot id, later time");
        assertEquals(List.of(a, b, c, d), ChunkDecoder.decode(ChunkEncoder.encode(List.of(d, c, b, a)).blob()));
    }

    @Test
    void summaryOfTextsOnlyHasNoNumbers() {
        ChunkSummary s = ChunkEncoder.encode(List.of(ChunkReading.text(10, 1, 1, "open"), ChunkReading.text(20, 1, 2, "closed"))).summary();
        assertEquals(new ChunkSummary(2, 10, 20, 0, Double.NaN, Double.NaN, 0), s);
        assertTrue(Double.isNaN(s.mean()));
    }

    @Test
    void bucketsStartAtTheFloorAlsoBeforeNineteenSeventy() {
        List<ChunkReading> rs = List.of(ChunkReading.number(-1, 1, 1, 4), ChunkReading.number(-60_000, 1, 2, 2),
                ChunkReading.text(-30_000, 1, 3, "ignored"), ChunkReading.number(0, 1, 4, 7), ChunkReading.number(59_999, 1, 5, 9));
        assertEquals(List.of(new Bucket(-60_000, 2, 2, 4, 6), new Bucket(0, 2, 7, 9, 16)), Bucket.aggregate(rs, Resolution.MINUTE.bucketMillis()));
        assertEquals(3.0, Bucket.aggregate(rs, Resolution.MINUTE.bucketMillis()).getFirst().mean());
        assertThrows(IllegalArgumentException.class, () -> Bucket.aggregate(rs, 0));
    }
}
