package dev.lichen.store.addons.fridge;

import dev.lichen.store.sdk.GatewayApi.Sample;
import dev.lichen.store.sdk.Trend;
import java.util.List;
import java.util.Optional;

/** The fridge's rules: spoilage from the VOC trend, door left open, and how often it opens. */
public final class Freshness {
    /** Recent window the VOC trend is fitted over. */
    public static final long RECENT_MILLIS = 6 * 3_600_000L;
    /** A door open longer than this is "left open". */
    public static final long DOOR_LIMIT_MILLIS = 2 * 60_000L;

    private Freshness() {}

    /** VOC now against its baseline (median of the 24 h before the recent window). */
    public record Spoilage(double baselinePpb, double nowPpb, double slopePerHour, boolean spoiling) {
        public String text() {
            if (Double.isNaN(nowPpb)) return "no VOC readings yet";
            if (spoiling) return String.format("VOC %.0f ppb, %.0f%% above its usual %.0f ppb and rising: something may be spoiling",
                    nowPpb, (nowPpb / baselinePpb - 1) * 100, baselinePpb);
            return String.format("VOC %.0f ppb (usual %.0f ppb): fresh", nowPpb, baselinePpb);
        }
    }

    /**
     * Spoiling when the recent fit is rising by more than 5 ppb an hour and now stands at least 50 %
     * and 50 ppb above the baseline: decay gives a steady climb, a door opening only a blip.
     */
    public static Spoilage spoilage(List<Sample> voc, long now) {
        var before = voc.stream().filter(s -> s.t() < now - RECENT_MILLIS).mapToDouble(Sample::v).sorted().toArray();
        var recent = voc.stream().filter(s -> s.t() >= now - RECENT_MILLIS).toList();
        if (recent.isEmpty()) return new Spoilage(Double.NaN, Double.NaN, 0, false);
        Trend t = Trend.fit(recent, now);
        double baseline = before.length == 0 ? recent.getFirst().v() : median(before);
        double perHour = t.slopePerDay() / 24;
        double nowPpb = recent.getLast().v();
        boolean spoiling = perHour > 5 && nowPpb >= baseline * 1.5 && nowPpb - baseline >= 50;
        return new Spoilage(baseline, nowPpb, perHour, spoiling);
    }

    /** Since when the door has been open, when the last reading says it is open. */
    public static Optional<Long> openSince(List<Sample> door) {
        if (door.isEmpty() || door.getLast().v() < 0.5) return Optional.empty();
        long since = door.getLast().t();
        for (int i = door.size() - 1; i >= 0 && door.get(i).v() >= 0.5; i--) since = door.get(i).t();
        return Optional.of(since);
    }

    public static boolean leftOpen(List<Sample> door, long now) {
        return openSince(door).map(s -> now - s >= DOOR_LIMIT_MILLIS).orElse(false);
    }

    /** Closed-to-open transitions in the samples (the first sample counts when it is open). */
    public static int openings(List<Sample> door) {
        int n = 0;
        double prev = 0;
        for (var s : door) {
            if (s.v() >= 0.5 && prev < 0.5) n++;
            prev = s.v();
        }
        return n;
    }

    public static double median(double[] sorted) {
        int n = sorted.length;
        if (n == 0) return Double.NaN;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
