package dev.lichen.store.pkg;

import static dev.lichen.store.pkg.PackageException.Reason.DIGEST;
import static dev.lichen.store.pkg.PackageException.Reason.MALFORMED;
import static dev.lichen.store.pkg.PackageException.Reason.SIGNATURE;
import static dev.lichen.store.pkg.PackageException.Reason.UNTRUSTED;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;

/** Signs a package's canonical digest with Ed25519 and checks it against trusted publisher keys. */
public final class Signing {
    private Signing() {}

    public static Lapp sign(Lapp unsigned, PrivateKey key, PublicKey pub) {
        byte[] digest = unsigned.without(Lapp.SIGNATURE).digest();
        try {
            var s = Signature.getInstance(Keys.ALGORITHM);
            s.initSign(key);
            s.update(digest);
            var sig = new PackageSignature(Keys.ALGORITHM, Base64.getEncoder().encodeToString(pub.getEncoded()),
                    HexFormat.of().formatHex(digest), Base64.getEncoder().encodeToString(s.sign()));
            return unsigned.with(Lapp.SIGNATURE, ManifestParser.mapper().writeValueAsBytes(sig));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("signing failed", e);
        }
    }

    /**
     * Checks the signature, then that its key's fingerprint is one of {@code trustedFingerprints}.
     * Returns the signer's fingerprint.
     */
    public static String verify(Lapp lapp, Set<String> trustedFingerprints) throws PackageException {
        byte[] raw = lapp.entries().get(Lapp.SIGNATURE);
        if (raw == null) throw new PackageException(SIGNATURE, "package is not signed (no 'signature' entry); sign it with 'lichen store sign'");
        PackageSignature sig;
        PublicKey key;
        try {
            sig = ManifestParser.mapper().readValue(raw, PackageSignature.class);
            key = Keys.publicFromBase64(sig.publicKey());
        } catch (IOException e) {
            throw new PackageException(MALFORMED, "the 'signature' entry is unreadable: " + e.getMessage(), e);
        }
        if (!Keys.ALGORITHM.equals(sig.algorithm())) throw new PackageException(SIGNATURE, "signature algorithm '" + sig.algorithm() + "' is not Ed25519");
        byte[] digest = lapp.digest();
        if (!HexFormat.of().formatHex(digest).equals(sig.digest())) {
            throw new PackageException(DIGEST, "package content does not match its signed digest (an entry was changed, added or removed after signing); "
                    + "get the package again from its publisher");
        }
        try {
            var s = Signature.getInstance(Keys.ALGORITHM);
            s.initVerify(key);
            s.update(digest);
            if (!s.verify(Base64.getDecoder().decode(sig.signature()))) {
                throw new PackageException(SIGNATURE, "the Ed25519 signature does not verify: the package was altered or signed wrongly");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new PackageException(SIGNATURE, "the Ed25519 signature does not verify: " + e.getMessage(), e);
        }
        String fp = Keys.fingerprint(key);
        if (!trustedFingerprints.contains(fp)) {
            throw new PackageException(UNTRUSTED, "signed by a key this gateway does not trust (fingerprint " + fp
                    + "); an administrator must accept that publisher's key first");
        }
        return fp;
    }

    public static String signerFingerprint(Lapp lapp) throws PackageException {
        byte[] raw = lapp.entries().get(Lapp.SIGNATURE);
        if (raw == null) throw new PackageException(SIGNATURE, "package is not signed");
        try {
            return Keys.fingerprint(Keys.publicFromBase64(ManifestParser.mapper().readValue(raw, PackageSignature.class).publicKey()));
        } catch (IOException e) {
            throw new PackageException(MALFORMED, "the 'signature' entry is unreadable: " + e.getMessage(), e);
        }
    }
}
