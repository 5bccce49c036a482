package dev.lichen.sensors.factory;

import dev.lichen.sensors.factory.PlacementException.Problem;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One sensor's placement keys from the device config (everything but "chip" and "channels"), read
 * with the chip's name in each error. The device config fixes the top-level keys (bus, address,
 * chipSelect, pin, romId, input, pull, calibration, settings); a chip's own options sit in
 * "settings". Values come from JSON: numbers may be Integer, Long or Double; an address may be a
 * number or a "0x76" string.
 */
final class Placement {
    private final String chip;
    private final String prefix;
    private final Map<String, Object> values;

    Placement(String chip, Map<String, Object> values, Set<String> allowed) {
        this(chip, "", values, allowed);
    }

    private Placement(String chip, String prefix, Map<String, Object> values, Set<String> allowed) {
        this.chip = chip;
        this.prefix = prefix;
        this.values = values == null ? Map.of() : values;
        Set<String> unknown = new TreeSet<>(this.values.keySet());
        unknown.removeAll(allowed);
        if (!unknown.isEmpty()) {
            throw new PlacementException(Problem.UNKNOWN_KEY, "%s: unknown %skey%s %s; %s takes %s"
                    .formatted(chip, prefix.isEmpty() ? "placement " : prefix, unknown.size() > 1 ? "s" : "", unknown,
                            chip + (prefix.isEmpty() ? "" : " " + prefix.strip()), allowed.isEmpty() ? "none" : new TreeSet<>(allowed)));
        }
    }

    /** The chip's own options under "settings" (may be absent: every setting has a default). */
    @SuppressWarnings("unchecked")
    Placement settings(Set<String> allowed) {
        Object v = values.get("settings");
        if (v != null && !(v instanceof Map)) {
            throw bad("settings", v, "an object of the chip's options " + new TreeSet<>(allowed));
        }
        return new Placement(chip, "settings ", (Map<String, Object>) v, allowed);
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    /** An I2C address, required, one of the chip's possible addresses. */
    int address(int... possible) {
        Object v = values.get("address");
        if (v == null) {
            throw new PlacementException(Problem.MISSING_KEY, "%s: placement needs \"address\" (%s)".formatted(chip, hexList(possible)));
        }
        int address;
        try {
            address = v instanceof Number n ? exactInt(n) : parseAddress(v.toString());
        } catch (NumberFormatException e) {
            throw new PlacementException(Problem.BAD_VALUE, "%s: address '%s' is not a number like \"0x76\"".formatted(chip, v));
        }
        if (address < 0x03 || address > 0x77) {
            throw new PlacementException(Problem.ADDRESS_OUT_OF_RANGE,
                    "%s: address 0x%02x is outside the 7-bit range 0x03..0x77 (%s)".formatted(chip, address, hexList(possible)));
        }
        for (int p : possible) {
            if (p == address) {
                return address;
            }
        }
        throw new PlacementException(Problem.ADDRESS_OUT_OF_RANGE,
                "%s: address 0x%02x is not one this chip can have (%s)".formatted(chip, address, hexList(possible)));
    }

    private static int parseAddress(String s) {
        String t = s.trim().toLowerCase();
        return t.startsWith("0x") ? Integer.parseInt(t.substring(2), 16) : Integer.parseInt(t);
    }

    private static String hexList(int[] possible) {
        StringBuilder b = new StringBuilder();
        for (int p : possible) {
            b.append(b.isEmpty() ? "" : " or ").append("0x%02x".formatted(p));
        }
        return b.toString();
    }

    int integer(String key, int fallback, int min, int max) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n)) {
            throw bad(key, v, "a whole number in %d..%d".formatted(min, max));
        }
        int i;
        try {
            i = exactInt(n);
        } catch (NumberFormatException e) {
            throw bad(key, v, "a whole number in %d..%d".formatted(min, max));
        }
        if (i < min || i > max) {
            throw bad(key, v, "a whole number in %d..%d".formatted(min, max));
        }
        return i;
    }

    int requiredInteger(String key, int min, int max) {
        if (!values.containsKey(key)) {
            throw new PlacementException(Problem.MISSING_KEY, "%s: placement needs \"%s\" (%d..%d)".formatted(chip, key, min, max));
        }
        return integer(key, 0, min, max);
    }

    double number(String key, double fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw bad(key, v, "a number");
        }
        return n.doubleValue();
    }

    String choice(String key, String fallback, Set<String> choices) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String s) || !choices.contains(s)) {
            throw bad(key, v, "one of " + new TreeSet<>(choices));
        }
        return s;
    }

    String string(String key) {
        Object v = values.get(key);
        if (v != null && !(v instanceof String)) {
            throw bad(key, v, "a string");
        }
        return (String) v;
    }

    /** {"dryVolts": 2.8, "wetVolts": 1.2}, required. */
    dev.lichen.sensors.analog.SoilCalibration soilCalibration() {
        Object v = values.get("calibration");
        if (!(v instanceof Map<?, ?> m)) {
            throw new PlacementException(v == null ? Problem.MISSING_KEY : Problem.BAD_VALUE,
                    "%s: placement needs \"calibration\": {\"dryVolts\": <probe in air>, \"wetVolts\": <probe in water>}".formatted(chip));
        }
        Set<Object> extra = new java.util.HashSet<>(m.keySet());
        extra.removeAll(Set.of("dryVolts", "wetVolts"));
        if (!extra.isEmpty()) {
            throw new PlacementException(Problem.UNKNOWN_KEY, "%s: unknown calibration key(s) %s; calibration takes dryVolts and wetVolts".formatted(chip, extra));
        }
        if (!(m.get("dryVolts") instanceof Number dry) || !(m.get("wetVolts") instanceof Number wet)) {
            throw new PlacementException(Problem.BAD_CALIBRATION, "%s: calibration needs numbers dryVolts and wetVolts, got %s".formatted(chip, m));
        }
        try {
            return new dev.lichen.sensors.analog.SoilCalibration(dry.doubleValue(), wet.doubleValue());
        } catch (IllegalArgumentException e) {
            throw new PlacementException(Problem.BAD_CALIBRATION, chip + ": " + e.getMessage());
        }
    }

    PlacementException bad(String key, Object value, String expected) {
        return new PlacementException(Problem.BAD_VALUE, "%s: %s\"%s\" is %s; it must be %s".formatted(chip, prefix, key, value, expected));
    }

    private static int exactInt(Number n) {
        double d = n.doubleValue();
        if (d != Math.rint(d) || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
            throw new NumberFormatException();
        }
        return (int) d;
    }
}
