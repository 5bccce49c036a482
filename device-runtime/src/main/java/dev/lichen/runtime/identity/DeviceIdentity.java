package dev.lichen.runtime.identity;

import dev.lichen.runtime.storage.KeyValueStore;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The device's own key pair (EC P-256), made on its first boot and kept in its key-value store:
 * what it will present to the gateway as itself (a raw public key, RFC 7250), so that no secret
 * has to be copied onto it. {@link #fingerprint()} is the short form a person compares between
 * the device's console and the gateway's new-device card.
 */
public record DeviceIdentity(KeyPair keys) {
    /** What {@link #fingerprint(byte[])} writes, in either case (a person may type it in lower case). */
    public static final java.util.regex.Pattern FINGERPRINT = java.util.regex.Pattern.compile("[0-9A-Fa-f]{4}(-[0-9A-Fa-f]{4}){3}");

    static final String PRIVATE = "identity.private";
    static final String PUBLIC = "identity.public";
    /** A key pair made for a rotation, not yet the device's: "<private>\n<public>" in one write. */
    static final String NEXT = "identity.next";

    /** Reads the identity from the store, or makes and keeps one when there is none yet. */
    public static DeviceIdentity loadOrCreate(KeyValueStore store) throws IOException {
        Optional<String> priv = store.get(PRIVATE);
        Optional<String> pub = store.get(PUBLIC);
        Optional<String> next = store.get(NEXT);
        if (next.isPresent() && priv.isPresent()) {
            String[] n = next.get().split("\n");
            // a switch cut after its first write (the private key is the next one's): finish it
            if (n.length == 2 && n[0].equals(priv.get())) return finishSwitch(store, n);
        }
        if (priv.isPresent() && pub.isPresent()) return decode(priv.get(), pub.get());
        // none yet, or a first boot cut between the two writes (the half was never shown to anyone)
        DeviceIdentity made = generate();
        store.put(PRIVATE, Base64.getEncoder().encodeToString(made.keys.getPrivate().getEncoded()));
        store.put(PUBLIC, Base64.getEncoder().encodeToString(made.keys.getPublic().getEncoded()));
        return made;
    }

    /**
     * Makes the key pair a rotation moves to and keeps it beside the current one (one write); the
     * device goes on with its current key until {@link #switchToNext}. A second call replaces it.
     */
    public static DeviceIdentity prepareNext(KeyValueStore store) throws IOException {
        DeviceIdentity made = generate();
        store.put(NEXT, Base64.getEncoder().encodeToString(made.keys.getPrivate().getEncoded()) + "\n"
                + Base64.getEncoder().encodeToString(made.keys.getPublic().getEncoded()));
        return made;
    }

    /**
     * Makes the prepared key pair the device's own (the gateway has been told it over the old
     * one's link); empty when none is prepared (this switch happened already). A cut between the
     * writes is finished by the next {@link #loadOrCreate}.
     */
    public static Optional<DeviceIdentity> switchToNext(KeyValueStore store) throws IOException {
        Optional<String> next = store.get(NEXT);
        if (next.isEmpty()) return Optional.empty();
        String[] n = next.get().split("\n");
        if (n.length != 2) throw new IOException(NEXT + " is damaged: remove it from the device's state folder and rotate again");
        decode(n[0], n[1]); // check it before it replaces anything
        store.put(PRIVATE, n[0]);
        return Optional.of(finishSwitch(store, n));
    }

    private static DeviceIdentity finishSwitch(KeyValueStore store, String[] next) throws IOException {
        store.put(PUBLIC, next[1]);
        store.remove(NEXT);
        return decode(next[0], next[1]);
    }

    /** A new key pair, not kept anywhere (a simulated device keeps it in memory). */
    public static DeviceIdentity generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return new DeviceIdentity(g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys: " + e.getMessage(), e);
        }
    }

    private static DeviceIdentity decode(String priv, String pub) throws IOException {
        try {
            KeyFactory f = KeyFactory.getInstance("EC");
            return new DeviceIdentity(new KeyPair(
                    f.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pub.strip()))),
                    f.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(priv.strip())))));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("the device's identity keys (" + PRIVATE + ", " + PUBLIC + ") are damaged: " + e.getMessage()
                    + "; remove both from the device's state folder to make a new identity (the gateway must then adopt it again)", e);
        }
    }

    /** The public key's fingerprint, as the gateway will show it. */
    public String fingerprint() {
        return fingerprint(keys.getPublic());
    }

    /**
     * SHA-256 of the public key (its SubjectPublicKeyInfo), the first 8 bytes in four groups:
     * {@code 7F3A-91C2-0B5E-44D1}. Short enough to read aloud; 64 bits against a forged key.
     */
    public static String fingerprint(PublicKey key) {
        return fingerprint(key.getEncoded());
    }

    /** As {@link #fingerprint(PublicKey)}, of a key's DER SubjectPublicKeyInfo (what DTLS carries as a raw public key). */
    public static String fingerprint(byte[] subjectPublicKeyInfo) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(subjectPublicKeyInfo);
            String hex = HexFormat.of().withUpperCase().formatHex(d, 0, 8);
            return hex.substring(0, 4) + "-" + hex.substring(4, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
