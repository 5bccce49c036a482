package dev.lichen.gateway.ingest;

import dev.lichen.gateway.store.Device;
import dev.lichen.gateway.store.DeviceState;
import dev.lichen.gateway.store.Store;
import java.util.HashMap;
import java.util.Map;

/**
 * The bound on devices waiting for adoption. A device the store does not know yet takes a place
 * when its first pack (or MQTT status) is let in; the places are the store's NEW devices plus
 * those let in moments ago whose first pack may still be on its way to the store. When the places
 * are full, they are counted again from the store (at most once a second), so that a device a
 * person adopted, rejected or removed frees its place; until then newcomers are refused.
 */
final class NewDeviceLimit {
    /** How long a device let in may take to reach the store before its place is counted free again. */
    static final long IN_FLIGHT_MILLIS = 30_000;

    private final Store store;
    private final int cap;
    /** Device id -> when it was let in (for NEW devices found in the store: when they were counted). */
    private final Map<String, Long> places = new HashMap<>();
    private long countedAt = Long.MIN_VALUE;

    NewDeviceLimit(Store store, int cap) {
        this.store = store;
        this.cap = cap;
        synchronized (this) {
            recount(System.currentTimeMillis());
        }
    }

    /** Whether a device the store does not know may be let in now; it then holds a place. */
    synchronized boolean admit(String deviceId, long nowMillis) {
        if (places.containsKey(deviceId)) return true;
        if (places.size() >= cap && nowMillis - countedAt >= 1000) recount(nowMillis);
        if (places.size() >= cap) return false;
        places.put(deviceId, nowMillis);
        return true;
    }

    /** Whether the device already holds a place (a second pack before its first one was stored). */
    synchronized boolean holdsPlace(String deviceId) {
        return places.containsKey(deviceId);
    }

    synchronized int waiting() {
        return places.size();
    }

    int cap() {
        return cap;
    }

    private void recount(long now) {
        places.entrySet().removeIf(e -> store.device(e.getKey())
                .map(d -> d.state() != DeviceState.NEW)
                .orElse(now - e.getValue() > IN_FLIGHT_MILLIS));
        for (Device d : store.devices()) {
            if (d.state() == DeviceState.NEW) places.putIfAbsent(d.id(), now);
        }
        countedAt = now;
    }
}
