package dev.lichen.store.sdk;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.net.URI;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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

    /**
     * One call over the JDK's HttpURLConnection: for a few small requests to loopback it starts
     * much faster in a cold JVM than java.net.http.HttpClient (fewer classes, no selector thread).
     */
    private byte[] call(String method, String path, byte[] body) throws IOException {
        var c = (HttpURLConnection) base.resolve(path).toURL().openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(3000);
        c.setReadTimeout(10_000);
        c.setRequestProperty("Authorization", "Bearer " + token);
        if (body != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        }
        int status = c.getResponseCode();
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            byte[] answer = in == null ? new byte[0] : in.readAllBytes();
            if (status >= 300) throw new Refused(status, new String(answer, StandardCharsets.UTF_8));
            return answer;
        }
    }

    /** Parses one of each answer type, so Jackson's introspection is done before the first real call. */
    static void warmUp() {
        try {
            Json.MAPPER.readValue("[{\"device\":\"d\",\"channel\":\"c\",\"room\":\"r\",\"unit\":\"u\"}]", new TypeReference<List<Channel>>() {});
            Json.MAPPER.readValue("[{\"t\":1,\"v\":1.5}]", new TypeReference<List<Sample>>() {});
            Json.MAPPER.readValue("{\"device\":\"d\",\"channel\":\"c\",\"room\":\"r\",\"unit\":\"u\",\"t\":1,\"v\":1}", Reading.class);
            Json.write(Map.of("key", "k"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
