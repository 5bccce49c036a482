package dev.lichen.store.addons.share;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.lichen.store.addons.fridge.Freshness;
import dev.lichen.store.sdk.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** The community side: each home's latest aggregates, and the medians over homes. */
public final class Community {
    /** Medians over {@code homes} homes (a figure is null when no home reported it). */
    public record Medians(int homes, Double fridgeOpens, Double meanTempC) {}

    private final Path file;
    private final Map<String, Aggregates> latest = new TreeMap<>();

    public Community(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) latest.putAll(Json.MAPPER.readValue(file.toFile(), new TypeReference<Map<String, Aggregates>>() {}));
    }

    /** Keeps the newest day per home. */
    public synchronized void submit(Aggregates a) throws IOException {
        a.check();
        var old = latest.get(a.home());
        if (old != null && old.day().compareTo(a.day()) > 0) return;
        latest.put(a.home(), a);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, Json.write(latest));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public synchronized Medians medians() {
        double[] opens = latest.values().stream().map(Aggregates::fridgeOpens).filter(Objects::nonNull).mapToDouble(Integer::doubleValue).sorted().toArray();
        double[] temps = latest.values().stream().map(Aggregates::meanTempC).filter(Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
        return new Medians(latest.size(), opens.length == 0 ? null : Freshness.median(opens), temps.length == 0 ? null : Freshness.median(temps));
    }

    /** How this home compares, in sentences a household reads. */
    public static java.util.List<String> compare(Aggregates own, Medians m) {
        var out = new java.util.ArrayList<String>();
        if (own.fridgeOpens() != null && m.fridgeOpens() != null && m.fridgeOpens() > 0) {
            double ratio = own.fridgeOpens() / m.fridgeOpens();
            String r = ratio >= 1 ? fmt(ratio) : fmt(1 / ratio);
            out.add(Math.abs(ratio - 1) < 0.05
                    ? "Your fridge opens about as often as the median of " + m.homes() + " homes"
                    : "Your fridge opens " + r + "x " + (ratio > 1 ? "more" : "less") + " often than the median of " + m.homes() + " homes");
        }
        if (own.meanTempC() != null && m.meanTempC() != null) {
            double d = own.meanTempC() - m.meanTempC();
            out.add(Math.abs(d) < 0.25 ? "Your home is as warm as the median of " + m.homes() + " homes"
                    : String.format("Your home is %.1f °C %s than the median of %d homes", Math.abs(d), d > 0 ? "warmer" : "cooler", m.homes()));
        }
        return out;
    }

    private static String fmt(double x) {
        double r = Math.round(x * 10) / 10.0;
        return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
    }
}
