package dev.lichen.gateway.store;

/**
 * A threshold rule with a duration: it fires when {@code value op threshold} has held for
 * durationSeconds on the device's channel (e.g. soil_moisture LT 20 for 1800 s). id is 0 before
 * it is stored.
 */
public record AlertRule(long id, String name, String deviceId, String channel, Op op, double threshold,
                        long durationSeconds, boolean enabled) {
    public AlertRule {
        if (durationSeconds < 0) throw new IllegalArgumentException("duration must not be negative");
        if (!Double.isFinite(threshold)) throw new IllegalArgumentException("threshold must be a finite number");
    }

    public AlertRule withId(long newId) {
        return new AlertRule(newId, name, deviceId, channel, op, threshold, durationSeconds, enabled);
    }
}
