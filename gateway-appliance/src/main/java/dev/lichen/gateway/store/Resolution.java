package dev.lichen.gateway.store;

import java.time.Duration;

/** The tiers readings are kept in; queries pick the coarsest tier that still gives enough points. */
public enum Resolution {
    RAW(0), MINUTE(60_000), HOUR(3_600_000);

    private final long bucketMillis;

    Resolution(long bucketMillis) { this.bucketMillis = bucketMillis; }

    public long bucketMillis() { return bucketMillis; }

    /**
     * The resolution for a range shown as a chart: raw up to 6 hours, 1-minute buckets up to
     * 3 days, hourly beyond (hour: ~360 raw points at 1/min, day: 1440, week: 168, month: 720).
     */
    public static Resolution forRange(long fromMillis, long toMillis) {
        long span = Math.max(0, toMillis - fromMillis);
        if (span <= Duration.ofHours(6).toMillis()) return RAW;
        if (span <= Duration.ofDays(3).toMillis()) return MINUTE;
        return HOUR;
    }
}
