package dev.lichen.gateway.store.series;

import java.util.List;

/**
 * What the store keeps beside a chunk's blob so that rollups and long-range queries never decode
 * it. {@code min}, {@code max} and {@code sum} are over the chunk's numbers only (texts count in
 * {@code count} alone); with no numbers, min and max are NaN and sum is 0. The sum is added in
 * time order, so a plain loop over the decoded readings gives the same double.
 */
public record ChunkSummary(int count, long firstMillis, long lastMillis,
                           int numberCount, double min, double max, double sum) {

    public boolean hasNumbers() {
        return numberCount > 0;
    }

    /** The mean of the numbers, NaN without any. */
    public double mean() {
        return numberCount == 0 ? Double.NaN : sum / numberCount;
    }

    /** The summary of readings already in chunk order (the encoder computes the same while it writes). */
    public static ChunkSummary of(List<ChunkReading> sorted) {
        Accumulator a = new Accumulator();
        for (ChunkReading r : sorted) a.add(r);
        return a.summary();
    }

    /** Fed one reading at a time, in chunk order. */
    static final class Accumulator {
        private int count, numbers;
        private long first, last;
        private double min = Double.NaN, max = Double.NaN, sum;

        void add(ChunkReading r) {
            if (count++ == 0) first = r.timeMillis();
            last = r.timeMillis();
            if (r.value() instanceof ChunkValue.Num(double v)) {
                // Math.min/max order -0.0 below 0.0, as a plain list computation does
                min = numbers == 0 ? v : Math.min(min, v);
                max = numbers == 0 ? v : Math.max(max, v);
                sum += v;
                numbers++;
            }
        }

        ChunkSummary summary() {
            if (count == 0) throw new IllegalStateException("no readings");
            return new ChunkSummary(count, first, last, numbers, min, max, sum);
        }
    }
}
