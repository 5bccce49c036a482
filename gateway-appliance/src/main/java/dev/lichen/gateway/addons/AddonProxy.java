package dev.lichen.gateway.addons;

import dev.lichen.store.sdk.AddonRuntime;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

/**
 * Serves {@code /apps/{id}/...} by forwarding to the add-on's own server on loopback, summoning
 * the add-on first when it is not running: the first request waits and is answered by the new process.
 */
final class AddonProxy {
    private static final Set<String> REQUEST_HEADERS = Set.of("content-type", "accept", "accept-language");
    private static final long MAX_BODY = 1 << 20;
    private final AddonHost host;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();

    AddonProxy(AddonHost host) {
        this.host = host;
    }

    /** The add-on's answer to one request: status, headers kept, body. */
    record Answer(int status, String contentType, String location, byte[] body, long stayAwake) {}

    void handle(Context ctx, String id, String subPath) {
        byte[] body = ctx.bodyAsBytes();
        if (body.length > MAX_BODY) {
            ctx.status(413).result("request body over " + MAX_BODY + " bytes");
            return;
        }
        var headers = new java.util.LinkedHashMap<String, String>();
        for (String h : REQUEST_HEADERS) {
            String v = ctx.header(h);
            if (v != null) headers.put(h, v);
        }
        Answer a;
        try {
            a = forward(id, ctx.method().name(), "/" + subPath + (ctx.queryString() == null ? "" : "?" + ctx.queryString()), body, headers);
        } catch (Supervisor.Unavailable e) {
            ctx.status(503).contentType("text/plain; charset=utf-8").result("The add-on could not be started: " + e.getMessage());
            return;
        }
        ctx.status(a.status());
        if (a.contentType() != null) ctx.contentType(a.contentType());
        if (a.location() != null && !a.location().contains("://")) ctx.header("Location", a.location());
        ctx.result(a.body());
    }

    /** Forwards one request, summoning the add-on when needed. */
    Answer forward(String id, String method, String pathAndQuery, byte[] body, java.util.Map<String, String> headers) throws Supervisor.Unavailable {
        var supervisor = host.supervisor();
        supervisor.begin(id);
        long awake = 0;
        try {
            for (int attempt = 0; ; attempt++) {
                int port = supervisor.summon(id);
                var rb = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(Duration.ofSeconds(30))
                        .header(AddonRuntime.PROXY_HEADER, host.installed(id).proxySecret())
                        .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
                headers.forEach(rb::header);
                try {
                    var r = http.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
                    awake = r.headers().firstValueAsLong(AddonRuntime.STAY_AWAKE_HEADER).orElse(0);
                    return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null),
                            r.headers().firstValue("Location").orElse(null), r.body(), awake);
                } catch (ConnectException e) {
                    // it stopped between summon and send (idle stop or a crash): summon once more
                    if (attempt > 0) throw new Supervisor.Unavailable(id + " refused the connection: " + e.getMessage());
                } catch (IOException e) {
                    throw new Supervisor.Unavailable(id + " did not answer: " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Supervisor.Unavailable("interrupted");
                }
            }
        } finally {
            supervisor.end(id, awake);
        }
    }
}
