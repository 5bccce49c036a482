package dev.lichen.sim.scenario;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Scenario durations ("250ms", "10s", "30m", "2h", "3d", "-90s") and times of day ("HH:MM"). */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(-?)(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final Pattern TIME_OF_DAY = Pattern.compile("([01]\\d|2[0-3]):([0-5]\\d)");

    private Durations() {}

    /** Milliseconds, or throws IllegalArgumentException saying what is expected. */
    public static long millis(String text) {
        Matcher m = text == null ? null : DURATION.matcher(text.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a duration: \"" + text + "\" (expected e.g. 500ms, 10s, 30m, 2h, 3d)");
        }
        double n = Double.parseDouble(m.group(2));
        long unit = switch (m.group(3)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 86_400_000;
        };
        long v = Math.round(n * unit);
        return m.group(1).isEmpty() ? v : -v;
    }

    /** Minutes after midnight of "HH:MM". */
    public static int minuteOfDay(String text) {
        Matcher m = text == null ? null : TIME_OF_DAY.matcher(text.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a time of day: \"" + text + "\" (expected HH:MM, 00:00 to 23:59)");
        }
        return Integer.parseInt(m.group(1)) * 60 + Integer.parseInt(m.group(2));
    }

    /** "1h30m"-free short form for messages: 90000 -> "90s". */
    public static String format(long millis) {
        if (millis % 86_400_000 == 0 && millis != 0) return millis / 86_400_000 + "d";
        if (millis % 3_600_000 == 0 && millis != 0) return millis / 3_600_000 + "h";
        if (millis % 60_000 == 0 && millis != 0) return millis / 60_000 + "m";
        if (millis % 1_000 == 0) return millis / 1_000 + "s";
        return millis + "ms";
    }
}
