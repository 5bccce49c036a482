package dev.lichen.gateway.store;

import java.util.List;

/** A channel's points over a range, at the resolution that was used to answer. */
public record Series(String deviceId, String channel, String unit, Resolution resolution, List<Point> points) {
    public Series {
        points = List.copyOf(points);
    }
}
