package dev.lichen.runtime.uplink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The one authority a device trusts for its gateway: the gateway's own CA, copied onto the device
 * as the PEM file the gateway serves at {@code /ca.crt}. The device's TLS then accepts the
 * gateway's server certificate and nothing else, not even a certificate from a public CA.
 */
public record TrustedCa(X509Certificate certificate) {
    /** Reads a PEM (or DER) CA certificate; the message says what to do when it is not one. */
    public static TrustedCa read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            var cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            if (cert.getBasicConstraints() < 0) {
                throw new IOException(file + " is a certificate but not a CA's: copy the gateway's https://<gateway>:8443/ca.crt");
            }
            return new TrustedCa(cert);
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(file + " does not hold a certificate (" + e.getMessage()
                    + "): copy the gateway's https://<gateway>:8443/ca.crt", e);
        }
    }

    /** SHA-256 of the certificate as colon-separated hex: what the gateway prints at start. */
    public String fingerprint() {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** TLS client sockets that trust this CA only (TLS 1.3 or 1.2, the JDK's defaults). */
    public SSLSocketFactory socketFactory() {
        return context().getSocketFactory();
    }

    /** As {@link #socketFactory()}, presenting the device's own key in a self-signed certificate named deviceId. */
    public SSLSocketFactory socketFactory(java.security.KeyPair ownKey, String deviceId) {
        return context(new OwnKey(ownKey.getPrivate(), dev.lichen.runtime.identity.SelfSignedCertificate.of(ownKey, deviceId)))
                .getSocketFactory();
    }

    /** A TLS client context that trusts this CA only (for engines and HTTP clients as well as sockets). */
    public SSLContext context() {
        return context(null);
    }

    private SSLContext context(javax.net.ssl.KeyManager own) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("lichen-gateway-ca", certificate);
            var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(own == null ? null : new javax.net.ssl.KeyManager[] {own}, tmf.getTrustManagers(), null);
            return ssl;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS with the gateway's CA: " + e.getMessage(), e);
        }
    }

    /**
     * Offers the device's one certificate whenever the server asks for an EC one, whatever issuers
     * it names: the certificate is self-signed, and the gateway judges the key, not the issuer.
     */
    private static final class OwnKey extends javax.net.ssl.X509ExtendedKeyManager {
        private static final String ALIAS = "device";
        private final java.security.PrivateKey key;
        private final X509Certificate certificate;

        OwnKey(java.security.PrivateKey key, X509Certificate certificate) {
            this.key = key;
            this.certificate = certificate;
        }

        private static String alias(String... keyTypes) {
            for (String t : keyTypes) {
                if (t != null && t.startsWith("EC")) return ALIAS;
            }
            return null;
        }

        @Override public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return alias(keyType) == null ? null : new String[] {ALIAS};
        }

        @Override public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return alias(keyType);
        }

        @Override public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
            return alias(keyType);
        }

        @Override public String[] getServerAliases(String keyType, java.security.Principal[] issuers) { return null; }

        @Override public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) { return null; }

        @Override public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? new X509Certificate[] {certificate} : null;
        }

        @Override public java.security.PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }
    }
}
