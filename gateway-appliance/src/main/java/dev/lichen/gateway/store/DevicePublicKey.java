package dev.lichen.gateway.store;

/**
 * A public key a device presented over CoAPS (RFC 7250 raw public key) or MQTT over TLS (in a
 * self-signed client certificate), as its DER SubjectPublicKeyInfo. pinned: the device was adopted with this key, and only this key speaks for
 * it. presentedMillis: when the device last presented it while it was not pinned (or when it was pinned).
 */
public record DevicePublicKey(String deviceId, byte[] subjectPublicKeyInfo, String fingerprint, boolean pinned,
                              long presentedMillis) {
    public DevicePublicKey {
        subjectPublicKeyInfo = subjectPublicKeyInfo.clone();
    }

    @Override
    public byte[] subjectPublicKeyInfo() {
        return subjectPublicKeyInfo.clone();
    }

    public boolean sameKey(byte[] spki) {
        return java.security.MessageDigest.isEqual(subjectPublicKeyInfo, spki);
    }

    public DevicePublicKey pin(long nowMillis) {
        return new DevicePublicKey(deviceId, subjectPublicKeyInfo, fingerprint, true, nowMillis);
    }

    @Override
    public String toString() {
        return "DevicePublicKey[" + deviceId + ", " + fingerprint + (pinned ? ", pinned" : "") + "]";
    }
}
