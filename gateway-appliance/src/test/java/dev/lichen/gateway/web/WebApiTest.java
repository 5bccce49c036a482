package dev.lichen.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.ingest.IngestOutcome;
import dev.lichen.gateway.ingest.Protocol;
import dev.lichen.gateway.web.auth.PasswordHasher;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API as a client sees it over real HTTP against a real gateway (SQLite file, pipeline,
 * alert engine): first-run setup, 401 without a session, CSRF and Origin checks, viewer 403s,
 * login throttling, API tokens, input validation, readings as JSON/CSV, SSE, and the OpenAPI text
 * matching the registered routes. One gateway for the class; the tests run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebApiTest {
    static final String ADMIN_PW = "correct horse battery";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    Gateway gateway;
    WebComponent web;
    String base;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Client admin;

    /** A browser-like client: holds its session cookie and CSRF token. */
    final class Client {
        String cookie;
        String csrf;
        String bearer;

        HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
            var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null && !List.of(headers).contains("Content-Type")) b.header("Content-Type", "application/json");
            if (cookie != null) b.header("Cookie", RequestGuard.SESSION_COOKIE + "=" + cookie);
            if (bearer != null) b.header("Authorization", "Bearer " + bearer);
            for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        /** A state change as the UI sends it: with the session's CSRF token. */
        HttpResponse<String> change(String method, String path, String body) throws Exception {
            return csrf == null ? send(method, path, body) : send(method, path, body, RequestGuard.CSRF_HEADER, csrf);
        }

        HttpResponse<String> login(String user, String pw) throws Exception {
            var r = send("POST", "/api/v1/session", json(Map.of("username", user, "password", pw)));
            if (r.statusCode() == 200) adopt(r);
            return r;
        }

        void adopt(HttpResponse<String> r) throws Exception {
            cookie = sessionCookie(r);
            csrf = JSON.readTree(r.body()).get("csrfToken").asText();
        }
    }

    /** An extension (as the add-on host is one) with one API route it describes itself. */
    static final class Echo implements dev.lichen.gateway.GatewayComponent, WebExtension {
        @Override public String name() { return "echo"; }

        @Override public void start(Gateway g) {}

        @Override public void close() {}

        @Override
        public void register(io.javalin.config.RoutesConfig routes, Auth auth) {
            routes.get("/api/v1/echo", ctx -> ctx.result(RequestGuard.principal(ctx).name()));
        }

        @Override
        public String openApi() {
            return "{\"paths\":{\"/api/v1/echo\":{\"get\":{\"summary\":\"who am I\",\"responses\":{\"200\":{\"description\":\"the caller\"}}}}}}";
        }
    }

    @BeforeAll
    void start() throws Exception {
        web = new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS));
        gateway = Gateway.start(GatewayConfig.forTest(dir), List.of(new Echo(), web));
        base = "http://127.0.0.1:" + web.port();
        admin = new Client();
    }

    @AfterAll
    void stop() {
        if (gateway != null) gateway.close();
    }

    static String json(Object o) throws Exception {
        return JSON.writeValueAsString(o);
    }

    static String sessionCookie(HttpResponse<String> r) {
        String set = r.headers().firstValue("Set-Cookie").orElseThrow(() -> new AssertionError("no Set-Cookie"));
        assertTrue(set.startsWith(RequestGuard.SESSION_COOKIE + "="), set);
        return set.substring(set.indexOf('=') + 1, set.indexOf(';'));
    }

    static void assertError(HttpResponse<String> r, int status, String field) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode n = JSON.readTree(r.body());
        assertTrue(n.hasNonNull("error"), r.body());
        if (field != null) assertEquals(field, n.path("field").asText(null), r.body());
    }

    void ingest(String device, long firstSeq, List<Reading> readings) throws Exception {
        IngestOutcome o = gateway.pipeline().submit(Protocol.COAP, new Batch(device, "boot-1", firstSeq, readings), null)
                .get(10, TimeUnit.SECONDS);
        assertTrue(o instanceof IngestOutcome.Accepted, String.valueOf(o));
    }

    @Test
    @Order(1)
    void firstRunSetupCreatesTheAdminOnlyOnce() throws Exception {
        Client anon = new Client();
        assertTrue(JSON.readTree(anon.send("GET", "/api/v1/setup", null).body()).get("needed").asBoolean());
        assertError(anon.send("POST", "/api/v1/setup", json(Map.of("username", "admin", "password", "short"))), 400, "password");
        assertError(anon.send("POST", "/api/v1/setup", json(Map.of("username", "<b>", "password", ADMIN_PW))), 400, "username");
        assertError(anon.send("POST", "/api/v1/setup", json(Map.of("username", "admin", "password", ADMIN_PW, "role", "x"))), 400, "role");
        // a cross-site form can't post JSON; a text/plain body is refused
        assertEquals(415, anon.send("POST", "/api/v1/setup", "{}", "Content-Type", "text/plain").statusCode());

        var r = anon.send("POST", "/api/v1/setup", json(Map.of("username", "admin", "password", ADMIN_PW)));
        assertEquals(201, r.statusCode(), r.body());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.contains("HttpOnly"), setCookie);
        assertTrue(setCookie.contains("SameSite=Strict"), setCookie);
        assertFalse(setCookie.contains("Secure"), "plain http: no Secure flag, " + setCookie);
        admin.adopt(r);
        assertEquals("admin", JSON.readTree(admin.send("GET", "/api/v1/session", null).body()).get("username").asText());

        assertFalse(JSON.readTree(anon.send("GET", "/api/v1/setup", null).body()).get("needed").asBoolean());
        assertError(anon.send("POST", "/api/v1/setup", json(Map.of("username", "mallory", "password", ADMIN_PW))), 409, null);
        // behind an https proxy the cookie is Secure
        var viaProxy = anon.send("POST", "/api/v1/session", json(Map.of("username", "admin", "password", ADMIN_PW)),
                "X-Forwarded-Proto", "https");
        assertTrue(viaProxy.headers().firstValue("Set-Cookie").orElseThrow().contains("; Secure"));
    }

    @Test
    @Order(2)
    void withoutSessionOrTokenTheApiAnswers401() throws Exception {
        Client anon = new Client();
        for (String path : List.of("/api/v1/devices", "/api/v1/alerts", "/api/v1/rules", "/api/v1/users",
                "/api/v1/session", "/metrics", "/api/v1/live", "/api/v1/devices/x/channels/t/readings")) {
            assertError(anon.send("GET", path, null), 401, null);
        }
        assertError(anon.send("POST", "/api/v1/rules", "{}"), 401, null);
        anon.cookie = "A".repeat(43); // a made-up session
        assertError(anon.send("GET", "/api/v1/devices", null), 401, null);
        anon.cookie = null;
        anon.bearer = "lichen_nobody.secret";
        assertError(anon.send("GET", "/api/v1/devices", null), 401, null);
        // public: liveness and the API description
        assertEquals(200, anon.send("GET", "/api/v1/health", null).statusCode());
        assertEquals(200, anon.send("GET", "/api/v1/openapi.json", null).statusCode());
    }

    @Test
    @Order(3)
    void stateChangesNeedTheCsrfTokenAndTheSameOrigin() throws Exception {
        String rule = json(Map.of("name", "x", "deviceId", "nope", "channel", "t", "op", "<", "threshold", 1));
        assertError(admin.send("POST", "/api/v1/rules", rule), 403, null);
        assertError(admin.send("POST", "/api/v1/rules", rule, RequestGuard.CSRF_HEADER, "wrong"), 403, null);
        assertError(admin.send("POST", "/api/v1/rules", rule, RequestGuard.CSRF_HEADER, admin.csrf,
                "Origin", "http://evil.example"), 403, null);
        assertError(admin.send("POST", "/api/v1/rules", rule, RequestGuard.CSRF_HEADER, admin.csrf,
                "Sec-Fetch-Site", "cross-site"), 403, null);
        assertError(admin.send("DELETE", "/api/v1/session", null), 403, null); // even logout needs it
        // the right token from the page's own origin gets through to validation
        assertError(admin.send("POST", "/api/v1/rules", rule, RequestGuard.CSRF_HEADER, admin.csrf,
                "Origin", base), 400, "deviceId");
    }

    @Test
    @Order(4)
    void viewersReadButChangeNothing() throws Exception {
        var created = admin.change("POST", "/api/v1/users",
                json(Map.of("username", "guest", "password", "viewer password 1", "role", "viewer")));
        assertEquals(201, created.statusCode(), created.body());
        assertFalse(created.body().contains("pbkdf2"), "no hash in answers");
        assertError(admin.change("POST", "/api/v1/users",
                json(Map.of("username", "guest", "password", "viewer password 1", "role", "viewer"))), 409, "username");
        ingest("porch", 0, List.of(new Reading("temperature", "Cel", new Value.Number(12.5), System.currentTimeMillis())));

        Client viewer = new Client();
        assertEquals(200, viewer.login("guest", "viewer password 1").statusCode());
        assertEquals(200, viewer.send("GET", "/api/v1/devices", null).statusCode());
        assertError(viewer.change("POST", "/api/v1/devices/porch/adopt", json(Map.of("name", "Porch", "room", "Out"))), 403, null);
        assertError(viewer.change("POST", "/api/v1/devices/porch/reject", null), 403, null);
        assertError(viewer.change("POST", "/api/v1/rules", "{}"), 403, null);
        assertError(viewer.change("POST", "/api/v1/alerts/1/acknowledge", null), 403, null);
        assertError(viewer.send("GET", "/api/v1/users", null), 403, null);
        assertEquals("new", JSON.readTree(admin.send("GET", "/api/v1/devices/porch", null).body()).get("state").asText());
        assertEquals(204, viewer.change("DELETE", "/api/v1/session", null).statusCode()); // logging out is allowed
        assertError(viewer.send("GET", "/api/v1/devices", null), 401, null);
    }

    @Test
    @Order(13)
    void coapsKeysAreShownOnceAndOnlyAdminsMakeThem() throws Exception {
        assertEquals(false, JSON.readTree(admin.send("GET", "/api/v1/devices/cellar-meter/psk", null).body()).get("set").asBoolean());
        // a device that never sent yet: CoAPS devices get their key before their first pack
        var r = admin.change("POST", "/api/v1/devices/cellar-meter/psk", null);
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        JsonNode issued = JSON.readTree(r.body());
        assertEquals("cellar-meter", issued.get("identity").asText());
        byte[] key = java.util.Base64.getDecoder().decode(issued.get("key").asText());
        assertEquals(32, key.length);
        org.junit.jupiter.api.Assertions.assertArrayEquals(key, gateway.store().deviceKey("cellar-meter").orElseThrow().key());
        // never shown again: the status has no key, nor has any other answer
        var status = admin.send("GET", "/api/v1/devices/cellar-meter/psk", null);
        assertTrue(JSON.readTree(status.body()).get("set").asBoolean());
        assertFalse(status.body().contains(issued.get("key").asText()), status.body());
        assertFalse(status.body().contains("\"key\""), status.body());
        // a rotation replaces it
        JsonNode rotated = JSON.readTree(admin.change("POST", "/api/v1/devices/cellar-meter/psk", null).body());
        assertFalse(rotated.get("key").asText().equals(issued.get("key").asText()));
        // viewers see whether there is a key, but make none
        Client viewer = new Client();
        assertEquals(200, viewer.login("guest", "viewer password 1").statusCode());
        assertEquals(200, viewer.send("GET", "/api/v1/devices/cellar-meter/psk", null).statusCode());
        assertError(viewer.change("POST", "/api/v1/devices/cellar-meter/psk", null), 403, null);
        assertError(viewer.change("DELETE", "/api/v1/devices/cellar-meter/psk", null), 403, null);
        assertError(admin.change("POST", "/api/v1/devices/Not%20A%20Device/psk", null), 400, "id");
        assertEquals(204, admin.change("DELETE", "/api/v1/devices/cellar-meter/psk", null).statusCode());
        assertTrue(gateway.store().deviceKey("cellar-meter").isEmpty());
        assertError(admin.change("DELETE", "/api/v1/devices/cellar-meter/psk", null), 404, null);

        // the audit trail has the two rotations and the revocation, by admin from this machine; viewers do not read it
        JsonNode trail = JSON.readTree(admin.send("GET", "/api/v1/audit?limit=500", null).body());
        List<String> forMeter = new java.util.ArrayList<>();
        for (JsonNode e : trail) {
            if (!"cellar-meter".equals(e.get("subject").asText())) continue;
            forMeter.add(e.get("action").asText());
            assertEquals("admin", e.get("actor").asText(), e.toString());
            assertTrue(e.get("address").asText().startsWith("127."), e.toString());
        }
        assertEquals(List.of("key_revoked", "key_rotated", "key_rotated"), forMeter, trail.toString());
        assertError(viewer.send("GET", "/api/v1/audit", null), 403, null);
        assertError(admin.send("GET", "/api/v1/audit?limit=0", null), 400, "limit");
        assertError(admin.send("GET", "/api/v1/audit?before=x", null), 400, "before");
        long first = trail.get(0).get("id").asLong();
        JsonNode older = JSON.readTree(admin.send("GET", "/api/v1/audit?before=" + first + "&limit=1", null).body());
        assertEquals(trail.get(1), older.get(0), "paging by id");
    }

    @Test
    @Order(12)
    void rulesAreCreatedReadUpdatedAndDeleted() throws Exception {
        String body = "{\"name\":\"Cold porch\",\"deviceId\":\"porch\",\"channel\":\"temperature\",\"op\":\"<\",\"threshold\":2,\"durationSeconds\":600}";
        var created = admin.change("POST", "/api/v1/rules", body);
        assertEquals(201, created.statusCode(), created.body());
        long id = JSON.readTree(created.body()).get("id").asLong();
        assertEquals(600, JSON.readTree(admin.send("GET", "/api/v1/rules/" + id, null).body()).get("durationSeconds").asLong());
        var updated = admin.change("PUT", "/api/v1/rules/" + id, body.replace("600", "60").replace("}", ",\"enabled\":false}"));
        assertEquals(200, updated.statusCode(), updated.body());
        JsonNode r = JSON.readTree(admin.send("GET", "/api/v1/rules/" + id, null).body());
        assertEquals(60, r.get("durationSeconds").asLong());
        assertFalse(r.get("enabled").asBoolean());
        assertEquals(1, gateway.store().rules().size());
        assertError(admin.change("PUT", "/api/v1/rules/" + (id + 100), body), 404, null);
        assertEquals(204, admin.change("DELETE", "/api/v1/rules/" + id, null).statusCode());
        assertError(admin.send("GET", "/api/v1/rules/" + id, null), 404, null);
    }

    @Test
    @Order(20) // last: it throttles this test's address
    void repeatedBadLoginsAreThrottled() throws Exception {
        Client c = new Client();
        assertEquals(200, new Client().login("admin", ADMIN_PW).statusCode()); // a success resets this address
        for (int i = 0; i < 5; i++) {
            assertError(c.send("POST", "/api/v1/session", json(Map.of("username", "guest", "password", "wrong-" + i))), 401, null);
        }
        // now even the right password must wait, and the answer says how long
        var r = c.send("POST", "/api/v1/session", json(Map.of("username", "guest", "password", "viewer password 1")));
        assertError(r, 429, null);
        assertTrue(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow()) >= 1);
        String metrics = admin.send("GET", "/metrics", null).body();
        assertTrue(metrics.contains("lichen_web_logins_total{outcome=\"throttled\"} 1"), metrics);
        assertTrue(metrics.contains("lichen_web_logins_total{outcome=\"refused\"}"), metrics);
        for (int i = 0; i < 20; i++) c.send("POST", "/api/v1/session", json(Map.of("username", "guest", "password", "again-" + i)));
        // a script hammering the login fills neither the trail nor the card: once a minute per name and address
        List<String> failures = gateway.store().auditTrail(Long.MAX_VALUE, 500).stream()
                .filter(e -> "guest".equals(e.actor()) && e.action().label().startsWith("login_"))
                .map(e -> e.action().label()).toList();
        assertEquals(List.of("login_throttled", "login_refused"), failures);
        // an unknown account answers exactly like a wrong password
        Client other = new Client();
        var unknown = other.send("POST", "/api/v1/session", json(Map.of("username", "nobody", "password", "whatever-123")),
                "X-Forwarded-For", "ignored");
        assertTrue(unknown.statusCode() == 401 || unknown.statusCode() == 429, unknown.body());
    }

    @Test
    @Order(6)
    void apiTokensServeMachineClientsAndAreHashedAtRest() throws Exception {
        var r = admin.change("POST", "/api/v1/tokens", json(Map.of("name", "grafana", "role", "viewer")));
        assertEquals(201, r.statusCode(), r.body());
        String token = JSON.readTree(r.body()).get("token").asText();
        String stored = gateway.store().user("token:grafana").orElseThrow().passwordHash();
        assertFalse(stored.contains(token.substring(token.indexOf('.') + 1)), "only a digest is stored");

        Client machine = new Client();
        machine.bearer = token;
        assertEquals(200, machine.send("GET", "/api/v1/devices", null).statusCode());
        var metrics = machine.send("GET", "/metrics", null);
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("lichen_web_sse_clients"), metrics.body());
        assertError(machine.send("POST", "/api/v1/devices/porch/reject", null), 403, null); // a viewer token
        // a token can't log in as a person
        assertError(new Client().send("POST", "/api/v1/session", json(Map.of("username", "token:grafana", "password", token))), 401, null);

        var adminToken = admin.change("POST", "/api/v1/tokens", json(Map.of("name", "ci", "role", "admin")));
        Client ci = new Client();
        ci.bearer = JSON.readTree(adminToken.body()).get("token").asText();
        // no CSRF for a bearer token: it is not an ambient credential a page could borrow
        assertError(ci.send("POST", "/api/v1/rules", "{}"), 400, "name");
        long id = JSON.readTree(adminToken.body()).get("id").asLong();
        // revoking the token also ends its open live stream
        var stream = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/live")).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + ci.bearer).build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        var lines = stream.body().iterator();
        assertEquals("event: hello", lines.next());
        assertEquals(204, admin.change("DELETE", "/api/v1/tokens/" + id, null).statusCode());
        var ended = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            while (lines.hasNext()) lines.next();
            return true;
        });
        assertTrue(ended.get(5, TimeUnit.SECONDS), "the stream ended");
        assertError(ci.send("GET", "/api/v1/devices", null), 401, null);
    }

    @Test
    @Order(7)
    void everyInputIsValidatedWithTheFieldNamed() throws Exception {
        assertError(admin.send("GET", "/api/v1/devices/BAD!", null), 400, "id");
        assertError(admin.send("GET", "/api/v1/devices?state=lost", null), 400, "state");
        assertError(admin.send("GET", "/api/v1/devices/ghost", null), 404, null);
        assertError(admin.change("POST", "/api/v1/devices/porch/adopt", json(Map.of("name", "x".repeat(65), "room", "Out"))), 400, "name");
        assertError(admin.change("POST", "/api/v1/devices/porch/adopt", json(Map.of("name", "Porch"))), 400, "room");
        assertError(admin.change("POST", "/api/v1/devices/porch/adopt", json(Map.of("name", "P", "room", "O", "x", 1))), 400, "x");
        assertError(admin.change("POST", "/api/v1/devices/porch/adopt", json(Map.of("name", "a\u0007b", "room", "O"))), 400, "name");
        assertError(admin.change("POST", "/api/v1/devices/porch/adopt", "[1,2]"), 400, null);
        assertError(admin.change("POST", "/api/v1/devices/porch/adopt", "{bad json"), 400, null);
        // readings of a device not adopted are held
        assertError(admin.send("GET", "/api/v1/devices/porch/channels/temperature/readings", null), 409, "id");
        assertEquals(200, admin.change("POST", "/api/v1/devices/porch/adopt", json(Map.of("name", "Porch", "room", "Outside"))).statusCode());
        String q = "/api/v1/devices/porch/channels/temperature/readings";
        assertError(admin.send("GET", q + "?from=yesterday", null), 400, "from");
        assertError(admin.send("GET", q + "?to=-5", null), 400, "to");
        assertError(admin.send("GET", q + "?from=1764100000000&to=1764000000000", null), 400, "from");
        assertError(admin.send("GET", q + "?resolution=5m", null), 400, "resolution");
        assertError(admin.send("GET", q + "?format=xml", null), 400, "format");
        assertError(admin.send("GET", q + "?from=1761400000000&to=1764000000000&resolution=raw", null), 400, "resolution");
        assertError(admin.send("GET", "/api/v1/devices/porch/channels/bad%20name/readings", null), 400, "channel");
        assertError(admin.send("GET", "/api/v1/devices/porch/channels/nothere/readings", null), 404, null);
        assertError(admin.send("GET", "/api/v1/rules/0", null), 400, "id");
        assertError(admin.send("GET", "/api/v1/rules/abc", null), 400, "id");
        assertError(admin.send("GET", "/api/v1/alerts?active=maybe", null), 400, "active");
        String rule = "{\"name\":\"r\",\"deviceId\":\"porch\",\"channel\":\"temperature\",\"op\":\"<\",\"threshold\":";
        assertError(admin.change("POST", "/api/v1/rules", rule + "\"cold\"}"), 400, "threshold");
        assertError(admin.change("POST", "/api/v1/rules", rule + "1,\"durationSeconds\":-1}"), 400, "durationSeconds");
        assertError(admin.change("POST", "/api/v1/rules", rule.replace("\"<\"", "\"~\"") + "1}"), 400, "op");
        assertError(admin.change("POST", "/api/v1/rules", rule.replace("temperature", "humidity") + "1}"), 400, "channel");
        assertError(admin.send("GET", "/api/v1/nothing", null), 404, null);
        // a body over the limit is refused before it is read
        assertError(admin.change("POST", "/api/v1/rules", "{\"name\":\"" + "x".repeat(200_000) + "\"}"), 413, null);
    }

    @Test
    @Order(8)
    void readingsComeAsJsonAndCsvAtTheAskedResolution() throws Exception {
        long now = System.currentTimeMillis();
        List<Reading> rs = new ArrayList<>();
        for (int i = 0; i < 120; i++) { // one a minute for two hours
            rs.add(new Reading("temperature", "Cel", new Value.Number(10 + i % 10), now - (120 - i) * 60_000L));
        }
        rs.add(new Reading("status", null, new Value.Text("=cmd|' /C calc'!A0"), now - 1000));
        ingest("porch", 1, rs);
        String q = "/api/v1/devices/porch/channels/temperature/readings?from=" + (now - 3 * 3_600_000L) + "&to=" + (now + 1);
        JsonNode raw = JSON.readTree(admin.send("GET", q, null).body());
        assertEquals("raw", raw.get("resolution").asText());
        assertEquals("Cel", raw.get("unit").asText());
        assertEquals(121, raw.get("time").size()); // 120 + the reading from the viewer test
        JsonNode hourly = JSON.readTree(admin.send("GET", q + "&resolution=1h", null).body());
        assertEquals("1h", hourly.get("resolution").asText());
        long count = 0;
        for (JsonNode c : hourly.get("count")) count += c.asLong();
        assertEquals(121, count);
        var csv = admin.send("GET", q + "&resolution=1m&format=csv", null);
        assertEquals(200, csv.statusCode());
        assertTrue(csv.headers().firstValue("Content-Type").orElseThrow().startsWith("text/csv"));
        assertTrue(csv.headers().firstValue("Content-Disposition").orElseThrow().contains("porch-temperature-1m.csv"));
        String[] lines = csv.body().split("\n");
        assertEquals("time,time_ms,min,max,mean,count", lines[0]);
        long csvCount = 0;
        for (int i = 1; i < lines.length; i++) csvCount += Long.parseLong(lines[i].substring(lines[i].lastIndexOf(',') + 1));
        assertEquals(121, csvCount, "every reading in exactly one minute bucket"); // 120 or 121 buckets, by the clock
        // week and month ranges come from hourly buckets
        assertEquals("1h", JSON.readTree(admin.send("GET", "/api/v1/devices/porch/channels/temperature/readings?from="
                + (now - 7 * 86_400_000L) + "&to=" + now, null).body()).get("resolution").asText());
        // an IPSO-style SenML name with slashes is a channel like any other
        ingest("porch", 400, List.of(new Reading("3303/0/5700", "Cel", new Value.Number(7.5), now - 1000)));
        JsonNode ipso = JSON.readTree(admin.send("GET", "/api/v1/devices/porch/channels/3303/0/5700/readings", null).body());
        assertEquals("3303/0/5700", ipso.get("channel").asText());
        assertEquals(7.5, ipso.get("mean").get(0).asDouble());
        var all = admin.send("GET", "/api/v1/devices/porch/readings?from=" + (now - 3 * 3_600_000L) + "&to=" + (now + 1) + "&format=csv", null);
        assertTrue(all.body().startsWith("time,time_ms,channel,unit,value,text\n"), all.body());
        assertTrue(all.body().contains(",status,,,'=cmd|' /C calc'!A0"), "a formula is defused: " + all.body());
    }

    @Test
    @Order(9)
    void liveEventsReachASubscribedClient() throws Exception {
        var req = HttpRequest.newBuilder(URI.create(base + "/api/v1/live"))
                .header("Accept", "text/event-stream")
                .header("Cookie", RequestGuard.SESSION_COOKIE + "=" + admin.cookie).build();
        HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(1000);
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) lines.offer(l);
            } catch (Exception ignored) {
                // closed at the end of the test
            }
        });
        try {
            assertEquals("event: hello", lines.poll(5, TimeUnit.SECONDS));
            ingest("porch", 500, List.of(new Reading("temperature", "Cel", new Value.Number(21.75), System.currentTimeMillis())));
            ingest("shed", 0, List.of(new Reading("temperature", "Cel", new Value.Number(99.5), System.currentTimeMillis())));
            String data = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                String l = lines.poll(100, TimeUnit.MILLISECONDS);
                if (l != null && l.equals("event: readings")) {
                    data = lines.poll(1, TimeUnit.SECONDS);
                    break;
                }
            }
            assertNotNull(data, "no readings event");
            JsonNode n = JSON.readTree(data.substring("data: ".length()));
            assertEquals("porch", n.get("deviceId").asText());
            assertEquals(21.75, n.get("readings").get(0).get("value").asDouble());
            // the new device "shed" announces itself, but its readings are held
            List<String> rest = new ArrayList<>();
            lines.drainTo(rest);
            Thread.sleep(300);
            lines.drainTo(rest);
            assertFalse(String.join("\n", rest).contains("99.5"), "held readings were streamed: " + rest);
        } finally {
            reader.interrupt();
            r.body().close();
        }
        // a browser that went away is noticed at the next event, and its subscription ends
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String gauge = "";
        for (int seq = 600; System.nanoTime() < deadline; seq++) {
            ingest("porch", seq, List.of(new Reading("temperature", "Cel", new Value.Number(20), System.currentTimeMillis())));
            gauge = admin.send("GET", "/metrics", null).body();
            if (gauge.contains("lichen_web_sse_clients 0\n")) break;
            Thread.sleep(100);
        }
        assertTrue(gauge.contains("lichen_web_sse_clients 0\n"), gauge);
    }

    @Test
    @Order(10)
    void securityHeadersOnPagesAndAnswers() throws Exception {
        for (String path : List.of("/", "/app.js", "/api/v1/health")) {
            var r = admin.send("GET", path, null);
            assertEquals(200, r.statusCode(), path);
            String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow(() -> new AssertionError(path));
            assertTrue(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElseThrow());
        }
        var page = admin.send("GET", "/", null);
        assertFalse(page.body().contains("<script>"), "no inline script");
        assertTrue(page.body().contains("/vendor/uPlot.iife.min.js"));
        var uplot = admin.send("GET", "/vendor/uPlot.iife.min.js", null);
        assertEquals(200, uplot.statusCode());
        assertTrue(uplot.body().contains("uPlot"));
        assertEquals(404, admin.send("GET", "/vendor/..%2Fopenapi.json", null).statusCode());
    }

    @Test
    @Order(11)
    void theOpenApiDescriptionMatchesTheRoutes() throws Exception {
        JsonNode doc = JSON.readTree(admin.send("GET", "/api/v1/openapi.json", null).body());
        assertTrue(doc.get("openapi").asText().startsWith("3."));
        Set<String> described = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
            var e = it.next();
            for (Iterator<String> m = e.getValue().fieldNames(); m.hasNext(); ) {
                described.add(m.next().toUpperCase() + " " + e.getKey());
            }
        }
        Set<String> registered = new TreeSet<>();
        for (String r : web.server().routes()) {
            String path = r.substring(r.indexOf(' ') + 1);
            if (path.startsWith("/api/") || path.equals("/metrics") || path.equals("/ca.crt")) registered.add(r.replaceAll("<(\\w+)>", "{$1}"));
        }
        assertEquals(registered, described);
        assertTrue(described.contains("GET /api/v1/echo"), "an extension's route is described too");
        // and an extension's API routes sit behind the same guard
        assertError(new Client().send("GET", "/api/v1/echo", null), 401, null);
        assertEquals("admin", admin.send("GET", "/api/v1/echo", null).body());
    }
}
