package dev.lichen.runtime.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SignatureException;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate a device presents over TLS: its own key, self-signed, read the same by the JDK and by OpenSSL. */
class SelfSignedCertificateTest {
    @Test
    void theCertificateCarriesTheDevicesKeyAndIsSignedByIt() throws Exception {
        DeviceIdentity id = DeviceIdentity.generate();
        var c = SelfSignedCertificate.of(id.keys(), "porch");
        assertArrayEquals(id.keys().getPublic().getEncoded(), c.getPublicKey().getEncoded());
        assertEquals(id.fingerprint(), DeviceIdentity.fingerprint(c.getPublicKey()), "the gateway reads the same fingerprint out of it");
        assertEquals("CN=porch", c.getSubjectX500Principal().getName());
        assertEquals(c.getSubjectX500Principal(), c.getIssuerX500Principal());
        assertEquals("SHA256withECDSA", c.getSigAlgName());
        c.verify(id.keys().getPublic());
        c.checkValidity(java.util.Date.from(java.time.Instant.parse("1970-01-02T00:00:00Z"))); // a Pi without its clock set yet
        c.checkValidity(java.util.Date.from(java.time.Instant.parse("2999-01-01T00:00:00Z")));
        assertThrows(SignatureException.class, () -> c.verify(DeviceIdentity.generate().keys().getPublic()));
    }

    @Test
    void aLongDeviceIdTakesTheLongLengthForm() throws Exception {
        String id = "x".repeat(200); // a name over 127 bytes: DER's long-form lengths
        var c = SelfSignedCertificate.of(DeviceIdentity.generate().keys(), id);
        assertEquals("CN=" + id, c.getSubjectX500Principal().getName());
    }

    @Test
    void openSslReadsItAsTheSameKey(@TempDir Path dir) throws Exception {
        DeviceIdentity id = DeviceIdentity.generate();
        Path pem = dir.resolve("device.crt");
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(SelfSignedCertificate.of(id.keys(), "porch").getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        Process p = new ProcessBuilder("openssl", "x509", "-in", pem.toString(), "-noout", "-pubkey").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, p.waitFor(), out);
        String b64 = out.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        assertArrayEquals(id.keys().getPublic().getEncoded(), Base64.getDecoder().decode(b64));
    }
}
