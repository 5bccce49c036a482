package dev.lichen.senml;

import java.util.List;
import java.util.Set;

/**
 * The SenML units Lichen accepts: the one place that lists them. A unit outside this list is
 * rejected with {@link SenmlException.Reason#UNKNOWN_UNIT}, so a typo ("C", "degC") never
 * reaches the gateway's store.
 */
public final class SenmlUnits {
    private SenmlUnits() {}

    /** RFC 8428 section 12.1, Table 6 (including the entries it marks NOT RECOMMENDED to produce). */
    static final Set<String> RFC8428 = Set.of(
            "m", "kg", "g", "s", "A", "K", "cd", "mol", "Hz", "rad", "sr", "N", "Pa", "J", "W", "C",
            "V", "F", "Ohm", "S", "Wb", "T", "H", "Cel", "lm", "lx", "Bq", "Gy", "Sv", "kat", "m2",
            "m3", "l", "m/s", "m/s2", "m3/s", "l/s", "W/m2", "cd/m2", "bit", "bit/s", "lat", "lon",
            "pH", "dB", "dBW", "Bspl", "count", "/", "%", "%RH", "%EL", "EL", "1/s", "1/min",
            "beat/min", "beats", "S/m");

    /** RFC 8798 section 2: primary units added to the same registry. */
    static final Set<String> RFC8798_PRIMARY = Set.of("B", "VA", "VAs", "var", "vars", "J/m", "kg/m3", "deg");

    /**
     * RFC 8798 section 3: the secondary units registry (scaled forms of primary units), plus
     * "ppb", which Lichen's VOC channels use (DESIGN.md) alongside the registered "ppm".
     */
    static final Set<String> SECONDARY = Set.of(
            "ms", "min", "h", "MHz", "kW", "kVA", "kvar", "Ah", "Wh", "kWh", "varh", "kvarh", "kVAh",
            "Wh/km", "KiB", "GB", "Mbit/s", "B/s", "MB/s", "mV", "mA", "dBm", "ug/m3", "mm/h", "m/h",
            "ppm", "ppb", "/100", "/1000", "hPa", "mm", "cm", "km", "km/h");

    /** Every unit of the three sets above, each mapped to itself. */
    private static final java.util.Map<String, String> CANONICAL = new java.util.HashMap<>();

    static {
        for (Set<String> set : List.of(RFC8428, RFC8798_PRIMARY, SECONDARY)) for (String u : set) CANONICAL.put(u, u);
    }

    public static boolean isKnown(String unit) {
        return CANONICAL.containsKey(unit);
    }

    /**
     * The registry's own instance of a known unit, or the argument: decoded readings then share
     * one String per unit instead of each holding its own (a gateway keeps many in its queue).
     */
    static String canonical(String unit) {
        return unit == null ? null : CANONICAL.getOrDefault(unit, unit);
    }
}
