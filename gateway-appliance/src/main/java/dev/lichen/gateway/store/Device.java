package dev.lichen.gateway.store;

/**
 * A device as the gateway knows it. Name and room are set on adoption (null before).
 * lastSeenMillis is 0 when never seen; battery and signal are null when the device never
 * reported a {@code battery} or {@code rssi}/{@code signal} channel.
 */
public record Device(String id, String name, String room, DeviceState state, long firstSeenMillis,
                     long lastSeenMillis, Double battery, Double signal, boolean online) {}
