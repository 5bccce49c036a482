package dev.lichen.store.addons.plantcare;

import dev.lichen.store.sdk.GatewayApi;
import dev.lichen.store.sdk.Trend;
import java.util.List;
import java.util.OptionalDouble;

/** What plant care concludes for one plant from its soil-moisture samples. */
public record PlantCare(String device, String room, double moisture, double slopePerDay, OptionalDouble daysUntilDry, boolean waterNow) {
    /** Below this soil moisture (percent) a typical houseplant wants water. */
    public static final double DRY_PERCENT = 25.0;
    /** The trend is fitted over the last three days: long enough to see past noise, short enough to follow watering. */
    public static final long WINDOW_MILLIS = 3 * 86_400_000L;

    public static PlantCare assess(String device, String room, List<GatewayApi.Sample> samples, long now, double dryPercent) {
        // a watering shows as a jump up: fit only the samples since the last rise of more than 5 points
        int from = 0;
        for (int i = 1; i < samples.size(); i++) {
            if (samples.get(i).v() - samples.get(i - 1).v() > 5) from = i;
        }
        var since = samples.subList(from, samples.size());
        Trend t = Trend.fit(since, now);
        double current = since.isEmpty() ? Double.NaN : since.getLast().v();
        return new PlantCare(device, room, current, t.slopePerDay(), t.daysUntilBelow(dryPercent), !Double.isNaN(current) && current <= dryPercent);
    }

    public String forecastText() {
        if (Double.isNaN(moisture)) return "no readings yet";
        if (waterNow) return "dry now: water it";
        if (daysUntilDry.isEmpty()) return "not drying out";
        double d = daysUntilDry.getAsDouble();
        return d < 1 ? String.format("dry in about %.0f hours", d * 24) : String.format("dry in about %.1f days", d);
    }
}
