package dev.lichen.senml;

/**
 * Size limits a pack must respect, checked on decode before any parsing (bytes) and while
 * parsing (records), and on encode. The default fits a pack in a few CoAP blocks.
 */
public record SenmlLimits(int maxBytes, int maxRecords) {
    public static final SenmlLimits DEFAULT = new SenmlLimits(64 * 1024, 1000);

    public SenmlLimits {
        if (maxBytes < 16) throw new IllegalArgumentException("maxBytes must be at least 16, got " + maxBytes);
        if (maxRecords < 1) throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
    }
}
