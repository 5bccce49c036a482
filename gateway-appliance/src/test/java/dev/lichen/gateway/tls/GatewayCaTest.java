package dev.lichen.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway CA as its files on disk show it, across restarts and moves to another network. */
class GatewayCaTest {
    static final Set<String> NAMES = Set.of("localhost", "127.0.0.1", "::1", "lichen-pi", "lichen-pi.local", "192.168.1.20");
    static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void firstStartMakesTheCaWithSecretsOnlyTheGatewayCanRead() throws Exception {
        Path tls = dir.resolve("tls");
        GatewayCa ca = GatewayCa.open(tls, NAMES, NOW);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tls)));
        for (String secret : List.of("ca.key", "server.key")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve(secret))), secret);
            assertTrue(Files.readString(tls.resolve(secret)).contains("PRIVATE KEY"), secret);
        }
        assertEquals(ca.caPem(), Files.readString(tls.resolve("ca.crt")));
        assertTrue(ca.caFingerprint().matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), ca.caFingerprint());
        assertTrue(ca.caCertificate().getBasicConstraints() >= 0, "the CA can sign");
        assertEquals(-1, ca.serverCertificate().getBasicConstraints(), "the server certificate cannot sign");
        assertTrue(GatewayCa.covers(ca.serverCertificate(), NAMES));
        // browsers refuse server certificates valid for more than 398 days
        long days = Duration.between(ca.serverCertificate().getNotBefore().toInstant(), ca.serverCertificate().getNotAfter().toInstant()).toDays();
        assertTrue(days <= 398, days + " days");
        validates(ca, NOW);
    }

    @Test
    void aRestartKeepsTheCaAndTheServerCertificate() throws Exception {
        GatewayCa first = GatewayCa.open(dir, NAMES, NOW);
        GatewayCa again = GatewayCa.open(dir, NAMES, NOW.plus(Duration.ofDays(10)));
        assertEquals(first.caFingerprint(), again.caFingerprint());
        assertEquals(first.serverCertificate(), again.serverCertificate(), "nothing new for a browser to accept");
    }

    @Test
    void aNewAddressGetsANewServerCertificateFromTheSameCa() throws Exception {
        GatewayCa first = GatewayCa.open(dir, NAMES, NOW);
        var moved = new java.util.LinkedHashSet<>(NAMES);
        moved.add("10.0.0.7");
        moved.add("fd00:0:0:0:0:0:0:1"); // a ULA address, written in full as the JDK does
        GatewayCa after = GatewayCa.open(dir, moved, NOW);
        assertEquals(first.caFingerprint(), after.caFingerprint(), "the CA a person trusted stays");
        assertNotEquals(first.serverCertificate(), after.serverCertificate());
        assertTrue(GatewayCa.covers(after.serverCertificate(), moved));
        assertTrue(GatewayCa.covers(after.serverCertificate(), Set.of("fd00::1")), "IPv6 compares in any spelling");
        assertFalse(GatewayCa.covers(first.serverCertificate(), moved));
        validates(after, NOW);
    }

    @Test
    void aServerCertificateNearItsEndIsIssuedAgain() throws Exception {
        GatewayCa first = GatewayCa.open(dir, NAMES, NOW);
        Instant late = first.serverCertificate().getNotAfter().toInstant().minus(Duration.ofDays(5));
        GatewayCa renewed = GatewayCa.open(dir, NAMES, late);
        assertEquals(first.caFingerprint(), renewed.caFingerprint());
        assertTrue(renewed.serverCertificate().getNotAfter().toInstant().isAfter(late.plus(Duration.ofDays(300))));
        validates(renewed, late);
    }

    @Test
    void aServerCertificateFromAnotherCaIsReplaced() throws Exception {
        GatewayCa mine = GatewayCa.open(dir.resolve("a"), NAMES, NOW);
        GatewayCa other = GatewayCa.open(dir.resolve("b"), NAMES, NOW);
        Files.copy(dir.resolve("b/server.crt"), dir.resolve("a/server.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("b/server.key"), dir.resolve("a/server.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        GatewayCa reopened = GatewayCa.open(dir.resolve("a"), NAMES, NOW);
        assertEquals(mine.caFingerprint(), reopened.caFingerprint());
        assertNotEquals(other.serverCertificate(), reopened.serverCertificate());
        validates(reopened, NOW);
    }

    @Test
    void aDamagedCaFileIsAClearErrorNotANewCa() throws Exception {
        GatewayCa.open(dir, NAMES, NOW);
        Files.writeString(dir.resolve("ca.crt"), "not a certificate\n");
        var e = assertThrows(IllegalStateException.class, () -> GatewayCa.open(dir, NAMES, NOW));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("delete the folder"), e.getMessage());
        assertEquals("not a certificate\n", Files.readString(dir.resolve("ca.crt")), "nothing overwritten");
    }

    @Test
    void theKeyStoresHoldTheChainAndOnlyTheCa() throws Exception {
        GatewayCa ca = GatewayCa.open(dir, NAMES, NOW);
        char[] pw = "pw".toCharArray();
        var ks = ca.serverKeyStore(pw);
        var chain = ks.getCertificateChain("server");
        assertEquals(List.of(ca.serverCertificate(), ca.caCertificate()), List.of(chain));
        assertTrue(ks.getKey("server", pw) != null);
        // clients trust the CA itself, named by the same fingerprint a device logs for it
        assertEquals(ca.caCertificate(), ca.trusted().certificate());
        assertEquals(ca.caFingerprint(), ca.trusted().fingerprint());
    }

    @Test
    void localNamesHoldLoopbackAndTheBindAddress() {
        Set<String> names = GatewayCa.localNames("127.0.0.5");
        assertTrue(names.containsAll(List.of("localhost", "127.0.0.1", "::1", "127.0.0.5")), names.toString());
        assertTrue(names.stream().noneMatch(n -> n.contains("%")), "no scoped addresses: " + names);
        assertFalse(GatewayCa.localNames("0.0.0.0").contains("0.0.0.0"));
    }

    /** PKIX validation of server -> CA at a given time, as a TLS client does it. */
    static void validates(GatewayCa ca, Instant at) throws Exception {
        var cf = CertificateFactory.getInstance("X.509");
        var path = cf.generateCertPath(List.of(ca.serverCertificate()));
        var params = new PKIXParameters(Set.of(new TrustAnchor(ca.caCertificate(), null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(at));
        CertPathValidator.getInstance("PKIX").validate(path, params);
        X509Certificate s = ca.serverCertificate();
        assertTrue(s.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "serverAuth");
    }
}
