package dev.lichen.gateway.addons;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lichen.store.catalog.CatalogClient;
import dev.lichen.store.catalog.CatalogIndex;
import dev.lichen.store.pkg.Permissions;
import dev.lichen.gateway.web.RequestGuard;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For people: the add-ons page ({@code /addons}), its API under {@code /api/v1/addons}, and the
 * add-ons' own pages under {@code /apps/{id}/} (logged-in users; an add-on's declared public paths
 * are open, e.g. share's community endpoint that other gateways post to).
 */
final class AddonsAdmin {
    private final AddonHost host;
    private final Access access;
    private final CatalogClient catalog = new CatalogClient();

    AddonsAdmin(AddonHost host, Access access) {
        this.host = host;
        this.access = access;
    }

    record StoreBody(@JsonProperty(required = true) String url, String fingerprint) {}

    record InstallBody(@JsonProperty(required = true) String store, @JsonProperty(required = true) String id, String version,
                       @JsonProperty(required = true) Permissions grant) {}

    void register(RoutesConfig r) {
        r.get("/addons", ctx -> page(ctx, "addons.html", "text/html; charset=utf-8"));
        r.get("/addons/addons.js", ctx -> page(ctx, "addons.js", "text/javascript; charset=utf-8"));
        r.get("/addons/addons.css", ctx -> page(ctx, "addons.css", "text/css; charset=utf-8"));
        r.get("/api/v1/addons", ctx -> run(ctx, false, () -> ctx.json(installed())));
        r.get("/api/v1/addons/catalog", ctx -> run(ctx, false, () -> ctx.json(catalogs())));
        r.get("/api/v1/addons/icon", ctx -> run(ctx, false, () -> icon(ctx)));
        r.post("/api/v1/addons/stores", ctx -> run(ctx, true, () -> ctx.json(addStore(AddonApi.body(ctx, StoreBody.class)))));
        r.post("/api/v1/addons/stores/accept", ctx -> run(ctx, true, () -> {
            var b = AddonApi.body(ctx, StoreBody.class);
            try {
                ctx.json(host.trust().accept(b.url(), b.fingerprint() == null ? "" : b.fingerprint()));
            } catch (IllegalArgumentException e) {
                throw new AddonApiException(400, e.getMessage());
            }
        }));
        r.post("/api/v1/addons/install", ctx -> run(ctx, true, () -> {
            var b = AddonApi.body(ctx, InstallBody.class);
            ctx.status(202).json(host.install(b.store(), b.id(), b.version(), b.grant()).view());
        }));
        r.get("/api/v1/addons/jobs/{job}", ctx -> run(ctx, false, () -> {
            InstallJob j = host.jobs().get(Long.parseLong(ctx.pathParam("job").replaceAll("\\D", "0")));
            if (j == null) throw new AddonApiException(404, "no such install job");
            ctx.json(j.view());
        }));
        r.post("/api/v1/addons/{id}/uninstall", ctx -> run(ctx, true, () -> {
            host.uninstall(ctx.pathParam("id"));
            ctx.json(Map.of("uninstalled", ctx.pathParam("id")));
        }));
        r.post("/api/v1/addons/{id}/stop", ctx -> run(ctx, true, () -> {
            host.supervisor().stop(ctx.pathParam("id"), "stopped by an administrator");
            ctx.json(Map.of("stopped", ctx.pathParam("id")));
        }));
        for (var m : List.of("GET", "POST")) {
            io.javalin.http.Handler h = ctx -> app(ctx, ctx.pathParam("id"), ctx.pathParam("rest"));
            if (m.equals("GET")) r.get("/apps/{id}/<rest>", h); else r.post("/apps/{id}/<rest>", h);
        }
        r.get("/apps/{id}/", ctx -> app(ctx, ctx.pathParam("id"), ""));
        r.post("/apps/{id}/", ctx -> app(ctx, ctx.pathParam("id"), ""));
    }

