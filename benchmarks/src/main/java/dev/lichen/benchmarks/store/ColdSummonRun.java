package dev.lichen.benchmarks.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.addons.AddonHost;
import dev.lichen.gateway.web.WebComponent;
import dev.lichen.store.addons.FirstParty;
import dev.lichen.store.catalog.Catalog;
import dev.lichen.store.catalog.CatalogServer;
import dev.lichen.store.pkg.Keys;
import dev.lichen.store.pkg.LappCodec;
import dev.lichen.store.pkg.Signing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * Cold summon to first response: a real gateway (web + add-on host) and a real store; Plant care
 * installed; then N times: stop the add-on, GET /apps/plantcare/ and time until the page arrives
 * (JVM start, ready line, forward, the page's own two add-on API calls). Once with the AOT cache
 * made at install time, once without it. Prints p50/p99/min/max in ms.
 *
 * <p>Run: mvn -o -B -q -pl benchmarks -am package -DskipTests; java -cp benchmarks/target/benchmarks.jar dev.lichen.benchmarks.store.ColdSummonRun 20
 */
public final class ColdSummonRun {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static String base, cookie, csrf;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        // search-only for others: add-ons run as users of their own when this runs as root
        Path tmp = Files.createTempDirectory("cold-summon", java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")));
        var key = Keys.generate();
        var catalog = new Catalog(tmp.resolve("store"));
        catalog.init("bench", key.getPublic());
        catalog.publish(LappCodec.write(Signing.sign(FirstParty.pack("plantcare"), key.getPrivate(), key.getPublic())));
        var web = new WebComponent();
        var host = new AddonHost(AddonHost.Config.defaults());
        try (var store = new CatalogServer(tmp.resolve("store"), "127.0.0.1", 0);
             var gw = Gateway.start(GatewayConfig.forTest(tmp.resolve("gw")), java.util.List.of(web, host))) {
            base = "http://127.0.0.1:" + web.port();
            var setup = send("POST", "/api/v1/setup", Map.of("username", "bench", "password", "benchmark password 1"));
            String set = setup.headers().firstValue("Set-Cookie").orElseThrow();
            cookie = set.substring(set.indexOf('=') + 1, set.indexOf(';'));
            csrf = JSON.readTree(setup.body()).path("csrfToken").asText();
            send("POST", "/api/v1/addons/stores", Map.of("url", store.url()));
            send("POST", "/api/v1/addons/stores/accept", Map.of("url", store.url(), "fingerprint", Keys.fingerprint(key.getPublic())));
            var grant = JSON.convertValue(FirstParty.manifest("plantcare").get("permissions"), Map.class);
            long t0 = System.nanoTime();
            var job = JSON.readTree(send("POST", "/api/v1/addons/install", Map.of("store", store.url(), "id", "plantcare", "grant", grant)).body());
            while (!job.path("finished").asBoolean()) {
                Thread.sleep(50);
                job = JSON.readTree(send("GET", "/api/v1/addons/jobs/" + job.path("id").asLong(), null).body());
            }
            System.out.printf("install (download, verify, unpack, AOT training, health check): %d ms, %s%n",
                    (System.nanoTime() - t0) / 1_000_000, job.path("message").asText());
            Path aot = tmp.resolve("gw/addons/plantcare/versions/1.0.0/app.aot");
            System.out.printf("AOT cache: %d KB%n", Files.size(aot) / 1024);
            System.out.println("load average before: " + Files.readString(Path.of("/proc/loadavg")).trim());
            // the four series interleaved, so a change in machine load hits them alike
            String[] names = {"with AOT cache, page", "without AOT cache, page", "with AOT cache, /healthz", "without AOT cache, /healthz"};
            long[][] first = new long[4][n], ready = new long[4][n];
            Path off = aot.resolveSibling("app.aot.off");
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 4; k++) {
                    boolean withAot = k % 2 == 0;
                    if (withAot && Files.exists(off)) Files.move(off, aot);
                    if (!withAot && Files.exists(aot)) Files.move(aot, off);
                    long[] r = coldOnce(k < 2 ? "/apps/plantcare/" : "/apps/plantcare/healthz");
                    first[k][i] = r[0];
                    ready[k][i] = r[1];
                }
            }
            for (int k = 0; k < 4; k++) {
                report(names[k], first[k]);
                report("  of which JVM start to ready", ready[k]);
            }
            System.out.println("load average after: " + Files.readString(Path.of("/proc/loadavg")).trim());
        }
    }

    /** One cold summon: stop the add-on, request the path; returns {ms to response, ms the JVM took to be ready}. */
    static long[] coldOnce(String path) throws Exception {
        send("POST", "/api/v1/addons/plantcare/stop", null);
        long t = System.nanoTime();
        var r = send("GET", path, null);
        long ms = (System.nanoTime() - t) / 1_000_000;
        if (r.statusCode() != 200) throw new IllegalStateException("cold summon of " + path + " answered " + r.statusCode() + ": " + r.body());
        long ready = -1;
        // the supervisor logs how long the JVM took to print its ready line
        for (var line : JSON.readTree(send("GET", "/api/v1/addons", null).body()).get(0).path("log")) {
            var m = java.util.regex.Pattern.compile("ready on .* after (\\d+) ms").matcher(line.asText());
            if (m.find()) ready = Long.parseLong(m.group(1));
        }
        return new long[] {ms, ready};
    }

    static void report(String what, long[] ms) {
        long[] s = ms.clone();
        Arrays.sort(s);
        System.out.printf("%-30s n=%d  p50=%d ms  p99=%d ms  min=%d ms  max=%d ms%n", what, s.length,
                s[(int) Math.ceil(0.50 * s.length) - 1], s[(int) Math.ceil(0.99 * s.length) - 1], s[0], s[s.length - 1]);
    }

    static HttpResponse<String> send(String method, String path, Object body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (cookie != null) b.header("Cookie", "lichen_session=" + cookie).header("X-CSRF-Token", csrf);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
