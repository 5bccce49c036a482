package dev.lichen.gateway.web;

import dev.lichen.senml.SenmlCodec;
import java.util.regex.Pattern;

/** Checks every value that crosses the HTTP boundary; each failure is a 400 naming the field. */
public final class Validate {
    /** The wire protocol's device id and channel name: the same rule the codec applies on ingest. */
    public static final Pattern DEVICE_ID = SenmlCodec.DEVICE_ID;
    public static final Pattern CHANNEL = SenmlCodec.CHANNEL;
    public static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}");
    public static final Pattern TOKEN_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    public static final int MIN_PASSWORD = 10;
    public static final int MAX_PASSWORD = 256;
    public static final int MAX_LABEL = 64;

    private Validate() {}

    public static String matches(String field, String value, Pattern p, String what) {
        if (value == null || value.isEmpty()) {
            throw ApiError.bad(field, field + " is required");
        }
        if (!p.matcher(value).matches()) {
            throw ApiError.bad(field, field + " must be " + what);
        }
        return value;
    }

    public static String deviceId(String field, String v) {
        return matches(field, v, DEVICE_ID, "a device id: lower-case letters, digits, _ and -, at most 63");
    }

    public static String channel(String field, String v) {
        return matches(field, v, CHANNEL, "a channel name: letters, digits, - . / _, at most 64");
    }

    public static String username(String field, String v) {
        return matches(field, v, USERNAME, "letters, digits, _ . @ -, at most 64, starting with a letter or digit");
    }

    /**
     * A human label (device name, room, rule name): 1..64 characters after trimming, no control
     * characters. Any other text is allowed: it is shown with textContent, never as markup.
     */
    public static String label(String field, String v) {
        if (v == null || v.isBlank()) {
            throw ApiError.bad(field, field + " is required");
        }
        String t = v.strip();
        if (t.codePointCount(0, t.length()) > MAX_LABEL) {
            throw ApiError.bad(field, field + " must be at most " + MAX_LABEL + " characters");
        }
        if (t.codePoints().anyMatch(Character::isISOControl)) {
            throw ApiError.bad(field, field + " must not contain control characters");
        }
        return t;
    }

    public static char[] password(String field, String v) {
        if (v == null || v.length() < MIN_PASSWORD || v.length() > MAX_PASSWORD) {
            throw ApiError.bad(field, field + " must be " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
        }
        return v.toCharArray();
    }

    /** A positive database id from a path segment. */
    public static long id(String field, String v) {
        try {
            long id = Long.parseLong(v);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error
        }
        throw ApiError.bad(field, field + " must be a positive integer");
    }

    /** Epoch milliseconds within year 2000..2200, or the default when absent. */
    public static long time(String field, String v, long dflt) {
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            long t = Long.parseLong(v);
            if (t >= 946_684_800_000L && t <= 7_258_118_400_000L) {
                return t;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw ApiError.bad(field, field + " must be epoch milliseconds (e.g. 1764100000000)");
    }

    public static double finite(String field, double v) {
        if (!Double.isFinite(v)) {
            throw ApiError.bad(field, field + " must be a finite number");
        }
        return v;
    }

    public static long range(String field, long v, long min, long max) {
        if (v < min || v > max) {
            throw ApiError.bad(field, field + " must be within " + min + ".." + max);
        }
        return v;
    }
}
