package dev.lichen.runtime.identity;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * The device's key pair wrapped in a self-signed X.509 certificate, so that it can present the
 * same key over TLS (MQTT) as it does as a raw public key over DTLS. TLS carries client keys only
 * inside certificates; the gateway reads the key out of it and ignores the rest, so the
 * certificate is as small as X.509 allows: version 1, no extensions, the device id as subject and
 * issuer, valid from 1970 to 9999 (RFC 5280 4.1.2.5's "no expiry": a board without a clock
 * battery boots in 1970). Written here in a few lines of DER because the JDK offers no public API
 * for it and Bouncy Castle's PKIX jar would be a large part of a device image.
 */
public final class SelfSignedCertificate {
    /** ecdsa-with-SHA256, RFC 5758 3.2. */
    private static final byte[] ECDSA_WITH_SHA256 = {0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x04, 0x03, 0x02};
    /** id-at-commonName, 2.5.4.3. */
    private static final byte[] COMMON_NAME = {0x55, 0x04, 0x03};

    private SelfSignedCertificate() {}

    /** A certificate for an EC key pair (the device's identity), named by commonName. */
    public static X509Certificate of(KeyPair keys, String commonName) {
        try {
            byte[] algorithm = sequence(tlv(0x06, ECDSA_WITH_SHA256));
            byte[] name = sequence(tlv(0x31, sequence(tlv(0x06, COMMON_NAME), tlv(0x0C, commonName.getBytes(StandardCharsets.UTF_8)))));
            byte[] validity = sequence(tlv(0x17, ascii("700101000000Z")), tlv(0x18, ascii("99991231235959Z")));
            byte[] serial = tlv(0x02, new byte[] {0x01});
            byte[] tbs = sequence(serial, algorithm, name, validity, name, keys.getPublic().getEncoded());
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keys.getPrivate());
            signer.update(tbs);
            byte[] signature = signer.sign(); // already a DER ECDSA-Sig-Value
            byte[] bits = new byte[signature.length + 1]; // no unused bits
            System.arraycopy(signature, 0, bits, 1, signature.length);
            byte[] der = sequence(tbs, algorithm, tlv(0x03, bits));
            // parsed back by the JDK: whatever it accepts is what TLS will send
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the device's certificate for its key (" + keys.getPublic().getAlgorithm()
                    + "): " + e.getMessage(), e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] sequence(byte[]... parts) {
        var all = new ByteArrayOutputStream();
        for (byte[] p : parts) all.writeBytes(p);
        return tlv(0x30, all.toByteArray());
    }

    /** One DER tag-length-value, with the definite length in short or long form. */
    private static byte[] tlv(int tag, byte[] value) {
        var out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xFFFF ? 3 : n > 0xFF ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) out.write(n >>> (8 * i));
        }
        out.writeBytes(value);
        return out.toByteArray();
    }
}
