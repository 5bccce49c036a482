package dev.lichen.gateway.ingest;

import dev.lichen.gateway.store.DeviceKey;
import dev.lichen.gateway.store.Store;
import dev.lichen.senml.SenmlCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.crypto.SecretKey;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.util.ServerNames;

/**
 * The devices' keys, kept in the store: a device's CoAPS pre-shared key (the DTLS PSK identity is
 * the device id), whose base64 text is also its MQTT password (user name: the device id). One
 * secret per device, made, rotated and revoked in one place, whichever door the device uses.
 * A key is made by the gateway ({@link #rotate}: 32 random bytes, returned once and never shown
 * again) or imported from a file ({@link #importFile}). {@link #pskStore()} is what the DTLS
 * endpoint asks during a handshake: it reads the store each time, so a rotated or revoked key
 * takes effect at the next handshake; listeners ({@link #onChange}) drop the device's open DTLS
 * sessions at once.
 */
public final class DeviceKeys {
    public static final int NEW_KEY_BYTES = 32;
    public static final int MIN_KEY_BYTES = 16;
    public static final int MAX_KEY_BYTES = 64;

    private final Store store;
    private final SecureRandom random = new SecureRandom();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile Runnable unknownIdentity = () -> {};

    /** Devices that have a key: their MQTT publishes need their own login (read on every publish, so kept here). */
    private final java.util.Set<String> keyed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public DeviceKeys(Store store) {
        this.store = store;
        keyed.addAll(store.deviceKeyIds());
    }

    /** Whether the device has a key (and so must log in to publish over MQTT). */
    public boolean hasKey(String deviceId) {
        return keyed.contains(deviceId);
    }

    /** Whether password is the device's MQTT password (the base64 text of its key); constant time. */
    public boolean passwordMatches(String deviceId, byte[] password) {
        if (deviceId == null || !SenmlCodec.DEVICE_ID.matcher(deviceId).matches()) return false;
        return store.deviceKey(deviceId)
                .map(k -> java.security.MessageDigest.isEqual(
                        Base64.getEncoder().encodeToString(k.key()).getBytes(StandardCharsets.US_ASCII), password))
                .orElse(false);
    }

    /** Creates or replaces the device's key; the returned bytes are the only time anyone sees it. */
    public byte[] rotate(String deviceId, long nowMillis) {
        requireDeviceId(deviceId);
        byte[] key = new byte[NEW_KEY_BYTES];
        random.nextBytes(key);
        store.putDeviceKey(new DeviceKey(deviceId, key, nowMillis));
        keyed.add(deviceId);
        changed(deviceId);
        return key;
    }

    /** Removes the device's key (its CoAPS handshakes fail from now on); true when it had one. */
    public boolean revoke(String deviceId) {
        boolean had = store.deleteDeviceKey(deviceId);
        keyed.remove(deviceId);
        if (had) changed(deviceId);
        return had;
    }

    /** When the device's key was created or last rotated; empty when it has none. The key itself is not for showing. */
    public Optional<Long> createdMillis(String deviceId) {
        return store.deviceKey(deviceId).map(DeviceKey::createdMillis);
    }

    /** Called with the device id after its key changed or was revoked. */
    public void onChange(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** Called when a DTLS client names an identity that has no key (for the handshake failure count). */
    public void onUnknownIdentity(Runnable r) {
        unknownIdentity = r;
    }

    private void changed(String deviceId) {
        for (Consumer<String> l : listeners) l.accept(deviceId);
    }

    /**
     * Reads a key file: one key a line, {@code <deviceId> <base64 key>}; blank lines and lines
     * starting with '#' are skipped. Every line is checked before any key is stored: a bad line
     * is an error naming the file and line, and nothing is imported.
     */
    public static List<DeviceKey> parse(Path file, long nowMillis) throws IOException {
        List<DeviceKey> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String where = file + " line " + (i + 1) + ": ";
            String[] parts = line.split("\\s+");
            if (parts.length != 2) throw new IllegalArgumentException(where + "expected '<deviceId> <base64 key>'");
            if (!SenmlCodec.DEVICE_ID.matcher(parts[0]).matches()) {
                throw new IllegalArgumentException(where + "device id '" + parts[0] + "' must match [a-z0-9][a-z0-9_-]{0,62}");
            }
            if (!seen.add(parts[0])) throw new IllegalArgumentException(where + "device '" + parts[0] + "' has a key already above");
            byte[] key;
            try {
                key = Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "the key is not base64 (" + e.getMessage() + ")");
            }
            if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
                throw new IllegalArgumentException(where + "the key has " + key.length + " bytes; use " + MIN_KEY_BYTES + ".."
                        + MAX_KEY_BYTES + " random bytes (e.g. head -c 32 /dev/urandom | base64)");
            }
            out.add(new DeviceKey(parts[0], key, nowMillis));
        }
        return out;
    }

    /** Imports a key file ({@link #parse}); keys in it replace the devices' stored keys. Returns how many. */
    public int importFile(Path file, long nowMillis) throws IOException {
        List<DeviceKey> keys = parse(file, nowMillis);
        for (DeviceKey k : keys) {
            boolean same = store.deviceKey(k.deviceId()).map(old -> java.util.Arrays.equals(old.key(), k.key())).orElse(false);
            if (same) continue; // a restart with the same file keeps the keys' dates and sessions
            store.putDeviceKey(k);
            keyed.add(k.deviceId());
            changed(k.deviceId());
        }
        return keys.size();
    }

    private static void requireDeviceId(String deviceId) {
        if (deviceId == null || !SenmlCodec.DEVICE_ID.matcher(deviceId).matches()) {
            throw new IllegalArgumentException("device id '" + deviceId + "' must match [a-z0-9][a-z0-9_-]{0,62}");
        }
    }

    /** The DTLS server's view: the key of the identity the client names, or no secret (the handshake fails). */
    public AdvancedPskStore pskStore() {
        return new AdvancedPskStore() {
            @Override
            public boolean hasEcdhePskSupported() {
                return true;
            }

            @Override
            public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverNames, PskPublicInformation identity,
                                                          String hmacAlgorithm, SecretKey otherSecret, byte[] seed,
                                                          boolean useExtendedMasterSecret) {
                String id = identity.getPublicInfoAsString();
                Optional<DeviceKey> key = SenmlCodec.DEVICE_ID.matcher(id).matches() ? store.deviceKey(id) : Optional.empty();
                if (key.isEmpty()) {
                    unknownIdentity.run();
                    return new PskSecretResult(cid, identity, null);
                }
                // Scandium's own single-key store turns the key into the handshake's secret
                return new AdvancedSinglePskStore(id, key.get().key()).requestPskSecretResult(cid, serverNames, identity,
                        hmacAlgorithm, otherSecret, seed, useExtendedMasterSecret);
            }

            @Override
            public PskPublicInformation getIdentity(InetSocketAddress peer, ServerNames virtualHost) {
                return null; // a server names no identity of its own
            }

            @Override
            public void setResultHandler(HandshakeResultHandler handler) {
                // answers synchronously
            }
        };
    }
}
