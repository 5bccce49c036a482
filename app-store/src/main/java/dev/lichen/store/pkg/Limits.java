package dev.lichen.store.pkg;

/** Bounds a package must stay within before anything of it is written to disk. */
public record Limits(long maxPackageBytes, long maxEntryBytes, long maxTotalBytes, int maxEntries, int maxRatio) {
    /**
     * 32 MB download, 16 MB per entry, 40 MB unpacked, 4096 entries, 100:1 compression past 1 MB:
     * a package is checked in memory, and the gateway's heap on a Pi is 112 MB.
     */
    public static final Limits DEFAULT = new Limits(32L << 20, 16L << 20, 40L << 20, 4096, 100);

    public Limits withMaxPackageBytes(long bytes) {
        return new Limits(bytes, maxEntryBytes, maxTotalBytes, maxEntries, maxRatio);
    }

    public Limits withMaxTotalBytes(long bytes) {
        return new Limits(maxPackageBytes, Math.min(maxEntryBytes, bytes), bytes, maxEntries, maxRatio);
    }
}
