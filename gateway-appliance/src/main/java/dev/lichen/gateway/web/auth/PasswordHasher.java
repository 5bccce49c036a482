package dev.lichen.gateway.web.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PBKDF2-HMAC-SHA256 from the JDK (no extra jar on the Pi image). The iteration count and salt
 * travel inside the stored string ({@code pbkdf2-sha256$600000$salt$hash}) so the cost can be
 * raised later and old hashes still verify.
 */
public final class PasswordHasher {
    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about 0.25 s here, ~1 s on a Pi 4. */
    public static final int ITERATIONS = 600_000;
    /** Never accept a stored hash weaker than this (the project's floor). */
    public static final int MIN_ITERATIONS = 310_000;
    private static final String ALG = "PBKDF2WithHmacSHA256";
    private static final String PREFIX = "pbkdf2-sha256";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final int iterations;
    /**
     * A real hash verified against unknown accounts, so response time does not reveal names;
     * made on first need, so that starting a gateway costs no hashing.
     */
    private volatile String dummy;

    public PasswordHasher() {
        this(ITERATIONS);
    }

    public PasswordHasher(int iterations) {
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be >= " + MIN_ITERATIONS);
        }
        this.iterations = iterations;
    }

    public String hash(char[] password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] dk = derive(password, salt, iterations);
        var b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(dk);
    }

    /** Constant-time check; a malformed or too-weak stored string never verifies. */
    public boolean verify(char[] password, String stored) {
        String[] parts = (stored == null ? dummy() : stored).split("\\$");
        if (parts.length != 4 || !parts[0].equals(PREFIX)) {
            return false;
        }
        try {
            int it = Integer.parseInt(parts[1]);
            if (it < MIN_ITERATIONS || it > 10_000_000) {
                return false;
            }
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            return MessageDigest.isEqual(derive(password, salt, it), expected) && stored != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private String dummy() {
        String d = dummy;
        if (d == null) {
            d = hash("not-a-password".toCharArray());
            dummy = d;
        }
        return d;
    }

    /** Burns the same time as a real verification; used when the account does not exist. */
    public void verifyDummy(char[] password) {
        verify(password, null);
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        var spec = new PBEKeySpec(password, salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance(ALG).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + ALG, e);
        } finally {
            spec.clearPassword();
        }
    }
}
