package dev.lichen.runtime.storage;

import dev.lichen.senml.Reading;
import java.io.IOException;
import java.util.List;

/**
 * The device's durable queue of readings not yet acknowledged by the gateway. A reading is
 * appended before it is sent and removed only once acknowledged; appends survive a kill or a
 * power cut. Bounded by a flash budget: when full, the oldest are dropped and counted.
 */
public interface Outbox extends AutoCloseable {
    /** Appends and returns once the reading is durable; its sequence number only grows. */
    Entry append(String bootId, Reading reading) throws IOException;

    /** Up to max oldest unacknowledged entries, in order. */
    default List<Entry> pending(int max) throws IOException {
        return pending(Long.MIN_VALUE, max);
    }

    /**
     * Up to max oldest unacknowledged entries whose sequence comes after {@code after}, in order:
     * for a sender that acknowledges later than it sends, so that it does not read again what it
     * already sent.
     */
    List<Entry> pending(long after, int max) throws IOException;

    /** Everything up to and including seq is delivered; it may be compacted away. */
    void acknowledge(long seq) throws IOException;

    Stats stats();

    @Override
    void close() throws IOException;

    record Entry(long seq, String bootId, Reading reading) {}

    record Stats(long pending, long bytesOnFlash, long dropped, long lastDurableSeq) {}
}
