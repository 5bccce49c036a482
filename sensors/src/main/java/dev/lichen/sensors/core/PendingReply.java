package dev.lichen.sensors.core;

import dev.lichen.runtime.bus.BusException;

/**
 * What a command-driven Sensirion chip model answers to the next read, and from when: before
 * that, or with nothing to say, the chip NACKs its read header; a result is read once.
 */
public final class PendingReply {
    private byte[] bytes;
    private long readyNanos;

    /** Words with their CRCs (corrupted if the fault says so), readable from {@code readyNanos}. */
    public void words(long readyNanos, ModelFaults faults, int... words) {
        this.readyNanos = readyNanos;
        bytes = SensirionWords.encode(words);
        for (int i = 2; i < bytes.length; i += 3) {
            bytes[i] = (byte) faults.crc(bytes[i] & 0xFF);
        }
    }

    /** A command that returns nothing (still busy until {@code readyNanos}). */
    public void none(long readyNanos) {
        this.readyNanos = readyNanos;
        bytes = null;
    }

    public byte[] take(int length, long nowNanos, String chip) throws BusException {
        if (bytes == null || nowNanos < readyNanos) {
            throw new BusException(BusException.Kind.NACK, chip + ": no data ready (read header NACKed)");
        }
        byte[] out = java.util.Arrays.copyOf(bytes, length);
        bytes = null;
        return out;
    }
}
