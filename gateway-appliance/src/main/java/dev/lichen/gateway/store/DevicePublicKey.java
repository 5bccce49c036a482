package dev.lichen.gateway.store;

/**
 * A public key a device presented over CoAPS (RFC 7250 raw public key) or MQTT over TLS (in a
 * self-signed client certificate), as its DER SubjectPublicKeyInfo. pinned: the device was adopted with this key, and only this key speaks for
 * it. presentedMillis: when the device last presented it while it was not pinned (or when it was pinned).
 * next: during a rotation, the key the device moves to (null otherwise).
 */
public record DevicePublicKey(String deviceId, byte[] subjectPublicKeyInfo, String fingerprint, boolean pinned,
                              long presentedMillis, byte[] next) {
    public DevicePublicKey {
        subjectPublicKeyInfo = subjectPublicKeyInfo.clone();
        next = next == null ? null : next.clone();
    }

    /** A key with no rotation under way. */
    public DevicePublicKey(String deviceId, byte[] subjectPublicKeyInfo, String fingerprint, boolean pinned, long presentedMillis) {
        this(deviceId, subjectPublicKeyInfo, fingerprint, pinned, presentedMillis, null);
    }

    /** The key a rotation moves to (the device told it over this key's link), or null. */
    @Override
    public byte[] next() {
        return next == null ? null : next.clone();
    }

    public boolean isNext(byte[] spki) {
        return next != null && java.security.MessageDigest.isEqual(next, spki);
    }

    public DevicePublicKey withNext(byte[] spki) {
        return new DevicePublicKey(deviceId, subjectPublicKeyInfo, fingerprint, pinned, presentedMillis, spki);
    }

    @Override
    public byte[] subjectPublicKeyInfo() {
        return subjectPublicKeyInfo.clone();
    }

    public boolean sameKey(byte[] spki) {
        return java.security.MessageDigest.isEqual(subjectPublicKeyInfo, spki);
    }

    public DevicePublicKey pin(long nowMillis) {
        return new DevicePublicKey(deviceId, subjectPublicKeyInfo, fingerprint, true, nowMillis, next);
    }

    @Override
    public String toString() {
        return "DevicePublicKey[" + deviceId + ", " + fingerprint + (pinned ? ", pinned" : "") + "]";
    }
}
