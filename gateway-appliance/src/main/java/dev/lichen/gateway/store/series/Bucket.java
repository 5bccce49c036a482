package dev.lichen.gateway.store.series;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The numbers of one time bucket: start = floor(t / size) * size. The store aggregates a partial
 * chunk's readings with this and merges the result with stored rollups, so the sum is kept (a mean
 * alone does not combine).
 */
public record Bucket(long startMillis, int count, double min, double max, double sum) {

    public double mean() {
        return sum / count;
    }

    /**
     * Buckets of the given size ({@link dev.lichen.gateway.store.Resolution#bucketMillis()}) over the
     * readings' numbers (texts are skipped), in ascending start order; a bucket exists only if a
     * number falls in it. Sums are added in the readings' order.
     *
     * @throws ArithmeticException if a bucket's start is not a long (times within one bucket of Long.MIN_VALUE)
     */
    public static List<Bucket> aggregate(List<ChunkReading> readings, long sizeMillis) {
        if (sizeMillis <= 0) throw new IllegalArgumentException("bucket size must be positive, got " + sizeMillis);
        Map<Long, ChunkSummary.Accumulator> byStart = new TreeMap<>();
        for (ChunkReading r : readings) {
            if (!(r.value() instanceof ChunkValue.Num)) continue;
            long start = Math.multiplyExact(Math.floorDiv(r.timeMillis(), sizeMillis), sizeMillis);
            byStart.computeIfAbsent(start, s -> new ChunkSummary.Accumulator()).add(r);
        }
        List<Bucket> out = new ArrayList<>(byStart.size());
        byStart.forEach((start, a) -> {
            ChunkSummary s = a.summary();
            out.add(new Bucket(start, s.numberCount(), s.min(), s.max(), s.sum()));
        });
        return out;
    }
}
