package dev.lichen.gateway.store.series;

import dev.lichen.gateway.store.Resolution;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Random chunks, each from its own seed (printed on failure; {@code -Dchunk.seed=N} runs just that
 * one, {@code -Dchunk.cases=N} runs more): the round trip is exact, and the summary and buckets are
 * what a plain computation over the sorted list gives.
 */
class ChunkCodecPropertyTest {
    private static final int CASES = Integer.getInteger("chunk.cases", 3000);

    @Test
    void randomChunksRoundTripExactlyAndSummarizeLikeAPlainList() {
        Long only = Long.getLong("chunk.seed");
        long from = only != null ? only : 0, to = only != null ? only + 1 : CASES;
        for (long seed = from; seed < to; seed++) {
            List<ChunkReading> input = ChunkGen.chunk(new Random(seed));
            try {
                check(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " (rerun with -Dchunk.seed=" + seed + "), "
                        + input.size() + " readings, first " + input.getFirst() + ": " + e.getMessage(), e);
            }
        }
    }

    private static void check(List<ChunkReading> input) {
        List<ChunkReading> expected = new ArrayList<>(input);
        expected.sort(ChunkReading.ORDER); // stable, as the encoder's

        EncodedChunk chunk = ChunkEncoder.encode(input);
        List<ChunkReading> decoded = ChunkDecoder.decode(chunk.blob());
        assertExactlyEqual(expected, decoded);

        assertEquals(plainSummary(expected), chunk.summary(), "summary");
        for (long size : new long[] {Resolution.MINUTE.bucketMillis(), Resolution.HOUR.bucketMillis()})
            assertEquals(plainBuckets(expected, size), Bucket.aggregate(decoded, size), "buckets of " + size + " ms");
    }

    static void assertExactlyEqual(List<ChunkReading> expected, List<ChunkReading> actual) {
        assertEquals(expected.size(), actual.size(), "count");
        for (int i = 0; i < expected.size(); i++) {
            ChunkReading e = expected.get(i), a = actual.get(i);
            String at = "reading " + i + " " + e + " vs " + a;
            assertEquals(e.timeMillis(), a.timeMillis(), at);
            assertEquals(e.boot(), a.boot(), at);
            assertEquals(e.seq(), a.seq(), at);
            switch (e.value()) {
                case ChunkValue.Num(double v) -> {
                    if (!(a.value() instanceof ChunkValue.Num(double w)))
                        throw new AssertionError(at + ": a number came back as a text");
                    else assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits(w), at);
                }
                case ChunkValue.Text(String t) -> assertEquals(e.value(), a.value(), at + " (text " + t.length() + " chars)");
            }
        }
    }

    /** The summary as anyone would compute it from the list. */
    static ChunkSummary plainSummary(List<ChunkReading> sorted) {
        List<Double> numbers = numbers(sorted);
        double min = Double.NaN, max = Double.NaN, sum = 0;
        for (double v : numbers) {
            min = Double.isNaN(min) ? v : Math.min(min, v);
            max = Double.isNaN(max) ? v : Math.max(max, v);
            sum += v;
        }
        return new ChunkSummary(sorted.size(), sorted.getFirst().timeMillis(), sorted.getLast().timeMillis(),
                numbers.size(), min, max, sum);
    }

    /** Buckets by filtering the whole list once per bucket start. */
    static List<Bucket> plainBuckets(List<ChunkReading> sorted, long size) {
        TreeSet<Long> starts = new TreeSet<>();
        for (ChunkReading r : sorted)
            if (r.value() instanceof ChunkValue.Num) starts.add(Math.floorDiv(r.timeMillis(), size) * size);
        List<Bucket> out = new ArrayList<>();
        for (long start : starts) {
            List<ChunkReading> in = new ArrayList<>();
            for (ChunkReading r : sorted)
                if (r.timeMillis() >= start && r.timeMillis() - size < start) in.add(r);
            ChunkSummary s = plainSummary(in);
            out.add(new Bucket(start, s.numberCount(), s.min(), s.max(), s.sum()));
        }
        return out;
    }

    private static List<Double> numbers(List<ChunkReading> rs) {
        List<Double> out = new ArrayList<>();
        for (ChunkReading r : rs) if (r.value() instanceof ChunkValue.Num(double v)) out.add(v);
        return out;
    }

    @Test
    void everyEdgeDoubleAloneAndBesideEachOtherRoundTrips() {
        List<ChunkReading> rs = new ArrayList<>();
        long t = 0;
        for (double a : ChunkGen.EDGE_DOUBLES)
            for (double b : ChunkGen.EDGE_DOUBLES) {
                rs.add(ChunkReading.number(t++, 1, t, a));
                rs.add(ChunkReading.number(t++, 1, t, b));
            }
        for (double a : ChunkGen.EDGE_DOUBLES) {
            List<ChunkReading> one = List.of(ChunkReading.number(-5, 7, 9, a));
            assertExactlyEqual(one, ChunkDecoder.decode(ChunkEncoder.encode(one).blob()));
        }
        assertExactlyEqual(rs, ChunkDecoder.decode(ChunkEncoder.encode(rs).blob()));
    }

    @Test
    void extremeLongsRoundTrip() {
        long[] xs = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1};
        List<ChunkReading> rs = new ArrayList<>();
        for (long a : xs) for (long b : xs) for (long c : xs) rs.add(ChunkReading.number(a, b, c, 1.5));
        rs.sort(ChunkReading.ORDER);
        assertExactlyEqual(rs, ChunkDecoder.decode(ChunkEncoder.encode(rs).blob()));
    }

    @Test
    void aDecimalChunkWithOneNonDecimalFallsBackToXorAndStaysExact() {
        List<ChunkReading> rs = new ArrayList<>();
        for (int i = 0; i < 100; i++) rs.add(ChunkReading.number(i * 10_000L, 1, i, (2000 + i) / 100.0));
        rs.add(ChunkReading.number(1_000_000, 1, 100, 0.1 + 0.2));
        rs.add(ChunkReading.number(1_000_001, 1, 101, -0.0));
        assertExactlyEqual(rs, ChunkDecoder.decode(ChunkEncoder.encode(rs).blob()));
    }

    /** Random data seldom has zero as its minimum: -0.0 sorts below 0.0 in min and max, both orders. */
    @Test
    void signedZerosInTheSummaryAndBuckets() {
        for (double[] vs : new double[][] {{0.0, -0.0}, {-0.0, 0.0}}) {
            List<ChunkReading> rs = List.of(ChunkReading.number(1, 1, 1, vs[0]), ChunkReading.number(2, 1, 2, vs[1]));
            ChunkSummary s = ChunkEncoder.encode(rs).summary();
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(s.min()), "min of " + rs);
            assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(s.max()), "max of " + rs);
            assertEquals(plainSummary(rs), s);
            assertEquals(plainBuckets(rs, Resolution.MINUTE.bucketMillis()), Bucket.aggregate(rs, Resolution.MINUTE.bucketMillis()));
        }
    }
}
