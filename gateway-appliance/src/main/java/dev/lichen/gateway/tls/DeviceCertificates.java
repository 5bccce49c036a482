package dev.lichen.gateway.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Lets the broker's TLS take a device's self-signed client certificate: a device proves its own
 * key pair in the handshake (TLS CertificateVerify), and the broker's authenticator then decides
 * by that key, pinned at adoption, as the CoAPS endpoint does with a raw public key. No CA could
 * have issued such a certificate, so PKIX would refuse it before the authenticator ran.
 *
 * <p>HiveMQ builds its TLS trust from {@link TrustManagerFactory#getDefaultAlgorithm()} and has no
 * other hook, so {@link #install()} makes the JVM's default algorithm this one: it is PKIX for
 * everything (servers' certificates, CA-issued client ones) except a client chain of exactly one
 * self-signed EC certificate whose signature verifies, which it lets through for the key to be
 * judged. Nothing else in the gateway asks TLS clients for certificates.
 */
public final class DeviceCertificates {
    /** The TrustManagerFactory algorithm name, as the {@code ssl.TrustManagerFactory.algorithm} security property holds it. */
    public static final String ALGORITHM = "LichenDeviceKeys";
    private static final String PKIX = "PKIX";

    private DeviceCertificates() {}

    /** Makes {@link #ALGORITHM} the JVM's default TrustManagerFactory algorithm; idempotent. */
    public static synchronized void install() {
        if (Security.getProvider(ALGORITHM) == null) Security.addProvider(new LichenProvider());
        Security.setProperty("ssl.TrustManagerFactory.algorithm", ALGORITHM);
    }

    /** Whether the chain is one self-signed EC certificate that its own key verifies: a device's. */
    public static boolean isDeviceCertificate(X509Certificate[] chain) {
        if (chain == null || chain.length != 1) return false;
        X509Certificate c = chain[0];
        if (!"EC".equals(c.getPublicKey().getAlgorithm()) || !c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
            return false;
        }
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static final class LichenProvider extends Provider {
        LichenProvider() {
            super(ALGORITHM, "1", "Lichen: PKIX, and devices' self-signed client certificates judged by their key");
            putService(new Service(this, "TrustManagerFactory", ALGORITHM, Factory.class.getName(), List.of(), Map.of()) {
                @Override
                public Object newInstance(Object parameter) {
                    return new Factory();
                }
            });
        }
    }

    private static final class Factory extends TrustManagerFactorySpi {
        private TrustManagerFactory pkix;

        @Override
        protected void engineInit(KeyStore ks) throws java.security.KeyStoreException {
            pkix = pkix();
            pkix.init(ks);
        }

        @Override
        protected void engineInit(ManagerFactoryParameters spec) throws java.security.InvalidAlgorithmParameterException {
            pkix = pkix();
            pkix.init(spec);
        }

        private static TrustManagerFactory pkix() {
            try {
                return TrustManagerFactory.getInstance(PKIX);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JVM has no PKIX trust managers", e);
            }
        }

        @Override
        protected TrustManager[] engineGetTrustManagers() {
            List<TrustManager> out = new ArrayList<>();
            for (TrustManager t : pkix.getTrustManagers()) {
                out.add(t instanceof X509ExtendedTrustManager x ? new DeviceOrPkix(x) : t);
            }
            return out.toArray(TrustManager[]::new);
        }
    }

    private static final class DeviceOrPkix extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager pkix;

        DeviceOrPkix(X509ExtendedTrustManager pkix) {
            this.pkix = pkix;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            if (!isDeviceCertificate(chain)) pkix.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            if (!isDeviceCertificate(chain)) pkix.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (!isDeviceCertificate(chain)) pkix.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            pkix.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            pkix.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            // no CA names in the request: a device's certificate has no issuer but itself
            return new X509Certificate[0];
        }
    }
}
