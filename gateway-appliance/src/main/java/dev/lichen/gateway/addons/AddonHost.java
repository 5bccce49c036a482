package dev.lichen.gateway.addons;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayComponent;
import dev.lichen.gateway.live.LiveBus;
import dev.lichen.gateway.live.LiveEvent;
import dev.lichen.gateway.web.RequestGuard;
import dev.lichen.gateway.web.WebExtension;
import dev.lichen.store.catalog.CatalogClient;
import dev.lichen.store.catalog.CatalogIndex;
import dev.lichen.store.pkg.Limits;
import dev.lichen.store.pkg.Manifest;
import dev.lichen.store.pkg.ManifestParser;
import dev.lichen.store.pkg.PackageException;
import dev.lichen.store.pkg.Permissions;
import dev.lichen.store.sdk.AddonContext;
import dev.lichen.store.sdk.AddonRuntime;
import dev.lichen.store.sdk.GatewayApi;
import dev.lichen.store.sdk.Json;
import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The add-on host inside the gateway: the stores it trusts, the add-ons installed (each in its own
 * folder, run as its own JVM by the {@link Supervisor}), the proxy for their pages, the scoped
 * add-on API, and the add-ons page. The web server mounts its routes via {@link #routes}.
 */
public final class AddonHost implements GatewayComponent, WebExtension {
    public static final String GATEWAY_VERSION = "0.1.0";
    private static final System.Logger LOG = System.getLogger(AddonHost.class.getName());

    /**
     * dir null: {@code <dataDir>/addons}. idle: how long an add-on runs without requests.
     * aotCache: make an AOT cache at install time (a training run) for fast starts.
     */
    public record Config(Path dir, Duration idle, Duration readyTimeout, boolean aotCache, Limits limits) {
        public static Config defaults() {
            return new Config(null, Duration.ofSeconds(60), Duration.ofSeconds(20), true, Limits.DEFAULT);
        }

        /** Settings an administrator may put in {@code <dataDir>/addons/host.json}; absent keys keep {@code base}'s. */
        record FileSettings(Long idleSeconds, Long readyTimeoutSeconds, Boolean aotCache, Long maxPackageMb) {}

        /** Reads host.json strictly (unknown keys are errors naming them). */
        public static Config load(Path file, Config base) throws IOException {
            if (!Files.exists(file)) return base;
            FileSettings f;
            try {
                f = ManifestParser.mapper().readValue(file.toFile(), FileSettings.class);
            } catch (IOException e) {
                throw new IOException(file + ": " + e.getMessage().lines().findFirst().orElse("unreadable")
                        + " (allowed keys: idleSeconds, readyTimeoutSeconds, aotCache, maxPackageMb)", e);
            }
            var c = base;
            if (f.idleSeconds() != null) c = c.withIdle(Duration.ofSeconds(Math.max(1, f.idleSeconds())));
            if (f.readyTimeoutSeconds() != null) c = new Config(c.dir(), c.idle(), Duration.ofSeconds(Math.max(1, f.readyTimeoutSeconds())), c.aotCache(), c.limits());
            if (f.aotCache() != null) c = c.withAotCache(f.aotCache());
            if (f.maxPackageMb() != null) c = c.withLimits(c.limits().withMaxPackageBytes(f.maxPackageMb() << 20));
            return c;
        }

        public Config withIdle(Duration d) {
            return new Config(dir, d, readyTimeout, aotCache, limits);
        }

        public Config withAotCache(boolean on) {
            return new Config(dir, idle, readyTimeout, on, limits);
        }

        public Config withLimits(Limits l) {
            return new Config(dir, idle, readyTimeout, aotCache, l);
        }
    }

    private Config config;
    private final Map<String, Manifest> manifests = new ConcurrentHashMap<>();
    private final Map<Long, InstallJob> jobs = new ConcurrentHashMap<>();
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private Path dir;
    private Gateway gateway;
    private TrustStore trust;
    private JsonFile<Map<String, Installed>> registryFile;
    private volatile Supervisor supervisor;
    private Isolation isolation;
    private AddonData data;
    private AddonProxy proxy;
    private Installer installer;
    private LiveBus.Subscription subscription;
    private Thread timers;
    /** Per add-on timer ("id path"), when it last fired (or when the add-on was activated). */
    private final Map<String, Long> timerLast = new ConcurrentHashMap<>();
    private volatile String apiUrl = "http://127.0.0.1:9/addon-api/v1/";

    /** With the defaults (found by ServiceLoader). */
    public AddonHost() {
        this(Config.defaults());
    }

    public AddonHost(Config config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "addons";
    }

    @Override
    public void start(Gateway g) throws IOException {
        this.gateway = g;
        this.dir = config.dir() != null ? config.dir() : g.config().dataDir().resolve("addons");
        Files.createDirectories(dir);
        config = Config.load(dir.resolve("host.json"), config);
        trust = new TrustStore(dir.resolve("stores.json"));
        registryFile = new JsonFile<>(dir.resolve("installed.json"), new TypeReference<>() {}, Map.of());
        isolation = Isolation.detect(g.config().dataDir(), dir);
        isolation.lockDown();
        LOG.log(System.Logger.Level.INFO, "add-on isolation: " + isolation.describe());
        var sup = new Supervisor(config.idle(), config.readyTimeout(), isolation);
        data = new AddonData(g);
        proxy = new AddonProxy(this);
        installer = new Installer(this);
        supervisor = sup;
        for (Installed i : registryFile.read().values()) {
            try {
                activate(i, manifest(i));
            } catch (PackageException | UncheckedIOException e) {
                LOG.log(System.Logger.Level.ERROR, "installed add-on " + i.id() + " is damaged: " + e.getMessage());
            }
        }
        subscription = g.liveBus().subscribe(this::onLive);
        timers = Thread.ofVirtual().name("addon-timers").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    return;
                }
                fireTimers(System.currentTimeMillis());
            }
        });
    }

    @Override
    public void register(RoutesConfig r, WebExtension.Auth auth) {
        routes(r, new Access() {
            @Override
            public boolean user(io.javalin.http.Context ctx) {
                return auth.principal(ctx).isPresent();
            }

            @Override
            public boolean admin(io.javalin.http.Context ctx) {
                return auth.principal(ctx).map(p -> p.isAdmin()).orElse(false);
            }
        });
    }

    /**
     * The add-ons page's own files are public like the UI's; the add-on API checks the add-on's
     * bearer token and an add-on's pages check the session or the manifest's public paths.
     */
    @Override
    public Map<String, RequestGuard.Open> openRoutes() {
        var open = new java.util.LinkedHashMap<String, RequestGuard.Open>();
        for (String page : List.of("/addons", "/addons/addons.js", "/addons/addons.css")) open.put("GET " + page, RequestGuard.Open.PUBLIC);
        for (String r : List.of("GET /addon-api/v1/channels", "GET /addon-api/v1/readings", "POST /addon-api/v1/alerts",
                "POST /addon-api/v1/readings", "GET /apps/{id}/<rest>", "POST /apps/{id}/<rest>", "GET /apps/{id}/", "POST /apps/{id}/")) {
            open.put(r, RequestGuard.Open.SELF_CHECKED);
        }
        return open;
    }

    /** The admin API of add-ons, merged into the gateway's /api/v1/openapi.json. */
    @Override
    public String openApi() {
        try (var in = AddonHost.class.getResourceAsStream("openapi.json")) {
            if (in == null) throw new IllegalStateException("dev/lichen/gateway/addons/openapi.json is missing from the jar");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void started(int port) {
        httpPort(port);
    }

    /** False until {@link #start} ran (the web server may serve before the add-on host is up). */
    boolean ready() {
        return supervisor != null;
    }

    /** Tells the host where the gateway's HTTP server listens, so add-ons can reach the add-on API on loopback. */
    public void httpPort(int port) {
        apiUrl = "http://127.0.0.1:" + port + "/addon-api/v1/";
    }

    /** Mounts /addons (the page), /api/v1/addons/..., /apps/{id}/... and /addon-api/v1/... */
    public void routes(RoutesConfig r, Access access) {
        new AddonApi(this).register(r);
        new AddonsAdmin(this, access).register(r);
    }

    // ---- for the installer, the admin API and the add-on API ----

    Config config() {
        return config;
    }

    TrustStore trust() {
        return trust;
    }

    Supervisor supervisor() {
        return supervisor;
    }

    AddonData data() {
        return data;
    }

    AddonProxy proxy() {
        return proxy;
    }

    Isolation isolation() {
        return isolation;
    }

    /** How this add-on is kept apart from the gateway and the others, in words for its card. */
    String isolationFor(Installed i) {
        if (!isolation.active()) return isolation.describe();
        String net = !isolation.ownNetwork() ? "" : i.grant().network()
                ? " It may use the network (granted)." : " Its network reaches only the gateway's web server.";
        return "Runs as a user of its own (uid " + isolation.uid(i.id()) + "), without privileges; it can read only its own folder." + net;
    }

    Path addonDir(String id) {
        return dir.resolve(id);
    }

    Map<Long, InstallJob> jobs() {
        return jobs;
    }

    /** The installed add-ons by id. */
    Map<String, Installed> installed() {
        return registryFile.read();
    }

    /** One installed add-on, or null. */
    Installed installed(String id) {
        return registryFile.read().get(id);
    }

    Manifest manifest(String id) {
        return manifests.get(id);
    }

    Manifest manifest(Installed i) throws PackageException {
        try {
            return ManifestParser.parse(Files.readAllBytes(addonDir(i.id()).resolve("versions").resolve(i.version()).resolve("manifest.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    LaunchSpec spec(Installed i, Manifest m, Path versionDir) {
        var env = new HashMap<String, String>();
        env.put(AddonContext.ENV_ID, i.id());
        env.put(AddonContext.ENV_TOKEN, i.token());
        env.put(AddonContext.ENV_GATEWAY, apiUrl);
        env.put(AddonContext.ENV_PROXY_SECRET, i.proxySecret());
        return new LaunchSpec(i.id(), versionDir, addonDir(i.id()).resolve("work"), m.entryPoint(), m.memoryMb(), versionDir.resolve("app.aot"), env,
                i.grant().network());
    }

    /** Records {@code i} as the installed version and tells the supervisor how to start it. */
    synchronized void activate(Installed i, Manifest m) {
        var all = new HashMap<>(registryFile.read());
        all.put(i.id(), i);
        registryFile.write(all);
        manifests.put(i.id(), m);
        long now = System.currentTimeMillis();
        for (var t : m.timers()) timerLast.putIfAbsent(i.id() + " " + t.path(), now);
        supervisor.configure(spec(i, m, addonDir(i.id()).resolve("versions").resolve(i.version())));
        if (m.permissions().raiseAlerts() || m.permissions().publishReadings()) data.ensureDevice(i.id(), m.name());
    }

    /** Starts the add-on and asks its /healthz; null when healthy, else what went wrong. */
    String healthCheck(String id) {
        try {
            var a = proxy.forward(id, "GET", "/healthz", new byte[0], Map.of());
            return a.status() == 200 ? null : "its health check answered HTTP " + a.status();
        } catch (Supervisor.Unavailable e) {
            return e.getMessage();
        }
    }

    /** Removes an add-on entirely: process, files, grant, token, its own device and alerts. */
    synchronized void forget(String id) {
        supervisor.remove(id);
        manifests.remove(id);
        var all = new HashMap<>(registryFile.read());
        all.remove(id);
        registryFile.write(all);
        Installer.deleteTree(addonDir(id));
        isolation.release(id);
        timerLast.keySet().removeIf(k -> k.startsWith(id + " "));
        data.forget(id);
    }

    /** Starts an install or update job in the background; refusals that need no download come back at once. */
    InstallJob install(String storeUrl, String id, String version, Permissions grant) throws AddonApiException {
        var store = trust.store(storeUrl).orElseThrow(() -> new AddonApiException(400, "store " + storeUrl + " is not listed; add it first"));
        if (!store.trusted()) throw new AddonApiException(403, "store " + storeUrl + " is not trusted: accept its key fingerprint first");
        CatalogIndex index;
        try {
            index = new CatalogClient().index(storeUrl);
        } catch (IOException e) {
            throw new AddonApiException(502, e.getMessage());
        }
        if (!index.fingerprint().equals(store.acceptedFingerprint())) {
            throw new AddonApiException(403, "store " + storeUrl + " now offers another publisher key (" + index.fingerprint()
                    + ") than the one accepted; accept it again only if you expected the change");
        }
        var entry = index.entry(id).orElseThrow(() -> new AddonApiException(404, "store " + storeUrl + " has no add-on '" + id + "'"));
        var v = version == null ? entry.latest() : entry.version(version)
                .orElseThrow(() -> new AddonApiException(404, id + " has no version " + version + " in store " + storeUrl));
        if (!busy.add(id)) throw new AddonApiException(409, id + " is being installed already");
        var job = new InstallJob(id, v.version(), v.size());
        jobs.put(job.id, job);
        Thread.ofVirtual().name("install-" + id).start(() -> {
            try {
                installer.run(job, storeUrl, entry, v, grant);
            } finally {
                busy.remove(id);
            }
        });
        return job;
    }

    void uninstall(String id) throws AddonApiException {
        if (registryFile.read().get(id) == null) throw new AddonApiException(404, "no add-on '" + id + "' is installed");
        if (!busy.add(id)) throw new AddonApiException(409, id + " is being installed; wait for it to finish");
        try {
            forget(id);
        } finally {
            busy.remove(id);
        }
    }

    /**
     * Summons each add-on whose timer is due with a POST to the timer's path (the answer goes to
     * its log). Returns the timers fired, as "id path".
     */
    java.util.List<String> fireTimers(long now) {
        var fired = new java.util.ArrayList<String>();
        for (Installed i : registryFile.read().values()) {
            Manifest m = manifests.get(i.id());
            if (m == null) continue;
            for (var t : m.timers()) {
                String key = i.id() + " " + t.path();
                long last = timerLast.computeIfAbsent(key, k -> now);
                if (now - last < t.everyMinutes() * 60_000L) continue;
                timerLast.put(key, now);
                fired.add(key);
                Thread.ofVirtual().start(() -> {
                    try {
                        var a = proxy.forward(i.id(), "POST", "/" + t.path(), new byte[0], Map.of());
                        String said = new String(a.body(), java.nio.charset.StandardCharsets.UTF_8).strip();
                        supervisor.note(i.id(), "timer " + t.path() + ": HTTP " + a.status() + " " + said.substring(0, Math.min(200, said.length())));
                    } catch (Supervisor.Unavailable ex) {
                        LOG.log(System.Logger.Level.WARNING, "timer " + key + " could not summon " + i.id() + ": " + ex.getMessage());
                    }
                });
            }
        }
        return fired;
    }

    /** Readings of subscribed channels summon the add-ons that asked for them. */
    private void onLive(LiveEvent e) {
        if (!(e instanceof LiveEvent.Readings r) || !r.adopted() || r.deviceId().startsWith(AddonData.DEVICE_PREFIX)) return;
        for (Installed i : registryFile.read().values()) {
            Manifest m = manifests.get(i.id());
            if (m == null || m.subscribe().isEmpty()) continue;
            for (var sr : r.readings()) {
                if (sr.value() == null || !m.subscribe().contains(sr.channel()) || !data.may(i.grant(), sr.deviceId(), sr.channel())) continue;
                var reading = new GatewayApi.Reading(sr.deviceId(), sr.channel(), data.room(sr.deviceId()), "", sr.timeMillis(), sr.value());
                Thread.ofVirtual().start(() -> {
                    try {
                        proxy.forward(i.id(), "POST", AddonRuntime.READING_PATH, Json.write(reading), Map.of("content-type", "application/json"));
                    } catch (Supervisor.Unavailable ex) {
                        LOG.log(System.Logger.Level.WARNING, "could not hand a reading to " + i.id() + ": " + ex.getMessage());
                    }
                });
            }
        }
    }

    @Override
    public void close() {
        if (timers != null) timers.interrupt();
        if (subscription != null) subscription.close();
        if (supervisor != null) supervisor.close();
    }
}
