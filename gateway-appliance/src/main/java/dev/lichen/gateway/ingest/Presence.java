package dev.lichen.gateway.ingest;

import dev.lichen.gateway.store.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides when a device that talks CoAP has gone quiet. CoAP has no connection and no last will,
 * so silence is the only sign: a device is offline once it sent nothing for
 * {@code max(floor, 3 x its usual interval)}. The usual interval is learnt from the gaps between
 * its packs (a moving average); until two packs were seen since the gateway started (or since the
 * device came back) it is taken as the floor, i.e. such a device gets 3 x floor.
 *
 * <p>MQTT devices are left to their broker session (status topic and last will); add-on devices
 * publish when they have something to say. Devices marked online in the store when the gateway
 * starts are judged from their stored last-seen time until they say which door they use.
 * Thread-safe; the pipeline's writer thread asks {@link #due} about once a second.
 */
final class Presence {
    /** How a device was last heard: protocol null = not heard since start (taken from the store). */
    private record Track(Protocol protocol, long lastMillis, long gapMillis) {}

    private final long floorMillis;
    private final Map<String, Track> tracks = new ConcurrentHashMap<>();

    Presence(long floorMillis, List<Device> known, long nowMillis) {
        this.floorMillis = floorMillis;
        for (Device d : known) {
            if (d.online() && !d.id().startsWith("addon-")) {
                long last = d.lastSeenMillis() > 0 ? Math.min(d.lastSeenMillis(), nowMillis) : nowMillis;
                tracks.put(d.id(), new Track(null, last, -1));
            }
        }
    }

    /** A pack of the device was stored (or its MQTT status said online). */
    void heard(String deviceId, Protocol p, long nowMillis) {
        tracks.compute(deviceId, (id, t) -> {
            if (t == null || t.protocol() == null) return new Track(p, nowMillis, -1);
            long gap = Math.max(0, nowMillis - t.lastMillis());
            // a quarter weight: one late pack moves the estimate, a burst of resent packs does not erase it
            long avg = t.gapMillis() < 0 ? gap : (3 * t.gapMillis() + gap) / 4;
            return new Track(p, nowMillis, avg);
        });
    }

    /** When the device counts as offline if it stays quiet (for tests and the API's explanation). */
    long deadline(String deviceId) {
        Track t = tracks.get(deviceId);
        return t == null ? Long.MAX_VALUE : deadline(t);
    }

    private long deadline(Track t) {
        long usual = t.gapMillis() < 0 ? floorMillis : t.gapMillis();
        return t.lastMillis() + Math.max(floorMillis, 3 * usual);
    }

    /**
     * The devices judged offline at nowMillis; they are forgotten, so each is reported once and its
     * next pack starts learning its interval afresh (a long outage must not count as its usual gap).
     */
    List<String> due(long nowMillis) {
        List<String> out = new ArrayList<>();
        for (var e : tracks.entrySet()) {
            Track t = e.getValue();
            boolean watched = t.protocol() == null || t.protocol() == Protocol.COAP || t.protocol() == Protocol.COAPS;
            if (watched && nowMillis >= deadline(t) && tracks.remove(e.getKey(), t)) out.add(e.getKey());
        }
        return out;
    }

    /** How often {@link #due} needs asking to be late by at most a quarter of the floor (and at most 1 s). */
    long sweepMillis() {
        return Math.max(50, Math.min(1000, floorMillis / 4));
    }
}
