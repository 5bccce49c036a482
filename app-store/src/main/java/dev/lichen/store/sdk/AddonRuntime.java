package dev.lichen.store.sdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Runs an add-on: the JDK's HTTP server on a loopback port the OS picks (fast to start, no
 * dependencies), then one line {@code LICHEN-READY port=N} on stdout, which is how the gateway's
 * supervisor knows it may forward the waiting request.
 */
public final class AddonRuntime {
    public static final String READY = "LICHEN-READY port=";
    public static final String PROXY_HEADER = "X-Lichen-Proxy";
    public static final String READING_PATH = "/_lichen/reading";
    /** Response header asking the supervisor not to stop this add-on for that many more seconds. */
    public static final String STAY_AWAKE_HEADER = "X-Lichen-Stay-Awake";
    private static volatile long awakeUntil;

    /** Asks the gateway to keep this add-on running for {@code seconds} although no request comes (e.g. a timer). */
    public static void stayAwake(long seconds) {
        awakeUntil = Math.max(awakeUntil, System.currentTimeMillis() + seconds * 1000);
    }

    private AddonRuntime() {}

    public static void run(Addon addon) throws Exception {
        // initialise Jackson on the side while the server starts: the first page needs it
        Thread.ofVirtual().start(GatewayApi::warmUp);
        var env = System.getenv();
        var ctx = AddonContext.fromEnv(env);
        String secret = env.getOrDefault(AddonContext.ENV_PROXY_SECRET, "");
        var routes = new Table();
        addon.start(ctx, routes);
        routes.post(READING_PATH, req -> {
            addon.onReading(ctx, Json.read(req.body(), GatewayApi.Reading.class));
            return Routes.Response.text(202, "ok");
        });
        routes.get("/healthz", req -> Routes.Response.text(200, "ok"));

        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> handle(ex, routes, secret, ctx.training()));
        server.start();
        int port = server.getAddress().getPort();
        if (ctx.training()) {
            train(port, routes);
            server.stop(0);
            System.exit(0);
        }
        System.out.println(READY + port);
        System.out.flush();
    }

    /** The AOT training run: exercise each page once so their classes land in the cache. */
    private static void train(int port, Table routes) {
        var http = HttpClient.newHttpClient();
        for (String path : routes.gets.keySet()) {
            try {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.discarding());
            } catch (IOException | InterruptedException e) {
                System.err.println("training request " + path + " failed: " + e);
            }
        }
    }

    private static void handle(HttpExchange ex, Table routes, String secret, boolean training) throws IOException {
        try (ex) {
            String given = ex.getRequestHeaders().getFirst(PROXY_HEADER);
            // only the gateway's proxy may talk to the add-on: other local programs lack the secret
            if (!training && !MessageDigest.isEqual(secret.getBytes(), given == null ? new byte[0] : given.getBytes())) {
                reply(ex, Routes.Response.text(403, "requests must come through the gateway"));
                return;
            }
            URI uri = ex.getRequestURI();
            String path = uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            var table = ex.getRequestMethod().equals("POST") ? routes.posts : ex.getRequestMethod().equals("GET") ? routes.gets : Map.<String, Routes.Handler>of();
            Routes.Handler h = table.get(path);
            if (h == null) {
                reply(ex, Routes.Response.text(404, "no page " + path));
                return;
            }
            byte[] body = ex.getRequestBody().readNBytes(1 << 20);
            var req = new Routes.Request(ex.getRequestMethod(), path, Http.parseQuery(uri.getRawQuery()), body,
                    ex.getRequestHeaders().getFirst("Content-Type"));
            Routes.Response resp;
            try {
                resp = h.handle(req);
            } catch (Exception e) {
                System.err.println(ex.getRequestMethod() + " " + path + " failed: " + e);
                resp = Routes.Response.text(500, "the add-on failed: " + e.getMessage());
            }
            reply(ex, resp);
        }
    }

    private static void reply(HttpExchange ex, Routes.Response r) throws IOException {
        ex.getResponseHeaders().set("Content-Type", r.contentType());
        long left = (awakeUntil - System.currentTimeMillis() + 999) / 1000;
        if (left > 0) ex.getResponseHeaders().set(STAY_AWAKE_HEADER, Long.toString(left));
        r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        if (r.body().length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        }
    }

    private static final class Table implements Routes {
        final Map<String, Handler> gets = new LinkedHashMap<>(), posts = new LinkedHashMap<>();

        @Override
        public Routes get(String path, Handler handler) {
            gets.put(path, handler);
            return this;
        }

        @Override
        public Routes post(String path, Handler handler) {
            posts.put(path, handler);
            return this;
        }
    }
}
