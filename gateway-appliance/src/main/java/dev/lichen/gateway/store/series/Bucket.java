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

    public static final long MINUTE = 60_000L;
    public static final long HOUR = 3_600_000L;

    public double mean() {
        return sum / count;
    }

    /**
     * Buckets of the given size over the readings' numbers (texts are skipped), in ascending start
     * order; a bucket exists only if a number falls in it. Sums are added in the readings' order.
     *
     * @throws ArithmeticException if a bucket's start is not a long (times within one bucket of Long.MIN_VALUE)
     */
    public static List<Bucket> aggregate(List<ChunkReading> readings, long sizeMillis) {
        if (sizeMillis <= 0) throw new IllegalArgumentException("bucket size must be positive, got " + sizeMillis);
        Map<Long, Acc> byStart = new TreeMap<>();
        for (ChunkReading r : readings) {
            if (!(r.value() instanceof ChunkValue.Num(double v))) continue;
            long start = Math.multiplyExact(Math.floorDiv(r.timeMillis(), sizeMillis), sizeMillis);
            byStart.computeIfAbsent(start, s -> new Acc()).add(v);
        }
        List<Bucket> out = new ArrayList<>(byStart.size());
        byStart.forEach((start, a) -> out.add(new Bucket(start, a.count, a.min, a.max, a.sum)));
        return out;
    }

    private static final class Acc {
        int count;
        double min, max, sum;

        void add(double v) {
            min = count == 0 ? v : Math.min(min, v);
            max = count == 0 ? v : Math.max(max, v);
            sum += v;
            count++;
        }
    }
}
