package dev.lichen.store.addons.share;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One home's anonymised day: a random home id (not derived from anything in the house), the date,
 * and rounded figures. No device names, ids, rooms or times of day.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Aggregates(
        @JsonProperty(required = true) String home,
        @JsonProperty(required = true) String day,
        Integer fridgeOpens,
        Double meanTempC) {

    /** Rounds as published: whole openings, half degrees. */
    public static Aggregates rounded(String home, String day, Integer opens, Double tempC) {
        return new Aggregates(home, day, opens, tempC == null || tempC.isNaN() ? null : Math.round(tempC * 2) / 2.0);
    }

    /** Refuses what a community table should never store. */
    public void check() {
        if (!home.matches("[0-9a-f]{32}")) throw new IllegalArgumentException("home must be 32 hex digits");
        if (!day.matches("\\d{4}-\\d{2}-\\d{2}")) throw new IllegalArgumentException("day must be yyyy-mm-dd");
        if (fridgeOpens != null && (fridgeOpens < 0 || fridgeOpens > 1000)) throw new IllegalArgumentException("fridgeOpens must be 0-1000");
        if (meanTempC != null && (meanTempC < -30 || meanTempC > 50 || meanTempC * 2 != Math.rint(meanTempC * 2))) {
            throw new IllegalArgumentException("meanTempC must be -30..50 in half degrees");
        }
    }
}
