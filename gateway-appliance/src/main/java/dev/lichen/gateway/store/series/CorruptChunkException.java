package dev.lichen.gateway.store.series;

/** A blob that is not a chunk this build can read: damaged, truncated, or of an unknown format version. */
public final class CorruptChunkException extends RuntimeException {
    public CorruptChunkException(String message) {
        super(message);
    }
}
