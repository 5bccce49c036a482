package dev.lichen.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.web.RequestGuard;
import dev.lichen.gateway.web.WebComponent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The gateway's web API as the web UI calls it: anonymously, or in a session (its cookie, and its
 * CSRF token in a header). Bodies are JSON. Failures to connect are unchecked, so calls fit in
 * {@link Await#until} conditions.
 */
public final class Api {
    static final ObjectMapper JSON = new ObjectMapper();
    public final String base;
    private final HttpClient http = HttpClient.newHttpClient();

    public Api(String base) {
        this.base = base;
    }

    /** The API of a gateway started in this JVM with its web component. */
    public static Api of(Gateway gw) {
        return new Api("http://127.0.0.1:" + gw.components(WebComponent.class).getFirst().server().port());
    }

    /** A session: what a logged-in browser sends with each request. */
    public final class Session {
        public final String cookie;
        public final String csrf;

        Session(String cookie, String csrf) {
            this.cookie = cookie;
            this.csrf = csrf;
        }

        public HttpResponse<String> send(String method, String path, String body) {
            return Api.this.send(this, method, path, body);
        }

        /** The body of a GET that must answer 200. */
        public JsonNode get(String path) {
            var r = send("GET", path, null);
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            return read(r.body());
        }
    }

    /** An anonymous request. */
    public HttpResponse<String> send(String method, String path, String body) {
        return send(null, method, path, body);
    }

    /** Makes the first admin (201). */
    public void setup(String user, String password) {
        var r = send("POST", "/api/v1/setup", credentials(user, password));
        assertEquals(201, r.statusCode(), r.body());
    }

    /** Logs in (200): the session cookie and the CSRF token the answer carries. */
    public Session login(String user, String password) {
        var r = send("POST", "/api/v1/session", credentials(user, password));
        assertEquals(200, r.statusCode(), r.body());
        String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(RequestGuard.SESSION_COOKIE + "="))
                .findFirst().orElseThrow().split(";")[0].substring(RequestGuard.SESSION_COOKIE.length() + 1);
        return new Session(cookie, read(r.body()).get("csrfToken").asText());
    }

    public static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String credentials(String user, String password) {
        return JSON.createObjectNode().put("username", user).put("password", password).toString();
    }

    private HttpResponse<String> send(Session s, String method, String path, String body) {
        var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (s != null) b.header("Cookie", RequestGuard.SESSION_COOKIE + "=" + s.cookie).header(RequestGuard.CSRF_HEADER, s.csrf);
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + method + " " + path, e);
        }
    }
}
