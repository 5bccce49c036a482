package dev.lichen.gateway.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * The gateway's own certificate authority, made on first start in {@code <data>/tls} (the folder
 * 0700, the keys 0600): {@code ca.crt} is what a browser or a device is asked to trust (its
 * SHA-256 fingerprint is printed at start and shown on the first-run page, so a person can
 * compare), {@code server.crt} is issued by it for the names this machine answers to and serves
 * https, MQTT over TLS and CoAPS. The server certificate is issued again at start when a name is
 * missing (the Pi moved to another network) or it has less than {@link #RENEW_BEFORE} left; the
 * CA stays, so nobody has to trust anything new.
 */
public final class GatewayCa {
    static final Duration CA_LIFETIME = Duration.ofDays(20 * 365);
    /** Browsers refuse server certificates valid for longer than 398 days. */
    static final Duration SERVER_LIFETIME = Duration.ofDays(397);
    static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate ca;
    private final X509Certificate server;
    private final PrivateKey serverKey;

    private GatewayCa(X509Certificate ca, X509Certificate server, PrivateKey serverKey) {
        this.ca = ca;
        this.server = server;
        this.serverKey = serverKey;
    }

    /**
     * Opens the CA in {@code dir}, making it on first use, with a server certificate that covers
     * {@code names} (host names and IP addresses).
     */
    public static GatewayCa open(Path dir, Set<String> names, Instant now) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Path caCrt = dir.resolve("ca.crt"), caKey = dir.resolve("ca.key");
            Path srvCrt = dir.resolve("server.crt"), srvKey = dir.resolve("server.key");
            X509Certificate ca;
            KeyPair caPair;
            if (Files.exists(caCrt) && Files.exists(caKey)) {
                ca = readCertificate(caCrt);
                caPair = new KeyPair(ca.getPublicKey(), readKey(caKey));
            } else {
                caPair = newKeyPair();
                ca = issueCa(caPair, now);
                write(caKey, pemKey(caPair.getPrivate()));
                write(caCrt, pem(ca));
                Files.deleteIfExists(srvCrt); // a new CA: whatever the old one issued is worthless
            }
            if (Files.exists(srvCrt) && Files.exists(srvKey)) {
                X509Certificate server = readCertificate(srvCrt);
                if (issuedBy(server, ca) && covers(server, names) && server.getNotAfter().toInstant().isAfter(now.plus(RENEW_BEFORE))) {
                    return new GatewayCa(ca, server, readKey(srvKey));
                }
            }
            KeyPair serverPair = newKeyPair();
            X509Certificate server = issueServer(ca, caPair.getPrivate(), serverPair, names, now);
            write(srvKey, pemKey(serverPair.getPrivate()));
            write(srvCrt, pem(server));
            return new GatewayCa(ca, server, serverPair.getPrivate());
        } catch (org.bouncycastle.openssl.PEMException e) {
            throw new IllegalStateException("cannot read the gateway CA in " + dir + " (delete the folder to start afresh; browsers and devices must then trust the new one): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the gateway CA in " + dir + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot make the gateway CA in " + dir + " (delete the folder to start afresh; browsers and devices must then trust the new one): " + e.getMessage(), e);
        }
    }

    /**
     * The names a home network reaches this machine by: localhost, its host name (and
     * {@code <name>.local}, mDNS), the loopback addresses, every address of its interfaces, and the
     * bind address when it is a specific one.
     */
    public static Set<String> localNames(String bindHost) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            String host = InetAddress.getLocalHost().getHostName();
            if (host != null && !host.isBlank() && !host.contains(":")) {
                names.add(host);
                if (!host.contains(".")) names.add(host + ".local");
            }
        } catch (IOException unknownHost) {
            // no host name: the addresses below still serve
        }
        try {
            for (var nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) continue;
                for (var a : java.util.Collections.list(nif.getInetAddresses())) {
                    if (a.isLinkLocalAddress()) continue; // scoped: not a name a certificate can carry
                    String text = a.getHostAddress();
                    int scope = text.indexOf('%');
                    names.add(scope < 0 ? text : text.substring(0, scope));
                }
            }
        } catch (IOException noInterfaces) {
            // loopback and the host name only
        }
        if (bindHost != null && !bindHost.equals("0.0.0.0") && !bindHost.equals("::")) names.add(bindHost);
        return names;
    }

    public X509Certificate caCertificate() {
        return ca;
    }

    public X509Certificate serverCertificate() {
        return server;
    }

    /** The server certificate's private key (the CoAPS endpoint signs its handshakes with it). */
    public PrivateKey serverKey() {
        return serverKey;
    }

    /** The CA certificate as PEM, for a browser or a device to trust. */
    public String caPem() {
        return pem(ca);
    }

    /** SHA-256 of the CA certificate, as colon-separated hex pairs: what a person compares. */
    public String caFingerprint() {
        return fingerprint(ca);
    }

    /** The same form a device shows for the CA it was given ({@code TrustedCa}): one spelling for a person to compare. */
    public static String fingerprint(X509Certificate cert) {
        return new dev.lichen.runtime.uplink.TrustedCa(cert).fingerprint();
    }

    /** An in-memory key store holding the server key and its chain (server, CA), for Jetty and HiveMQ. */
    public KeyStore serverKeyStore(char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", serverKey, password, new java.security.cert.Certificate[] {server, ca});
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot hold the server key in a key store: " + e.getMessage(), e);
        }
    }

    /** What a client of this gateway (a device, a test, the load run) trusts: this CA only. */
    public dev.lichen.runtime.uplink.TrustedCa trusted() {
        return new dev.lichen.runtime.uplink.TrustedCa(ca);
    }

    // ---- issuing ----

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate issueCa(KeyPair pair, Instant now)
            throws GeneralSecurityException, IOException, org.bouncycastle.operator.OperatorCreationException {
        X500Name name = new X500Name("CN=Lichen gateway CA " + HexFormat.of().formatHex(randomBytes(4)) + ",O=Lichen");
        var b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(CA_LIFETIME)), name, pair.getPublic());
        var ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
        return sign(b, pair.getPrivate());
    }

    private static X509Certificate issueServer(X509Certificate ca, PrivateKey caKey, KeyPair pair, Set<String> names, Instant now)
            throws GeneralSecurityException, IOException, org.bouncycastle.operator.OperatorCreationException {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(SERVER_LIFETIME)), new X500Name("CN=" + safeCn(names)), pair.getPublic());
        var ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
        List<GeneralName> alt = new ArrayList<>();
        for (String n : names) alt.add(new GeneralName(isAddress(n) ? GeneralName.iPAddress : GeneralName.dNSName, n));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt.toArray(GeneralName[]::new)));
        return sign(b, caKey);
    }

    private static String safeCn(Set<String> names) {
        for (String n : names) if (!isAddress(n)) return n;
        return "lichen-gateway";
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE).build(key);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static BigInteger serial() {
        return new BigInteger(1, randomBytes(16));
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static boolean isAddress(String name) {
        return name.indexOf(':') >= 0 || name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private static boolean issuedBy(X509Certificate cert, X509Certificate ca) {
        try {
            cert.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Whether every name is among the certificate's subject alternative names. */
    static boolean covers(X509Certificate cert, Set<String> names) {
        Set<String> have = new java.util.HashSet<>();
        try {
            var alts = cert.getSubjectAlternativeNames();
            if (alts == null) return names.isEmpty();
            for (List<?> alt : alts) have.add(normal(String.valueOf(alt.get(1))));
        } catch (CertificateParsingException e) {
            return false;
        }
        return names.stream().map(GatewayCa::normal).allMatch(have::contains);
    }

    /** IPv6 addresses compare in one spelling (the JDK writes them in full, without brackets). */
    private static String normal(String name) {
        if (name.indexOf(':') < 0) return name.toLowerCase(java.util.Locale.ROOT);
        try {
            return InetAddress.getByName(name.replace("[", "").replace("]", "")).getHostAddress();
        } catch (IOException e) {
            return name;
        }
    }

    // ---- files ----

    /** Certificates and keys alike: the folder is the gateway's alone, and /ca.crt serves the public one. */
    private static void write(Path file, String pem) throws IOException {
        dev.lichen.gateway.files.PrivateFile.write(file, pem.getBytes(StandardCharsets.US_ASCII));
    }

    private static String pem(Object o) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** A private key as PKCS#8 ("PRIVATE KEY"), which reads back without its public half. */
    private static String pemKey(PrivateKey key) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(file)))) {
            Object o = p.readObject();
            if (!(o instanceof org.bouncycastle.cert.X509CertificateHolder h)) {
                throw new GeneralSecurityException(file + " does not hold a PEM certificate");
            }
            return new JcaX509CertificateConverter().getCertificate(h);
        }
    }

    private static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(file)))) {
            Object o = p.readObject();
            var conv = new JcaPEMKeyConverter();
            return switch (o) {
                case PEMKeyPair kp -> conv.getKeyPair(kp).getPrivate();
                case PrivateKeyInfo info -> conv.getPrivateKey(info);
                case null, default -> throw new GeneralSecurityException(file + " does not hold a PEM private key");
            };
        }
    }
}
