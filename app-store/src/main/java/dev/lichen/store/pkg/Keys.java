package dev.lichen.store.pkg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/** Ed25519 publisher keys (the JDK's own provider): generation, PEM files, fingerprints. */
public final class Keys {
    public static final String ALGORITHM = "Ed25519";

    private Keys() {}

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks Ed25519", e);
        }
    }

    /** Writes {@code <base>.key} (private, owner-only) and {@code <base>.pub}. */
    public static void save(KeyPair pair, Path base) throws IOException {
        Path priv = base.resolveSibling(base.getFileName() + ".key"), pub = base.resolveSibling(base.getFileName() + ".pub");
        if (Files.exists(priv)) throw new IOException(priv + " exists already; move it away or choose another name");
        Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        Files.createFile(priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    }

    public static PrivateKey readPrivate(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(unpem(Files.readString(file), "PRIVATE KEY", file)));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not an Ed25519 private key (make one with 'lichen store keygen')", e);
        }
    }

    public static PublicKey readPublic(Path file) throws IOException {
        return publicFromDer(unpem(Files.readString(file), "PUBLIC KEY", file));
    }

    public static PublicKey publicFromDer(byte[] der) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IOException("not an Ed25519 public key", e);
        }
    }

    public static PublicKey publicFromBase64(String b64) throws IOException {
        try {
            return publicFromDer(Base64.getDecoder().decode(b64));
        } catch (IllegalArgumentException e) {
            throw new IOException("public key is not base64", e);
        }
    }

    /** The public key derived from a private key file's pair is not kept in PKCS#8 by the JDK: read the .pub beside it. */
    public static PublicKey publicBeside(Path privateKeyFile) throws IOException {
        String n = privateKeyFile.getFileName().toString();
        Path pub = privateKeyFile.resolveSibling(n.endsWith(".key") ? n.substring(0, n.length() - 4) + ".pub" : n + ".pub");
        if (!Files.exists(pub)) throw new IOException("public key " + pub + " not found beside " + privateKeyFile);
        return readPublic(pub);
    }

    /** SHA-256 of the key's X.509 encoding, as 16 groups of 4 hex digits: what an administrator compares. */
    public static String fingerprint(PublicKey key) {
        String hex = HexFormat.of().formatHex(sha256(key.getEncoded()));
        var sb = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 4) {
            if (i > 0) sb.append(' ');
            sb.append(hex, i, i + 4);
        }
        return sb.toString();
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] unpem(String text, String type, Path file) throws IOException {
        String begin = "-----BEGIN " + type + "-----", end = "-----END " + type + "-----";
        int a = text.indexOf(begin), b = text.indexOf(end);
        if (a < 0 || b < a) throw new IOException(file + " is not a PEM " + type.toLowerCase() + " file");
        try {
            return Base64.getMimeDecoder().decode(text.substring(a + begin.length(), b));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": bad base64 inside the PEM block", e);
        }
    }
}
