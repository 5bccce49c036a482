package dev.lichen.gateway.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.live.LiveBus;
import dev.lichen.gateway.metrics.Metrics;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.web.api.AccountApi;
import dev.lichen.gateway.web.api.AlertApi;
import dev.lichen.gateway.web.api.DeviceApi;
import dev.lichen.gateway.web.api.LiveApi;
import dev.lichen.gateway.web.auth.Authenticator;
import dev.lichen.gateway.web.auth.PasswordHasher;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.tls.GatewayCa;
import io.javalin.Javalin;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's HTTP face: the web UI (static files from the jar, uPlot from its WebJar), the
 * REST API under /api/v1, live updates as server-sent events, /metrics and the OpenAPI text.
 */
public final class WebServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WebServer.class.getName());
    /** JSON bodies are small forms; anything bigger is refused before it is read. */
    static final long MAX_BODY = 64 * 1024;
    private static final java.util.Set<String> HTTP_METHODS = java.util.Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    private final Javalin app;
    private final LiveApi live;
    private final String host;
    private final int port;
    private final byte[] openApi;
    private final List<WebExtension> extensions;
    private final RequestGuard guard;
    private final GatewayCa tls;
    private final boolean httpsWanted;
    /** The connectors this server listens on, when https is on (else Javalin's own plain one). */
    private volatile ServerConnector httpsConnector, redirectConnector;

    /** Serves the gateway's store, live bus, metrics and alert engine on plain http at host:port (0: any free port). */
    public WebServer(Gateway gateway, Clock clock, PasswordHasher hasher, String host, int port) {
        this(gateway, clock, hasher, host, port, GatewayConfig.HTTPS_OFF, List.of());
    }

    /**
     * As above, also mounting the routes of {@code extensions} (the add-on host); with an
     * httpsPort (0: any free port) the UI and API are served there with the gateway CA's server
     * certificate and HSTS, and port only redirects to it.
     */
    public WebServer(Gateway gateway, Clock clock, PasswordHasher hasher, String host, int port, int httpsPort,
                     List<WebExtension> extensions) {
        this.extensions = List.copyOf(extensions);
        this.tls = gateway.tls();
        this.httpsWanted = httpsPort != GatewayConfig.HTTPS_OFF;
        Store store = gateway.store();
        LiveBus bus = gateway.liveBus();
        Metrics metrics = gateway.metrics();
        this.host = host;
        this.port = port;
        this.openApi = describe(resource("openapi.json"), this.extensions);
        ObjectMapper json = new ObjectMapper();
        Authenticator auth = new Authenticator(store, hasher, clock);
        var open = new java.util.HashMap<>(RequestGuard.CORE_OPEN);
        for (WebExtension x : this.extensions) {
            x.openRoutes().forEach((route, how) -> {
                if (open.putIfAbsent(route, how) != null) throw new IllegalStateException(route + " is opened twice");
            });
        }
        this.guard = new RequestGuard(auth, open);
        this.live = new LiveApi(bus, store, json);
        metrics.gauge("lichen_web_sse_clients", "Browsers subscribed to live updates", () -> live.clients());
        var audit = new dev.lichen.gateway.web.api.AuditApi(store, clock);
        var accounts = new AccountApi(auth, json, metrics, live, audit, tls.caFingerprint(), httpsWanted);
        var devices = new DeviceApi(store, gateway.deviceKeys(), gateway.deviceIdentities(), bus, json, clock, audit, gateway.pipeline()::link);
        var alerts = new AlertApi(store, gateway.alerts(), json, clock);
        var keys = new dev.lichen.gateway.web.api.KeyApi(gateway.deviceKeys(), clock, audit);
        var outputs = new dev.lichen.gateway.web.api.CommandApi(store, gateway.commands(), json, audit);
        var automations = new dev.lichen.gateway.web.api.AutomationApi(gateway.automations(), store, json);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.maxRequestSize = MAX_BODY;
            cfg.jsonMapper(new JavalinJackson(json, true));
            if (httpsWanted) {
                cfg.jetty.addConnector((server, http) -> httpsConnector = httpsConnector(server, http, host, httpsPort));
                cfg.jetty.addConnector((server, http) -> {
                    redirectConnector = new ServerConnector(server, new HttpConnectionFactory(http));
                    redirectConnector.setHost(host);
                    redirectConnector.setPort(port);
                    return redirectConnector;
                });
            }
            cfg.staticFiles.add(s -> {
                s.hostedPath = "/";
                s.directory = "/web";
                s.location = Location.CLASSPATH;
            });
            // the guard runs on the route the router matched, whatever the request's spelling of it
            cfg.router.handlerWrapper(endpoint -> {
                if (!endpoint.method.isHttpMethod()) return endpoint.handler;
                String route = endpoint.method.name() + " " + endpoint.path;
                return ctx -> {
                    guard.check(ctx, route);
                    endpoint.handler.handle(ctx);
                };
            });
            var r = cfg.routes;
            // with https on, plain http answers nothing but the way there
            if (httpsWanted) r.before(this::redirectToHttps);
            r.before(RequestGuard::securityHeaders);
            // Javalin answers HEAD for a GET route itself, before any handler: the guard runs for it here
            r.before(ctx -> {
                if (ctx.method() != io.javalin.http.HandlerType.HEAD) return;
                var get = cfg.unsafe.internalRouter.findFirstHttpHandlerEntry(io.javalin.http.HandlerType.GET, ctx.path());
                if (get != null) guard.checkHead(ctx, "GET " + get.endpoint.path);
            });
            accounts.register(r);
            devices.register(r);
            alerts.register(r);
            keys.register(r);
            outputs.register(r);
            automations.register(r);
            audit.register(r);
            live.register(r);
            WebExtension.Auth extAuth = RequestGuard::maybePrincipal;
            for (WebExtension x : this.extensions) x.register(r, extAuth);
            r.get("/api/v1/health", ctx -> ctx.json(Map.of("status", "ok", "database", store.dialect())));
            r.get("/api/v1/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
            r.get("/vendor/{file}", WebServer::vendor);
            r.get("/ca.crt", ctx -> {
                ctx.contentType("application/x-pem-file");
                ctx.header("Content-Disposition", "attachment; filename=\"lichen-gateway-ca.crt\"");
                ctx.result(tls.caPem());
            });
            r.get("/metrics", ctx -> ctx.contentType(Metrics.CONTENT_TYPE).result(metrics.render()));
            r.exception(ApiError.class, (e, ctx) -> error(ctx, e.status(), e.field(), e.getMessage()));
            r.exception(io.javalin.http.HttpResponseException.class, (e, ctx) ->
                    error(ctx, e.getStatus(), null, e.getStatus() == 413
                            ? "the body is larger than " + MAX_BODY + " bytes" : e.getMessage()));
            r.exception(Exception.class, (e, ctx) -> {
                LOG.log(System.Logger.Level.ERROR, "request " + ctx.method() + " " + ctx.path() + " failed", e);
                error(ctx, 500, null, "internal error: see the gateway's log");
            });
            r.error(404, ctx -> {
                if (ctx.path().regionMatches(true, 0, "/api/", 0, 5)) {
                    error(ctx, 404, null, "no such API route: see /api/v1/openapi.json");
                }
            });
        });
        // an opened route that is not registered is a typo that would leave the real one closed or the list stale
        var registered = java.util.Set.copyOf(routes());
        for (String route : open.keySet()) {
            if (!registered.contains(route)) throw new IllegalStateException("the open route " + route + " is not registered");
        }
    }

    private ServerConnector httpsConnector(org.eclipse.jetty.server.Server server, HttpConfiguration http, String host, int port) {
        var secure = new HttpConfiguration(http);
        var customizer = new SecureRequestCustomizer();
        // a Pi is reached by whatever name or address the home gives it; the certificate names them all it knew at start
        customizer.setSniHostCheck(false);
        secure.addCustomizer(customizer);
        var ssl = new SslContextFactory.Server();
        char[] pw = java.util.UUID.randomUUID().toString().toCharArray(); // the key store lives in memory only
        ssl.setKeyStore(tls.serverKeyStore(pw));
        ssl.setKeyStorePassword(new String(pw));
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        ServerConnector c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(secure));
        c.setHost(host);
        c.setPort(port);
        return c;
    }

    /** Redirects a plain-http request to the same path on https (308 keeps the method and body). */
    private void redirectToHttps(Context ctx) {
        if (ctx.req().isSecure()) return;
        String local = ctx.req().getLocalAddr();
        String fallback = local == null ? "localhost" : local.contains(":") ? "[" + local.replaceAll("%.*$", "") + "]" : local;
        String target = "https://" + hostForRedirect(ctx.header("Host"), fallback) + ":" + httpsPort() + ctx.path()
                + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
        ctx.header("Location", target).status(308).result("");
        ctx.skipRemainingHandlers();
    }

    /**
     * The host part of a Host header, when it is a plain host name or address; else (missing, or
     * anything a header injection could use) the address the request came in on.
     */
    static String hostForRedirect(String header, String fallback) {
        if (header == null) return fallback;
        String h = header.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            boolean port = h.substring(end + 1).matches("(:[0-9]{1,5})?");
            if (end > 1 && port && h.substring(1, end).matches("[0-9A-Fa-f:.]+")) return h.substring(0, end + 1);
            return fallback;
        }
        int colon = h.indexOf(':');
        if (colon >= 0) h = h.substring(0, colon);
        return h.matches("[A-Za-z0-9.-]{1,253}") ? h : fallback;
    }

    /** uPlot from its WebJar, under a path that does not change with the WebJar's version. */
    private static void vendor(Context ctx) {
        String file = ctx.pathParam("file");
        if (!VENDOR.contains(file)) {
            throw ApiError.notFound(file);
        }
        String version = uplotVersion();
        InputStream in = WebServer.class.getResourceAsStream("/META-INF/resources/webjars/uplot/" + version + "/dist/" + file);
        if (in == null) {
            throw ApiError.notFound(file);
        }
        ctx.contentType(file.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
        ctx.header("Cache-Control", "public, max-age=86400");
        ctx.result(in);
    }

    private static final java.util.Set<String> VENDOR = java.util.Set.of("uPlot.iife.min.js", "uPlot.min.css");

    private static String uplotVersion() {
        try (InputStream in = WebServer.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            var p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the uPlot WebJar is missing from the class path", e);
        }
    }

    private static void error(Context ctx, int status, String field, String message) {
        var m = new LinkedHashMap<String, Object>();
        m.put("error", message);
        m.put("field", field);
        ctx.status(status).json(m);
    }

    public WebServer start() {
        app.start(host, port);
        for (WebExtension x : extensions) x.started(port());
        return this;
    }

    /** The port the UI and API are served on: https's when it is on, else http's (the OS's choice when asked for 0). */
    public int port() {
        return httpsWanted ? httpsPort() : app.port();
    }

    /** The bound https port, or -1 when the UI is on plain http. */
    public int httpsPort() {
        return httpsConnector == null ? -1 : httpsConnector.getLocalPort();
    }

    /** The bound plain http port: the UI's when https is off, else the one that redirects. */
    public int httpPort() {
        return redirectConnector == null ? app.port() : redirectConnector.getLocalPort();
    }

    /** Whether the UI and API are served over https. */
    public boolean https() {
        return httpsWanted;
    }

    /** The routes open without a session, and how (the guard's one table). */
    public java.util.Map<String, RequestGuard.Open> openRoutes() {
        return guard.open();
    }

    /** Every registered HTTP route as "METHOD /path", for the OpenAPI conformance and access tests. */
    public List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(e -> e.endpoint.method.name() + " " + e.endpoint.path)
                .filter(s -> HTTP_METHODS.contains(s.substring(0, s.indexOf(' '))))
                .toList();
    }

    /** The API description: ours, with the paths and schemas extensions describe merged in. */
    static byte[] describe(byte[] base, List<WebExtension> extensions) {
        var mapper = new ObjectMapper();
        try {
            var doc = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(base);
            for (WebExtension x : extensions) {
                String fragment = x.openApi();
                if (fragment == null) {
                    continue;
                }
                var f = mapper.readTree(fragment);
                ((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("paths")).setAll(
                        (com.fasterxml.jackson.databind.node.ObjectNode) f.path("paths"));
                if (f.path("components").path("schemas").isObject()) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("components").get("schemas")).setAll(
                            (com.fasterxml.jackson.databind.node.ObjectNode) f.get("components").get("schemas"));
                }
            }
            return mapper.writeValueAsBytes(doc);
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("an OpenAPI description does not parse: " + e.getMessage(), e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = WebServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        live.close();
        app.stop();
    }
}
