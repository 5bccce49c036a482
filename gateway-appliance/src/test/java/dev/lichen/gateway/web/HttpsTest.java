package dev.lichen.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.tls.GatewayCa;
import dev.lichen.gateway.web.auth.PasswordHasher;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI over https, as a browser on the home network meets it: plain http only redirects,
 * the certificate chains to the gateway's own CA (and to nothing a stock trust store holds),
 * the session cookie is Secure, HSTS is on, and the CA a person checks is the same across
 * restarts, on the first-run page, at /ca.crt and on disk.
 */
class HttpsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Gateway gateway;
    WebComponent web;

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
    }

    void start() throws Exception {
        web = new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS));
        gateway = Gateway.start(GatewayConfig.forTest(dir).withHttpsPort(0), List.of(web));
    }

    HttpClient trusting(GatewayCa ca) {
        return HttpClient.newBuilder().sslContext(ca.trusted().context()).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    String https(String path) {
        return "https://127.0.0.1:" + web.server().httpsPort() + path;
    }

    static HttpRequest.Builder req(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    }

    @Test
    void plainHttpOnlyRedirectsToTheSamePlaceOnHttps() throws Exception {
        start();
        assertTrue(web.server().https() && web.port() == web.server().httpsPort() && web.server().httpPort() != web.port());
        HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        String http = "http://127.0.0.1:" + web.server().httpPort();
        for (String path : List.of("/", "/app.js", "/api/v1/health", "/api/v1/devices?limit=5&x=%2F", "/metrics", "/ca.crt")) {
            var r = plain.send(req(http + path).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(308, r.statusCode(), path);
            assertEquals(https(path), r.headers().firstValue("Location").orElse(""), path);
            assertEquals("", r.body(), path + ": nothing is served in the clear");
        }
        // a password sent over plain http by mistake does not log anyone in: no session comes back
        var login = plain.send(req(http + "/api/v1/setup").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"correct horse battery\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(308, login.statusCode());
        assertTrue(login.headers().firstValue("Set-Cookie").isEmpty());
        HttpClient client = trusting(gateway.tls());
        var setup = JSON.readTree(client.send(req(https("/api/v1/setup")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertTrue(setup.get("needed").asBoolean(), "the redirected POST created nothing");
        // a Host header the redirect cannot trust (a header injection, an odd spelling) falls back to a safe one
        assertEquals("192.168.1.20", WebServer.hostForRedirect("evil.example\r\nX: y", "192.168.1.20"));
        assertEquals("192.168.1.20", WebServer.hostForRedirect(null, "192.168.1.20"));
        assertEquals("192.168.1.20", WebServer.hostForRedirect("[::1]<script>", "192.168.1.20"));
        assertEquals("[::1]", WebServer.hostForRedirect("[::1]:8080", "x"));
        assertEquals("lichen-pi.local", WebServer.hostForRedirect("lichen-pi.local:8080", "x"));
        // a request without a Host header (HTTP/1.0) is sent to the address it came in on
        try (var s = new java.net.Socket("127.0.0.1", web.server().httpPort())) {
            s.getOutputStream().write("GET /x HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 308") && answer.contains("Location: https://127.0.0.1:" + web.server().httpsPort() + "/x"), answer);
        }
    }

    @Test
    void theFirstRunOverHttpsGivesASecureCookieHstsAndTheCaToCheck() throws Exception {
        start();
        HttpClient client = trusting(gateway.tls());
        var health = client.send(req(https("/api/v1/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertEquals("max-age=31536000", health.headers().firstValue("Strict-Transport-Security").orElse(""));
        // the server certificate is the one the CA issued, for the address the browser used
        var peer = (X509Certificate) health.sslSession().orElseThrow().getPeerCertificates()[0];
        assertEquals(gateway.tls().serverCertificate(), peer);

        JsonNode setup = JSON.readTree(client.send(req(https("/api/v1/setup")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertTrue(setup.get("https").asBoolean());
        assertEquals(gateway.tls().caFingerprint(), setup.get("caFingerprint").asText());

        var ca = client.send(req(https("/ca.crt")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, ca.statusCode());
        assertTrue(ca.headers().firstValue("Content-Type").orElse("").startsWith("application/x-pem-file"));
        X509Certificate served;
        try (InputStream in = new ByteArrayInputStream(ca.body())) {
            served = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertEquals(setup.get("caFingerprint").asText(), GatewayCa.fingerprint(served), "the download is the CA the page names");
        assertEquals(new String(ca.body(), StandardCharsets.US_ASCII), Files.readString(dir.resolve("tls/ca.crt")));

        var created = client.send(req(https("/api/v1/setup")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"correct horse battery\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        String cookie = created.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(cookie.contains("; Secure") && cookie.contains("HttpOnly"), cookie);
        String session = cookie.substring(0, cookie.indexOf(';'));
        var devices = client.send(req(https("/api/v1/devices")).header("Cookie", session).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, devices.statusCode(), devices.body());
        // live updates work over TLS too: the event stream opens and says hello
        var live = client.send(req(https("/api/v1/live")).header("Cookie", session).header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, live.statusCode());
        assertTrue(live.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), live.headers().map().toString());
        live.body().close();
    }

    @Test
    void aStockTrustStoreRefusesTheCertificateAndTls13IsSpokenWith12Beside() throws Exception {
        start();
        HttpClient stock = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        assertThrows(SSLHandshakeException.class, () -> stock.send(req(https("/api/v1/health")).build(), HttpResponse.BodyHandlers.ofString()));
        // what the server settles on (the JDK's client no longer offers anything older than 1.2,
        // so a refusal of 1.1 could not be shown from here)
        var best = trusting(gateway.tls()).send(req(https("/api/v1/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("TLSv1.3", best.sslSession().orElseThrow().getProtocol());
        var only12 = new SSLParameters();
        only12.setProtocols(new String[] {"TLSv1.2"});
        HttpClient older = HttpClient.newBuilder().sslContext(gateway.tls().trusted().context()).sslParameters(only12)
                .connectTimeout(Duration.ofSeconds(10)).build();
        var r = older.send(req(https("/api/v1/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("TLSv1.2", r.sslSession().orElseThrow().getProtocol(), "an older device's TLS 1.2 is still served");
    }

    @Test
    void aRestartServesTheSameCertificateSoNothingNewNeedsTrust() throws Exception {
        start();
        X509Certificate before = gateway.tls().serverCertificate();
        String fingerprint = gateway.tls().caFingerprint();
        gateway.close();
        gateway = null;
        start();
        assertEquals(fingerprint, gateway.tls().caFingerprint());
        var peer = trusting(gateway.tls()).send(req(https("/api/v1/health")).build(), HttpResponse.BodyHandlers.ofString())
                .sslSession().orElseThrow().getPeerCertificates()[0];
        assertEquals(before, peer);
    }

    @Test
    void namesGivenByTheAdminAreCarriedBesideTheMachinesOwn() throws Exception {
        web = new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS));
        gateway = Gateway.start(GatewayConfig.forTest(dir).withHttpsPort(0).withTlsNames(List.of("lichen.home", "10.0.2.2")), List.of(web));
        var sans = gateway.tls().serverCertificate().getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).toList();
        assertTrue(sans.containsAll(List.of("lichen.home", "10.0.2.2", "localhost", "127.0.0.1")), sans.toString());
        String fingerprint = gateway.tls().caFingerprint();
        gateway.close();
        // dropping a name later issues the server certificate again only if a wanted name is missing: the CA stays
        gateway = Gateway.start(GatewayConfig.forTest(dir).withHttpsPort(0).withTlsNames(List.of("lichen.home", "lichen.lan")), List.of(
                web = new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS))));
        assertEquals(fingerprint, gateway.tls().caFingerprint());
        assertTrue(gateway.tls().serverCertificate().getSubjectAlternativeNames().stream().anyMatch(l -> "lichen.lan".equals(l.get(1))));
    }

    @Test
    void localhostIsCoveredByTheCertificate() throws Exception {
        start();
        var r = trusting(gateway.tls()).send(req("https://localhost:" + web.server().httpsPort() + "/api/v1/health").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "hostname verification passed for localhost");
        // no HSTS for localhost: it would force https on every other local server of the person for a year
        assertTrue(r.headers().firstValue("Strict-Transport-Security").isEmpty(), r.headers().map().toString());
        var page = trusting(gateway.tls()).send(req(https("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("max-age=31536000", page.headers().firstValue("Strict-Transport-Security").orElse(""), "the page itself carries it");
        assertTrue(RequestGuard.isLocalhost("localhost:8443") && RequestGuard.isLocalhost("app.localhost")
                && !RequestGuard.isLocalhost("lichen-pi.local:8443") && !RequestGuard.isLocalhost("[::1]:8443"));
    }
}
