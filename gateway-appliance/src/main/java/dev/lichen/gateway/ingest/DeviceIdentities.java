package dev.lichen.gateway.ingest;

import dev.lichen.gateway.store.DevicePublicKey;
import dev.lichen.gateway.store.Store;
import dev.lichen.runtime.identity.DeviceIdentity;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The public keys devices present over CoAPS (a raw public key, RFC 7250) or MQTT over TLS (in a
 * self-signed client certificate), kept in the store and
 * read from memory on every pack. Until a person adopts the device, whatever key it presents is
 * recorded (the new-device card shows its fingerprint, which the device prints on its console).
 * Adopting pins that key: from then on the device is known only by it, and a pack for it that
 * comes with another key, or with none (plain CoAP, MQTT without it), is refused as {@link
 * RejectReason#UNKNOWN_KEY}. Rejecting or removing the device unpins it, and its open DTLS
 * sessions and MQTT connections end ({@link #onUnpin}).
 */
public final class DeviceIdentities {
    private final Store store;
    private final ConcurrentHashMap<String, DevicePublicKey> keys = new ConcurrentHashMap<>();
    private final List<Consumer<DevicePublicKey>> unpinned = new CopyOnWriteArrayList<>();
    private final List<Consumer<DevicePublicKey>> retired = new CopyOnWriteArrayList<>();
    /** Pinned key (its SubjectPublicKeyInfo) -> its device: a pinned key speaks for no other device. */
    private final ConcurrentHashMap<java.nio.ByteBuffer, String> owners = new ConcurrentHashMap<>();

    public DeviceIdentities(Store store) {
        this.store = store;
        for (DevicePublicKey k : store.devicePublicKeys()) {
            keys.put(k.deviceId(), k);
            if (k.pinned()) owners.put(java.nio.ByteBuffer.wrap(k.subjectPublicKeyInfo()), k.deviceId());
            if (k.next() != null) owners.put(java.nio.ByteBuffer.wrap(k.next()), k.deviceId());
        }
    }

    /** The key the device presented or was adopted with. */
    public Optional<DevicePublicKey> key(String deviceId) {
        return Optional.ofNullable(keys.get(deviceId));
    }

    /** The device a key is pinned to, if any. */
    private Optional<String> ownerOf(byte[] subjectPublicKeyInfo) {
        return Optional.ofNullable(owners.get(java.nio.ByteBuffer.wrap(subjectPublicKeyInfo)));
    }

    /** Whether the device was adopted with a public key (and so may speak only with it). */
    public boolean pinned(String deviceId) {
        DevicePublicKey k = keys.get(deviceId);
        return k != null && k.pinned();
    }

    /**
     * Checks a pack for deviceId that came with the public key presented (its
     * SubjectPublicKeyInfo; null when the link had none). Null when it may pass, else why not.
     * A key presented for a device that is not pinned is recorded.
     */
    String check(String deviceId, byte[] presented, long nowMillis) {
        String why = refusal(deviceId, presented);
        if (why != null || presented == null) return why;
        DevicePublicKey k = keys.get(deviceId);
        if (k != null && k.pinned() && k.isNext(presented)) return promote(deviceId, presented, nowMillis);
        if (k == null || !k.sameKey(presented)) return record(deviceId, presented, nowMillis);
        return null;
    }

    /**
     * Why a link with the key presented (null: none) may not speak for deviceId, or null; records
     * nothing (an MQTT login asks this before any pack).
     */
    public String refusal(String deviceId, byte[] presented) {
        DevicePublicKey k = keys.get(deviceId);
        if (presented == null) {
            return k != null && k.pinned()
                    ? "device '" + deviceId + "' was adopted with public key " + k.fingerprint()
                      + ": it may send only with that key (CoAPS, or MQTT over TLS presenting it)"
                    : null;
        }
        String owner = ownerOf(presented).orElse(null);
        if (owner != null && !owner.equals(deviceId)) {
            return "public key " + DeviceIdentity.fingerprint(presented) + " is device '" + owner + "''s: a device sends only as itself";
        }
        if (k != null && k.pinned()) {
            return k.sameKey(presented) || k.isNext(presented) ? null
                    : "public key " + DeviceIdentity.fingerprint(presented) + " is not the key device '" + deviceId + "' was adopted with ("
                      + k.fingerprint() + "); if the device was reset, forget its key on its page and pin the new one";
        }
        return null;
    }

    /**
     * First seen, or a device not adopted yet that now has another key (re-flashed): the card shows
     * the latest. Decided again under the lock: an adoption that pinned meanwhile is not overwritten.
     */
    private synchronized String record(String deviceId, byte[] presented, long nowMillis) {
        DevicePublicKey k = keys.get(deviceId);
        if (k != null && k.pinned()) return check(deviceId, presented, nowMillis);
        if (k != null && k.sameKey(presented)) return null;
        keep(new DevicePublicKey(deviceId, presented, DeviceIdentity.fingerprint(presented), false, nowMillis));
        return null;
    }

    /**
     * Pins the key the device presented, on adoption. expectedFingerprint, when not null, must be
     * the fingerprint of that key: the one the person compared with the device's console (a key
     * that changed since the page was drawn is not pinned). Empty when the device presented no key.
     */
    public synchronized Optional<DevicePublicKey> pin(String deviceId, String expectedFingerprint, long nowMillis) {
        DevicePublicKey k = keys.get(deviceId);
        if (k == null) {
            if (expectedFingerprint != null) {
                throw new IllegalStateException("device '" + deviceId + "' has presented no public key; adopt it without a fingerprint");
            }
            return Optional.empty();
        }
        if (expectedFingerprint != null && !expectedFingerprint.equalsIgnoreCase(k.fingerprint())) {
            throw new IllegalStateException("device '" + deviceId + "' now presents public key " + k.fingerprint() + ", not "
                    + expectedFingerprint + ": compare it with the device's console again");
        }
        if (k.pinned()) return Optional.of(k);
        return Optional.of(keep(k.pin(nowMillis)));
    }

    /**
     * Pins a key known out of band, before the device first speaks: the one the demo made for its
     * own virtual device (or, later, an image the gateway built). Refused when another key is pinned.
     */
    public synchronized DevicePublicKey pinKnown(String deviceId, byte[] subjectPublicKeyInfo, long nowMillis) {
        DevicePublicKey k = keys.get(deviceId);
        if (k != null && k.pinned()) {
            if (k.sameKey(subjectPublicKeyInfo)) return k;
            throw new IllegalStateException("device '" + deviceId + "' has public key " + k.fingerprint() + " pinned already");
        }
        return keep(new DevicePublicKey(deviceId, subjectPublicKeyInfo, DeviceIdentity.fingerprint(subjectPublicKeyInfo), true, nowMillis));
    }

    /**
     * A rotation's first step: the device told, over its pinned key's link, the key it moves to.
     * From now on either key speaks for it; the first pack with the new one retires the old.
     */
    public synchronized DevicePublicKey offerNext(String deviceId, byte[] next, long nowMillis) {
        DevicePublicKey k = keys.get(deviceId);
        if (k == null || !k.pinned()) throw new IllegalStateException("device '" + deviceId + "' has no pinned key to rotate");
        String owner = ownerOf(next).orElse(null);
        if (owner != null && !owner.equals(deviceId)) throw new IllegalStateException("that key is device '" + owner + "''s");
        if (k.next() != null) owners.remove(java.nio.ByteBuffer.wrap(k.next()), deviceId);
        DevicePublicKey kept = keep(k.withNext(next));
        owners.put(java.nio.ByteBuffer.wrap(next), deviceId);
        return kept;
    }

    /** The rotation's end: the new key is pinned alone; the old one's sessions end ({@link #onRetired}). */
    private synchronized String promote(String deviceId, byte[] presented, long nowMillis) {
        DevicePublicKey old = keys.get(deviceId);
        if (old == null || !old.isNext(presented)) return refusal(deviceId, presented); // decided meanwhile
        keep(new DevicePublicKey(deviceId, presented, DeviceIdentity.fingerprint(presented), true, nowMillis, null));
        owners.remove(java.nio.ByteBuffer.wrap(old.subjectPublicKeyInfo()), deviceId);
        retired.forEach(l -> l.accept(old));
        return null;
    }

    /** Called with a device's old key when a rotation retired it (not for an unpin). */
    public void onRetired(Consumer<DevicePublicKey> listener) {
        retired.add(listener);
    }

    /** Writes a key to the store and to memory (its owner too, when pinned); under the lock. */
    private DevicePublicKey keep(DevicePublicKey k) {
        store.putDevicePublicKey(k);
        keys.put(k.deviceId(), k);
        if (k.pinned()) owners.put(java.nio.ByteBuffer.wrap(k.subjectPublicKeyInfo()), k.deviceId());
        return k;
    }

    /** Forgets the device's key (reject, remove) and ends its DTLS sessions; the key it had, if any. */
    public synchronized Optional<DevicePublicKey> unpin(String deviceId) {
        DevicePublicKey k = keys.remove(deviceId);
        if (k == null) return Optional.empty(); // the map holds every stored row: nothing to delete
        store.deleteDevicePublicKey(deviceId);
        owners.remove(java.nio.ByteBuffer.wrap(k.subjectPublicKeyInfo()), deviceId);
        if (k.next() != null) owners.remove(java.nio.ByteBuffer.wrap(k.next()), deviceId);
        unpinned.forEach(l -> l.accept(k));
        return Optional.of(k);
    }

    /** Called with a device's public key when it is unpinned. */
    public void onUnpin(Consumer<DevicePublicKey> listener) {
        unpinned.add(listener);
    }

}
