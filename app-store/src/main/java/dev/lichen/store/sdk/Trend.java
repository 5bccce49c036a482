package dev.lichen.store.sdk;

import java.util.List;

/** A least-squares line through samples: the slope add-ons forecast with. */
public record Trend(double slopePerDay, double valueNow, int samples, long spanMillis) {
    private static final double DAY = 86_400_000.0;

    /** Fits value = a + b*t over {@code samples} (at least 2 with distinct times), evaluated at {@code nowMillis}. */
    public static Trend fit(List<GatewayApi.Sample> samples, long nowMillis) {
        int n = samples.size();
        if (n < 2) return new Trend(0, n == 1 ? samples.getFirst().v() : Double.NaN, n, 0);
        double t0 = samples.getFirst().t(), st = 0, sv = 0;
        for (var s : samples) {
            st += (s.t() - t0) / DAY;
            sv += s.v();
        }
        double mt = st / n, mv = sv / n, num = 0, den = 0;
        for (var s : samples) {
            double dt = (s.t() - t0) / DAY - mt;
            num += dt * (s.v() - mv);
            den += dt * dt;
        }
        double slope = den == 0 ? 0 : num / den;
        double now = mv + slope * ((nowMillis - t0) / DAY - mt);
        return new Trend(slope, now, n, samples.getLast().t() - samples.getFirst().t());
    }

    /** Days until the line crosses {@code level} going down; empty when it is not falling. */
    public java.util.OptionalDouble daysUntilBelow(double level) {
        if (Double.isNaN(valueNow)) return java.util.OptionalDouble.empty();
        if (valueNow <= level) return java.util.OptionalDouble.of(0);
        if (slopePerDay >= 0) return java.util.OptionalDouble.empty();
        return java.util.OptionalDouble.of((valueNow - level) / -slopePerDay);
    }
}
