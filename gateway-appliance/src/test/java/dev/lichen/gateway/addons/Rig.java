package dev.lichen.gateway.addons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.addons.fixtures.HogAddon;
import dev.lichen.gateway.ingest.IngestOutcome;
import dev.lichen.gateway.ingest.Protocol;
import dev.lichen.gateway.web.WebComponent;
import dev.lichen.gateway.web.auth.PasswordHasher;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import dev.lichen.store.addons.FirstParty;
import dev.lichen.store.catalog.Catalog;
import dev.lichen.store.catalog.CatalogIndex;
import dev.lichen.store.catalog.CatalogServer;
import dev.lichen.store.pkg.Keys;
import dev.lichen.store.pkg.Lapp;
import dev.lichen.store.pkg.LappCodec;
import dev.lichen.store.pkg.ManifestParser;
import dev.lichen.store.pkg.Packer;
import dev.lichen.store.pkg.Signing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** Test rigs: a real store server with a publisher key, and a real gateway (web + add-on host) with an admin session. */
final class Rig {
    static final ObjectMapper JSON = new ObjectMapper();

    private Rig() {}

    /** A store folder served by the real catalog server, signing with its own key. */
    static final class Store implements AutoCloseable {
        final KeyPair key = Keys.generate();
        final Path dir;
        final Catalog catalog;
        final CatalogServer server;

        Store(Path dir) throws Exception {
            this.dir = dir;
            catalog = new Catalog(dir);
            catalog.init("Test store", key.getPublic());
            server = new CatalogServer(dir, "127.0.0.1", 0);
        }

        String url() {
            return server.url();
        }

        String fingerprint() {
            return Keys.fingerprint(key.getPublic());
        }

        Lapp sign(Lapp unsigned) {
            return Signing.sign(unsigned, key.getPrivate(), key.getPublic());
        }

        /** Publishes a first-party add-on with manifest changes (version, entry point...). */
        void publish(String id, Map<String, Object> changes) throws Exception {
            ObjectNode m = FirstParty.manifest(id);
            changes.forEach((k, v) -> m.set(k, JSON.valueToTree(v)));
            catalog.publish(LappCodec.write(sign(FirstParty.pack(id, m))));
        }

