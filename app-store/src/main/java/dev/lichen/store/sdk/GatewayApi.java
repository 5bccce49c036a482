package dev.lichen.store.sdk;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The gateway's add-on API as seen from an add-on: only what its grant allows, with the bearer
 * token the gateway gave it. A call outside the grant throws {@link Refused} (HTTP 403).
 */
public final class GatewayApi {
    /** A channel the add-on may read: a device's channel in a room. */
    public record Channel(String device, String channel, String room, String unit) {}

    /** One reading of a channel; booleans come as 1 and 0. */
    public record Sample(long t, double v) {}

    /** A reading pushed to a subscribed add-on. */
    public record Reading(String device, String channel, String room, String unit, long t, double v) {}

    /** The gateway said no (HTTP status and its message). */
    public static final class Refused extends IOException {
        private final int status;

        public Refused(int status, String message) {
            super("gateway refused (HTTP " + status + "): " + message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final URI base;
    private final String token;
    // built on another thread while the add-on starts its server: a cold HttpClient costs tens of ms
    private final java.util.concurrent.CompletableFuture<HttpClient> http = java.util.concurrent.CompletableFuture.supplyAsync(
            () -> HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build(), r -> Thread.ofVirtual().start(r));

    public GatewayApi(String baseUrl, String token) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.token = token;
    }

    public List<Channel> channels() throws IOException {
        return Json.MAPPER.readValue(call("GET", "channels", null), new TypeReference<List<Channel>>() {});
    }

    public List<Sample> readings(String device, String channel, long sinceMillis) throws IOException {
        String q = "readings?device=" + enc(device) + "&channel=" + enc(channel) + "&since=" + sinceMillis;
        return Json.MAPPER.readValue(call("GET", q, null), new TypeReference<List<Sample>>() {});
    }

    /** Raises (or refreshes) an alert; the same key replaces an earlier alert of this add-on. */
    public void raiseAlert(String key, String message) throws IOException {
        call("POST", "alerts", Json.write(Map.of("key", key, "message", message)));
    }

    /** Publishes a derived reading, e.g. days until a plant is dry, under the add-on's own device. */
    public void publish(String channel, String unit, double value) throws IOException {
        call("POST", "readings", Json.write(Map.of("channel", channel, "unit", unit, "value", value)));
    }

    private byte[] call(String method, String path, byte[] body) throws IOException {
        var rb = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token);
        rb = body == null ? rb.method(method, HttpRequest.BodyPublishers.noBody())
                : rb.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> r;
        try {
            r = http.join().send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (r.statusCode() >= 300) throw new Refused(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return r.body();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
