package dev.lichen.gateway.store.series;

import java.util.Comparator;
import java.util.Objects;

/**
 * One reading of a chunk. The channel is not here: a chunk holds one channel's readings and the
 * store keeps the channel beside the blob. {@code boot} is the row id of the device's boot, and
 * (boot, seq) is the key the store keeps exactly once.
 */
public record ChunkReading(long timeMillis, long boot, long seq, ChunkValue value) {

    /** The order of readings in a chunk: by time, then boot, then seq. */
    public static final Comparator<ChunkReading> ORDER = (a, b) -> {
        int c = Long.compare(a.timeMillis, b.timeMillis);
        if (c == 0) c = Long.compare(a.boot, b.boot);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    };

    public ChunkReading {
        Objects.requireNonNull(value, "value");
    }

    /** A number reading; NaN and infinities are refused here, where the reading can be named. */
    public static ChunkReading number(long timeMillis, long boot, long seq, double value) {
        if (!Double.isFinite(value))
            throw new IllegalArgumentException("reading at t=" + timeMillis + " boot=" + boot + " seq=" + seq
                    + ": " + value + " cannot be stored (NaN and infinities are refused)");
        return new ChunkReading(timeMillis, boot, seq, new ChunkValue.Num(value));
    }

    public static ChunkReading text(long timeMillis, long boot, long seq, String text) {
        if (text == null)
            throw new IllegalArgumentException("reading at t=" + timeMillis + " boot=" + boot + " seq=" + seq + ": text is null");
        return new ChunkReading(timeMillis, boot, seq, new ChunkValue.Text(text));
    }
}