        /**
         * Puts a package into the store as-is, bypassing the catalog's own checks (what a compromised
         * or careless store could serve): its index entry gets the file's true size and digest.
         */
        void smuggle(String id, String version, byte[] zip) throws Exception {
            String file = "packages/" + id + "-" + version + ".lapp";
            Files.createDirectories(dir.resolve("packages"));
            Files.write(dir.resolve(file), zip);
            var index = catalog.index();
            var manifest = FirstParty.manifest("plantcare");
            var perms = ManifestParser.mapper().treeToValue(manifest.get("permissions"), dev.lichen.store.pkg.Permissions.class);
            var v = new CatalogIndex.Version(version, file, zip.length, HexFormat.of().formatHex(Keys.sha256(zip)), "-", "0.1.0", perms, 48);
            var entries = new ArrayList<>(index.packages());
            entries.removeIf(e -> e.id().equals(id));
            entries.add(new CatalogIndex.Entry(id, id, "smuggled", "smuggled", "nobody", "media/none.svg", List.of(), List.of(v)));
            Files.write(dir.resolve(Catalog.INDEX), ManifestParser.mapper().writeValueAsBytes(
                    new CatalogIndex(index.name(), index.publisherKey(), index.fingerprint(), entries)));
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /** The misbehaving fixture add-on, packed like any add-on. */
    static Lapp hogPackage(String version) throws Exception {
        var entries = new TreeMap<String, byte[]>(FirstParty.runtimeLibs());
        entries.put("lib/sdk.jar", FirstParty.sdkJar());
        entries.put("lib/hog.jar", Packer.jarOf(Packer.codeSource(HogAddon.class), List.of("dev/lichen/gateway/addons/fixtures/")));
        entries.put("icon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes());
        ObjectNode m = FirstParty.manifest("plantcare");
        m.put("id", "hog").put("name", "Hog").put("version", version).put("entryPoint", HogAddon.class.getName()).put("memoryMb", 32);
        m.remove("subscribe");
        m.remove("description");
        entries.put(Lapp.MANIFEST, ManifestParser.mapper().writeValueAsBytes(m));
        return new Lapp(entries);
    }

    /**
     * Add-ons run as users of their own when the gateway is root (as in CI), so they must be able
     * to pass through (search, not list) the test's temp folders above the data folder.
     */
    static void passThrough(Path dir) throws java.io.IOException {
        Path stop = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        for (Path p = dir.toAbsolutePath().getParent(); p != null && p.startsWith(stop) && !p.equals(stop); p = p.getParent()) {
            var perms = new java.util.HashSet<>(Files.getPosixFilePermissions(p));
            perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(p, perms);
        }
    }

    /** A gateway with the real web server and the add-on host, and an admin logged in over HTTP. */
    static final class GatewayRig implements AutoCloseable {
        final Gateway gateway;
        final WebComponent web;
        final AddonHost host;
        final String base;
        final Path dir;
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String cookie;
        String csrf;

        GatewayRig(Path dir, AddonHost.Config config) throws Exception {
            this.dir = dir;
            passThrough(dir);
            web = new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS));
            host = new AddonHost(config);
            gateway = Gateway.start(GatewayConfig.forTest(dir), List.of(web, host));
            base = "http://127.0.0.1:" + web.port();
            var r = send("POST", "/api/v1/setup", Map.of("username", "admin", "password", "correct horse battery staple"));
            assertEquals(201, r.statusCode(), r.body());
            String set = r.headers().firstValue("Set-Cookie").orElseThrow();
            cookie = set.substring(set.indexOf('=') + 1, set.indexOf(';'));
            csrf = JSON.readTree(r.body()).path("csrfToken").asText();
        }

        HttpResponse<String> send(String method, String path, Object body) throws Exception {
            var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
            if (cookie != null) b.header("Cookie", "lichen_session=" + cookie);
            if (csrf != null) b.header("X-CSRF-Token", csrf);
            if (body != null) b.header("Content-Type", "application/json");
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        /** A browser-like form post (application/x-www-form-urlencoded) with the admin's session. */
        HttpResponse<String> form(String path, Map<String, String> fields) throws Exception {
            String body = fields.entrySet().stream().map(e -> java.net.URLEncoder.encode(e.getKey(), java.nio.charset.StandardCharsets.UTF_8) + "="
                    + java.net.URLEncoder.encode(e.getValue(), java.nio.charset.StandardCharsets.UTF_8)).collect(java.util.stream.Collectors.joining("&"));
            var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).header("Cookie", "lichen_session=" + cookie)
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        JsonNode json(String method, String path, Object body, int expect) throws Exception {
            var r = send(method, path, body);
            assertEquals(expect, r.statusCode(), method + " " + path + " -> " + r.body());
            return JSON.readTree(r.body());
        }

        void trust(Store s) throws Exception {
            var added = json("POST", "/api/v1/addons/stores", Map.of("url", s.url()), 200);
            assertEquals(s.fingerprint(), added.path("offeredFingerprint").asText());
            json("POST", "/api/v1/addons/stores/accept", Map.of("url", s.url(), "fingerprint", s.fingerprint()), 200);
        }

        /** Installs and waits for the job to end; returns the finished job. */
        JsonNode install(Store s, String id, String version, Object grant) throws Exception {
            var body = new java.util.HashMap<String, Object>(Map.of("store", s.url(), "id", id, "grant", grant));
            if (version != null) body.put("version", version);
            var job = json("POST", "/api/v1/addons/install", body, 202);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!job.path("finished").asBoolean()) {
                if (System.nanoTime() > deadline) fail("install of " + id + " did not finish: " + job);
                Thread.sleep(100);
                job = json("GET", "/api/v1/addons/jobs/" + job.path("id").asLong(), null, 200);
            }
            return job;
        }

        static Map<String, Object> fullGrant(String id) {
            return JSON.convertValue(FirstParty.manifest(id).get("permissions"), Map.class);
        }

        JsonNode installed(String id) throws Exception {
            for (JsonNode a : json("GET", "/api/v1/addons", null, 200)) {
                if (a.path("id").asText().equals(id)) return a;
            }
            return null;
        }

        /** Stores readings from a device and adopts it into a room, as a person would. */
        void ingest(String device, String room, List<Reading> readings) throws Exception {
            long seq = gateway.store().readingCount(device) + 1;
            IngestOutcome o = gateway.pipeline().submit(Protocol.COAP, new Batch(device, "boot-1", seq, readings), null).get(10, TimeUnit.SECONDS);
            assertTrue(o instanceof IngestOutcome.Accepted, String.valueOf(o));
            if (gateway.store().device(device).orElseThrow().room() == null) gateway.store().adopt(device, device, room);
        }

        static Reading num(String channel, String unit, double v, long t) {
            return new Reading(channel, unit, new Value.Number(v), t);
        }

        static Reading bool(String channel, boolean v, long t) {
            return new Reading(channel, null, new Value.Bool(v), t);
        }

        String token(String id) {
            return host.installed(id).token();
        }

        @Override
        public void close() {
            gateway.close();
        }
    }
}