    private void app(Context ctx, String id, String rest) {
        if (!host.ready()) {
            ctx.status(503).result("the add-on host is starting; retry in a moment");
            return;
        }
        var m = host.manifest(id);
        if (m == null || host.installed(id) == null) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("No add-on '" + id + "' is installed.");
            return;
        }
        if (rest.isEmpty() && !ctx.path().endsWith("/")) {
            ctx.redirect("/apps/" + id + "/"); // the add-on's relative links need the trailing slash
            return;
        }
        boolean isPublic = m.publicPaths().stream().anyMatch(rest::startsWith);
        if (!isPublic) {
            if (!access.user(ctx)) {
                ctx.status(401).contentType("text/plain; charset=utf-8").result("Log in to the gateway first.");
                return;
            }
            // a browser's cross-site form post to an add-on page is refused (CSRF)
            if (!ctx.method().name().equals("GET") && !RequestGuard.sameOrigin(ctx)) {
                ctx.status(403).contentType("text/plain; charset=utf-8").result("cross-origin request refused");
                return;
            }
        }
        host.proxy().handle(ctx, id, rest);
    }

    private List<Map<String, Object>> installed() {
        var out = new ArrayList<Map<String, Object>>();
        for (var i : host.installed().values().stream().sorted((a, b) -> a.id().compareTo(b.id())).toList()) {
            var m = host.manifest(i.id());
            var st = host.supervisor().status(i.id());
            var v = new LinkedHashMap<String, Object>();
            v.put("id", i.id());
            v.put("name", m == null ? i.id() : m.name());
            v.put("version", i.version());
            v.put("previousVersion", i.previousVersion());
            v.put("state", st.state().name().toLowerCase());
            v.put("pid", st.pid());
            v.put("rssMb", Math.round(st.rssKb() / 102.4) / 10.0);
            v.put("memoryMb", m == null ? 0 : m.memoryMb());
            v.put("lastError", st.lastError());
            v.put("isolation", host.isolationFor(i));
            v.put("note", i.note());
            v.put("log", st.log());
            v.put("permissions", i.grant().inPlainWords());
            v.put("pages", m == null ? List.of() : m.pages());
            v.put("alerts", host.data().openAlerts(i.id()));
            out.add(v);
        }
        return out;
    }

    private List<Map<String, Object>> catalogs() {
        var out = new ArrayList<Map<String, Object>>();
        for (var s : host.trust().stores()) {
            var v = new LinkedHashMap<String, Object>();
            v.put("url", s.url());
            v.put("name", s.name());
            v.put("fingerprint", s.offeredFingerprint());
            v.put("trusted", s.trusted());
            try {
                CatalogIndex index = catalog.index(s.url());
                if (!index.fingerprint().equals(s.offeredFingerprint())) {
                    v.put("trusted", false);
                    v.put("error", "this store now offers another key (" + index.fingerprint() + "); add it again to review it");
                }
                var pkgs = new ArrayList<Map<String, Object>>();
                for (var e : index.packages()) {
                    var latest = e.latest();
                    var p = new LinkedHashMap<String, Object>();
                    p.put("id", e.id());
                    p.put("name", e.name());
                    p.put("summary", e.summary());
                    p.put("description", e.description());
                    p.put("publisher", e.publisher());
                    p.put("version", latest.version());
                    p.put("versions", e.versions().stream().map(CatalogIndex.Version::version).toList());
                    p.put("size", latest.size());
                    p.put("memoryMb", latest.memoryMb());
                    p.put("permissions", latest.permissions());
                    p.put("permissionWords", latest.permissions().inPlainWords());
                    var inst = host.installed(e.id());
                    p.put("installed", inst == null ? null : inst.version());
                    pkgs.add(p);
                }
                v.put("packages", pkgs);
            } catch (IOException e) {
                v.put("error", e.getMessage());
                v.put("packages", List.of());
            }
            out.add(v);
        }
        return out;
    }

    private void icon(Context ctx) throws AddonApiException {
        String url = ctx.queryParam("store"), id = ctx.queryParam("id");
        var s = host.trust().store(url == null ? "" : url).orElseThrow(() -> new AddonApiException(404, "store not listed"));
        try {
            var e = catalog.index(s.url()).entry(id == null ? "" : id).orElseThrow(() -> new AddonApiException(404, "no such add-on"));
            byte[] img = catalog.media(s.url(), e.icon());
            ctx.contentType(e.icon().endsWith(".svg") ? "image/svg+xml" : e.icon().endsWith(".png") ? "image/png" : "application/octet-stream");
            ctx.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
            ctx.result(img);
        } catch (IOException e) {
            throw new AddonApiException(502, e.getMessage());
        }
    }

    private TrustStore.StoreEntry addStore(StoreBody b) throws AddonApiException {
        try {
            var index = catalog.index(b.url());
            return host.trust().add(b.url(), index.name(), index.fingerprint());
        } catch (IOException e) {
            throw new AddonApiException(502, "cannot read that store: " + e.getMessage());
        }
    }

    private void page(Context ctx, String file, String type) throws IOException {
        try (InputStream in = AddonsAdmin.class.getResourceAsStream("/dev/lichen/gateway/addons/ui/" + file)) {
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    interface Action {
        void run() throws AddonApiException, IOException;
    }

    private void run(Context ctx, boolean adminOnly, Action a) {
        ctx.header("Cache-Control", "no-store");
        try {
            if (!host.ready()) throw new AddonApiException(503, "the add-on host is starting; retry in a moment");
            if (!access.user(ctx)) throw new AddonApiException(401, "log in first");
            if (adminOnly && !access.admin(ctx)) throw new AddonApiException(403, "only an admin may change add-ons");
            a.run();
        } catch (AddonApiException e) {
            ctx.status(e.status()).json(Map.of("error", e.getMessage()));
        } catch (IOException e) {
            ctx.status(500).json(Map.of("error", e.getMessage()));
        }
    }
}
