package dev.lichen.gateway.store;

/**
 * A device's CoAPS pre-shared key: its DTLS PSK identity is the device id. createdMillis tells
 * when it was created or last rotated.
 */
public record DeviceKey(String deviceId, byte[] key, long createdMillis) {
    public DeviceKey {
        key = key.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public String toString() {
        return "DeviceKey[" + deviceId + ", " + key.length + " bytes, created " + createdMillis + "]"; // never the key
    }
}
