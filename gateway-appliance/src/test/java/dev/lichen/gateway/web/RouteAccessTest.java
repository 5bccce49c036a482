package dev.lichen.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.addons.AddonHost;
import dev.lichen.gateway.web.auth.PasswordHasher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deny by default, as an attacker without a session sees it: every route the web server has
 * (the gateway's and the add-on host's), in every spelling a router or servlet container might
 * resolve to it, answers the guard's 401 or a refusal from before any handler (Jetty's 400, the
 * router's 404), unless the one open list names it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteAccessTest {
    static final String GUARD_401 = "log in first (session cookie) or send Authorization: Bearer <token>";
    static final String ROUTER_404 = "no such API route: see /api/v1/openapi.json";

    @TempDir
    static Path dir;
    Gateway gateway;
    WebComponent web;
    String cookie;

    record Answer(int status, String body) {}

    @BeforeAll
    void start() throws Exception {
        web = new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS));
        gateway = Gateway.start(GatewayConfig.forTest(dir), List.of(new AddonHost(), web));
        var setup = send("POST", "/api/v1/setup", "{\"username\":\"admin\",\"password\":\"correct horse battery\"}", null);
        assertEquals(201, setup.status(), setup.body());
    }

    @AfterAll
    void stop() {
        if (gateway != null) gateway.close();
    }

    @Test
    void theOpenListIsShortAndExplicit() {
        var open = new TreeMap<>(web.server().openRoutes());
        assertEquals(new TreeMap<>(Map.ofEntries(
                Map.entry("GET /api/v1/setup", RequestGuard.Open.PUBLIC),
                Map.entry("POST /api/v1/setup", RequestGuard.Open.PUBLIC),
                Map.entry("POST /api/v1/session", RequestGuard.Open.PUBLIC),
                Map.entry("GET /api/v1/health", RequestGuard.Open.PUBLIC),
                Map.entry("GET /api/v1/openapi.json", RequestGuard.Open.PUBLIC),
                Map.entry("GET /vendor/{file}", RequestGuard.Open.PUBLIC),
                Map.entry("GET /ca.crt", RequestGuard.Open.PUBLIC),
                Map.entry("GET /addons", RequestGuard.Open.PUBLIC),
                Map.entry("GET /addons/addons.js", RequestGuard.Open.PUBLIC),
                Map.entry("GET /addons/addons.css", RequestGuard.Open.PUBLIC),
                Map.entry("GET /addon-api/v1/channels", RequestGuard.Open.SELF_CHECKED),
                Map.entry("GET /addon-api/v1/readings", RequestGuard.Open.SELF_CHECKED),
                Map.entry("POST /addon-api/v1/alerts", RequestGuard.Open.SELF_CHECKED),
                Map.entry("POST /addon-api/v1/readings", RequestGuard.Open.SELF_CHECKED),
                Map.entry("GET /apps/{id}/<rest>", RequestGuard.Open.SELF_CHECKED),
                Map.entry("POST /apps/{id}/<rest>", RequestGuard.Open.SELF_CHECKED),
                Map.entry("GET /apps/{id}/", RequestGuard.Open.SELF_CHECKED),
                Map.entry("POST /apps/{id}/", RequestGuard.Open.SELF_CHECKED))), open);
    }

    @Test
    void noSpellingOfAClosedRouteReachesItsHandler() throws Exception {
        var open = web.server().openRoutes();
        List<String> routes = web.server().routes();
        assertTrue(routes.size() > 40, "the walk covers the whole server: " + routes);
        int tried = 0;
        List<String> leaks = new ArrayList<>();
        for (String route : routes) {
            String method = route.substring(0, route.indexOf(' '));
            String path = concrete(route.substring(route.indexOf(' ') + 1));
            RequestGuard.Open how = open.get(route);
            for (String spelling : spellings(path)) {
                for (String m : method.equals("GET") ? List.of("GET", "HEAD") : List.of(method)) {
                    Answer a = send(m, spelling, m.equals("GET") || m.equals("HEAD") ? null : "{}", null);
                    tried++;
                    String verdict = how == null ? closed(m, spelling, a) : how == RequestGuard.Open.SELF_CHECKED ? selfChecked(a) : null;
                    if (verdict != null) leaks.add(route + " as " + m + " " + spelling + ": " + a.status() + " " + verdict);
                }
            }
        }
        assertTrue(leaks.isEmpty(), tried + " requests, reached a handler unguarded:\n" + String.join("\n", leaks));
    }

    /** The spellings are not idle: with a session, several of them do resolve to the handler. */
    @Test
    void theRouterResolvesTheseSpellingsForASignedInCaller() throws Exception {
        Set<String> resolved = new TreeSet<>();
        for (String spelling : spellings("/metrics")) {
            Answer a = send("GET", spelling, null, cookie);
            if (a.status() == 200 && a.body().contains("lichen_web_sse_clients")) resolved.add(spelling);
            Answer anon = send("GET", spelling, null, null);
            assertTrue(anon.status() != 200 && !anon.body().contains("lichen_"), spelling + " without a session: " + anon);
        }
        assertTrue(resolved.containsAll(List.of("/metrics", "/metrics/", "/metrics?x=1")), "resolved: " + resolved);
    }

    /** Null when the answer came from before the handler; else what is wrong with it. */
    static String closed(String method, String spelling, Answer a) {
        return switch (a.status()) {
            case 401 -> method.equals("HEAD") || a.body().contains(GUARD_401) ? null : "a 401 that is not the guard's: " + a.body();
            case 403 -> a.body().contains("cross-origin") ? null : "a 403 that is not the guard's: " + a.body();
            case 400 -> null; // Jetty refused the URI before routing
            case 404 -> !lower(spelling).startsWith("/api/") || method.equals("HEAD") || a.body().contains(ROUTER_404)
                    ? null : "a handler's 404: " + a.body();
            default -> "answered without a session: " + a.body().lines().findFirst().orElse("");
        };
    }

    /** Self-checked routes (add-on token, add-on pages) refuse too, but in their own words. */
    static String selfChecked(Answer a) {
        return a.status() >= 200 && a.status() < 300 || a.status() >= 500 && a.status() != 503 ? "answered without credentials: " + a.body() : null;
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** A route's template with its parameters filled in. */
    static String concrete(String template) {
        return template.replaceAll("\\{[^}]+}", "x").replaceAll("<[^>]+>", "x/y");
    }

    /** The path as is, and the spellings a lenient router or servlet container may map to it. */
    static Set<String> spellings(String path) {
        var out = new LinkedHashSet<String>();
        out.add(path);
        out.add(path.endsWith("/") ? path.substring(0, path.length() - 1) : path + "/");
        out.add(path.toUpperCase(Locale.ROOT));
        int last = path.replaceAll("/+$", "").length() - 1;
        char c = path.charAt(last);
        out.add(path.substring(0, last) + String.format("%%%02X", (int) c) + path.substring(last + 1));
        out.add(path.substring(0, last) + String.format("%%%02x", (int) c) + path.substring(last + 1));
        out.add("/" + path);
        int second = path.indexOf('/', 1);
        if (second > 0) {
            out.add(path.substring(0, second) + "/" + path.substring(second));
            out.add(path.substring(0, second) + ";x" + path.substring(second));
            out.add(path.substring(0, second) + "/." + path.substring(second));
            out.add(path.substring(0, second) + "/z/.." + path.substring(second));
        }
        out.add(path + ";x");
        out.add(path + "?x=1");
        out.add(path + "#x");
        return out;
    }

    /** One HTTP/1.1 request with the path's bytes exactly as given (no client normalizes them). */
    Answer send(String method, String path, String body, String sessionCookie) throws IOException {
        try (Socket s = new Socket("127.0.0.1", web.port())) {
            s.setSoTimeout(10_000);
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            var head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + web.port() + "\r\nConnection: close\r\n");
            if (body != null) head.append("Content-Type: application/json\r\nContent-Length: ").append(b.length).append("\r\n");
            if (sessionCookie != null) head.append("Cookie: ").append(RequestGuard.SESSION_COOKIE).append('=').append(sessionCookie).append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(b);
            out.flush();
            String answer = readAll(s.getInputStream());
            int status = Integer.parseInt(answer.substring(9, 12));
            if (cookie == null && answer.contains("Set-Cookie: " + RequestGuard.SESSION_COOKIE + "=")) {
                int i = answer.indexOf("Set-Cookie: " + RequestGuard.SESSION_COOKIE + "=") + 12 + RequestGuard.SESSION_COOKIE.length() + 1;
                cookie = answer.substring(i, answer.indexOf(';', i));
            }
            int split = answer.indexOf("\r\n\r\n");
            return new Answer(status, split < 0 ? "" : answer.substring(split + 4));
        }
    }

    private static String readAll(InputStream in) throws IOException {
        var buf = new ByteArrayOutputStream();
        in.transferTo(buf);
        return buf.toString(StandardCharsets.UTF_8);
    }

}
