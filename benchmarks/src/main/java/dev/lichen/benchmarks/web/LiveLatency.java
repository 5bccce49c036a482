package dev.lichen.benchmarks.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.senml.Value;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;

/**
 * Live latency load run: from a CoAP publish to the server-sent event reaching a subscribed
 * client. The gateway runs as its own process ({@code GatewayCommand}, the code behind
 * {@code lichen gateway}) on 127.0.0.1; this process is the devices and the browser, so both
 * timestamps come from one clock. Every pack's readings carry the pack's number as their value;
 * the SSE event names the device and carries the values back.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.lichen.benchmarks.web.LiveLatency \
 *     [--rate 2000] [--pack 10] [--devices 100] [--warmup 10] [--seconds 30] [--bus-only true]
 *     [--gateway-jvm "JVM options of the gateway process"]
 * </pre>
 *
 * The gateway process gets the JVM options the {@code lichen} launcher ships unless
 * {@code --gateway-jvm} says otherwise.
 *
 * {@code --bus-only true} isolates the web part: an in-process gateway, events published straight
 * on its live bus (no CoAP, no commit), to the same SSE client.
 */
public final class LiveLatency {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i], args[i + 1]);
        int rate = Integer.parseInt(a.getOrDefault("--rate", "2000"));
        int pack = Integer.parseInt(a.getOrDefault("--pack", "10"));
        int devices = Integer.parseInt(a.getOrDefault("--devices", "100"));
        int warmup = Integer.parseInt(a.getOrDefault("--warmup", "10"));
        int seconds = Integer.parseInt(a.getOrDefault("--seconds", "30"));
        String jvm = a.getOrDefault("--gateway-jvm", SHIPPED_JVM);
        if (Boolean.parseBoolean(a.getOrDefault("--bus-only", "false"))) {
            new LiveLatency().busOnly(rate, pack, warmup, seconds);
        } else {
            new LiveLatency().run(rate, pack, devices, warmup, seconds, jvm);
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final SenmlCodec codec = new SenmlCodec();
    /** pack number -> nanoTime it was sent. */
    private final Map<Long, Long> sentAt = new ConcurrentHashMap<>();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final long[] latencies = new long[4_000_000];
    private final AtomicLong measured = new AtomicLong();
    private final AtomicLong eventsSeen = new AtomicLong();

    /** What the {@code lichen} launcher gives {@code lichen gateway} (LICHEN_JAVA_OPTS unset). */
    static final String SHIPPED_JVM = dev.lichen.benchmarks.GatewayJvm.SHIPPED;

    void run(int rate, int pack, int devices, int warmup, int seconds, String jvm) throws Exception {
        Path data = Files.createTempDirectory("lichen-live-latency");
        int coapPort = freeUdpPort();
        int httpPort = freeTcpPort();
        int mqttPort = freeTcpPort();
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        for (String o : jvm.split(" ")) if (!o.isBlank()) cmd.add(o);
        cmd.addAll(List.of("-cp", dev.lichen.benchmarks.GatewayJvm.classPath(),
                "dev.lichen.gateway.GatewayCommand", "--data", data.toString(), "--bind", "127.0.0.1",
                "--coap-port", "" + coapPort, "--mqtt-port", "" + mqttPort, "--http-port", "" + httpPort, "--plain-http",
                // the load's devices are all new and all from this one address: a load run, not an attack
                "--max-new-devices", "" + dev.lichen.gateway.GatewayConfig.Limits.forDevicesOnOneHost(devices).newDevices(),
                "--per-address-rate", "" + dev.lichen.gateway.GatewayConfig.Limits.forDevicesOnOneHost(devices).perAddressPerSecond()));
        System.out.printf("starting the gateway process (coap %d, http %d)...%n", coapPort, httpPort);
        Process gw = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolve("gateway.log").toFile()).start();
        CoapEndpoint ep = null;
        try {
            waitReady(data.resolve("gateway.log"), gw);
            String base = "http://127.0.0.1:" + httpPort;
            CoapConfig.register();
            UdpConfig.register();
            ep = CoapEndpoint.builder().setConfiguration(Configuration.createStandardWithoutFile()).build();
            CoapClient coap = new CoapClient("coap://127.0.0.1:" + coapPort + "/r");
            coap.setEndpoint(ep);
            coap.setTimeout(10_000L);

            // an admin, then every device announced and adopted so that its readings are streamed
            var setup = post(base + "/api/v1/setup", null, null, "{\"username\":\"bench\",\"password\":\"bench password 1\"}");
            String cookie = setup.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            String csrf = JSON.readTree(setup.body()).get("csrfToken").asText();
            long[] seq = new long[devices];
            for (int d = 0; d < devices; d++) {
                byte[] p = codec.encode(packOf(d, seq[d], 1, -1), SenmlFormat.CBOR);
                seq[d] += 1;
                CoapResponse r = coap.post(p, SenmlFormat.CBOR.contentFormat());
                if (r == null || r.getCode() != CoAP.ResponseCode.CHANGED) throw new IllegalStateException("device " + d + ": " + r);
                // acknowledged = in the gateway's journal; the device shows up once the writer stored it
                var ad = post(base + "/api/v1/devices/" + id(d) + "/adopt", cookie, csrf, "{\"name\":\"Bench " + d + "\",\"room\":\"Load\"}");
                for (int tries = 0; ad.statusCode() == 404 && tries < 100; tries++) {
                    Thread.sleep(50);
                    ad = post(base + "/api/v1/devices/" + id(d) + "/adopt", cookie, csrf, "{\"name\":\"Bench " + d + "\",\"room\":\"Load\"}");
                }
                if (ad.statusCode() != 200) throw new IllegalStateException("adopt: " + ad.body());
            }
            CountDownLatch subscribed = new CountDownLatch(1);
            Thread sse = Thread.ofPlatform().daemon().name("sse-client").start(() -> readEvents(base, cookie, subscribed));
            if (!subscribed.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("no SSE stream");

            System.out.printf("load: %d readings/s = %d packs/s of %d from %d devices; warm-up %d s, measuring %d s%n",
                    rate / pack * pack, rate / pack, pack, devices, warmup, seconds);
            CoapHandler onAck = new CoapHandler() {
                @Override public void onLoad(CoapResponse r) {
                    if (r.getCode() == CoAP.ResponseCode.CHANGED) acked.incrementAndGet(); else refused.incrementAndGet();
                }
                @Override public void onError() { refused.incrementAndGet(); }
            };
            long sentMeasured = paced(rate / pack, warmup, seconds, packNo -> {
                int d = (int) (packNo % devices);
                byte[] p = codec.encode(packOf(d, seq[d], pack, packNo), SenmlFormat.CBOR);
                seq[d] += pack;
                Request req = Request.newPost();
                req.setURI("coap://127.0.0.1:" + coapPort + "/r");
                req.setPayload(p);
                req.getOptions().setContentFormat(SenmlFormat.CBOR.contentFormat());
                return () -> coap.advanced(onAck, req);
            });
            Thread.sleep(2000); // let the last events arrive
            System.out.printf("CoAP: %d acked (2.04), %d refused/failed%n", acked.get(), refused.get());
            report("CoAP publish -> SSE", sentMeasured, pack, seconds);
            System.out.printf("gateway RSS at the end: %s%n", rss(gw.pid()));
            // where the time goes: the group commit (write + fsync) precedes every live event
            var metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Cookie", cookie).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            metrics.lines().filter(m -> m.startsWith("lichen_store_commit_seconds")).forEach(m -> System.out.println("  " + m));
            sse.interrupt();
            coap.shutdown();
        } finally {
            if (ep != null) ep.destroy();
            gw.destroy();
            if (!gw.waitFor(20, TimeUnit.SECONDS)) gw.destroyForcibly();
        }
    }

    /** The web part alone: live bus -> SSE encoder -> HTTP -> client, with the gateway in this process. */
    void busOnly(int rate, int pack, int warmup, int seconds) throws Exception {
        Path data = Files.createTempDirectory("lichen-live-bus");
        var web = new dev.lichen.gateway.web.WebComponent();
        try (var g = dev.lichen.gateway.Gateway.start(dev.lichen.gateway.GatewayConfig.forTest(data), List.of(web))) {
            String base = "http://127.0.0.1:" + web.port();
            var setup = post(base + "/api/v1/setup", null, null, "{\"username\":\"bench\",\"password\":\"bench password 1\"}");
            String cookie = setup.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            CountDownLatch subscribed = new CountDownLatch(1);
            Thread sse = Thread.ofPlatform().daemon().name("sse-client").start(() -> readEvents(base, cookie, subscribed));
            if (!subscribed.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("no SSE stream");
            long sentMeasured = paced(rate / pack, warmup, seconds, packNo -> {
                String id = "bus-" + (packNo % 100);
                List<dev.lichen.gateway.store.StoredReading> rs = new ArrayList<>(pack);
                long t = System.currentTimeMillis();
                for (int i = 0; i < pack; i++) {
                    rs.add(new dev.lichen.gateway.store.StoredReading(id, "temperature", "bench", packNo * pack + i, t + i,
                            (double) packNo, null));
                }
                return () -> g.liveBus().publish(new dev.lichen.gateway.live.LiveEvent.Readings(id, true, rs));
            });
            Thread.sleep(2000);
            report("live bus publish -> SSE", sentMeasured, pack, seconds);
            sse.interrupt();
        }
    }

    /** Prepares pack number n and returns the action that publishes it (timed from just before it runs). */
    interface Publisher {
        Runnable prepare(long packNo);
    }

    /**
     * Publishes packsPerSecond packs on a fixed schedule for warm-up + measured seconds; in the
     * measured window each pack's send time is noted. Returns how many packs were measured.
     */
    private long paced(long packsPerSecond, int warmup, int seconds, Publisher publisher) {
        long interval = 1_000_000_000L / Math.max(1, packsPerSecond);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(warmup + seconds);
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long next = start;
        long packNo = 0;
        long sentMeasured = 0;
        while (next < end) {
            long now = System.nanoTime();
            if (now < next) {
                LockSupport.parkNanos(next - now);
                continue;
            }
            Runnable publish = publisher.prepare(packNo);
            if (now >= measureFrom) {
                sentAt.put(packNo, System.nanoTime());
                sentMeasured++;
            }
            publish.run();
            packNo++;
            next += interval;
        }
        return sentMeasured;
    }

    private void report(String what, long sentMeasured, int pack, int seconds) {
        long n = measured.get();
        long[] l = Arrays.copyOf(latencies, (int) Math.min(n, latencies.length));
        Arrays.sort(l);
        System.out.printf("sent %d packs in the measured window (%.0f readings/s)%n", sentMeasured, sentMeasured * pack / (double) seconds);
        System.out.printf("SSE events received for measured packs: %d of %d (%.2f%%)%n", n, sentMeasured,
                100.0 * n / Math.max(1, sentMeasured));
        if (l.length > 0) {
            System.out.printf("%s latency: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    what, ms(pct(l, 50)), ms(pct(l, 90)), ms(pct(l, 99)), ms(l[l.length - 1]));
        }
    }

    private void readEvents(String base, String cookie, CountDownLatch subscribed) {
        try {
            var req = HttpRequest.newBuilder(URI.create(base + "/api/v1/live"))
                    .header("Accept", "text/event-stream").header("Cookie", cookie).build();
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (var in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String event = null;
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("event: ")) {
                        event = line.substring(7);
                        if (event.equals("hello")) subscribed.countDown();
                    } else if (line.startsWith("data: ") && "readings".equals(event)) {
                        long arrived = System.nanoTime();
                        eventsSeen.incrementAndGet();
                        JsonNode n = JSON.readTree(line.substring(6));
                        long packNo = (long) n.get("readings").get(0).get("value").asDouble();
                        Long sent = sentAt.remove(packNo);
                        if (sent != null) {
                            long i = measured.getAndIncrement();
                            if (i < latencies.length) latencies[(int) i] = arrived - sent;
                        }
                    }
                }
            }
        } catch (Exception e) {
            if (!Thread.currentThread().isInterrupted()) System.err.println("SSE client stopped: " + e);
        }
    }

    /** A pack of n readings whose values are the pack number (the SSE side finds its send time by it). */
    private static Batch packOf(int device, long firstSeq, int n, long packNo) {
        long t = System.currentTimeMillis();
        List<Reading> rs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) rs.add(new Reading("temperature", "Cel", new Value.Number(packNo), t + i));
        return new Batch(id(device), "bench", firstSeq, rs);
    }

    private static String id(int d) {
        return "bench-" + d;
    }

    private HttpResponse<String> post(String url, String cookie, String csrf, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) b.header("Cookie", cookie);
        if (csrf != null) b.header("X-CSRF-Token", csrf);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void waitReady(Path log, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("the gateway exited: " + Files.readString(log));
            if (Files.exists(log) && dev.lichen.gateway.GatewayCommand.saysReady(Files.readString(log))) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("the gateway did not start in 60 s: " + Files.readString(log));
    }

    private static long pct(long[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static String rss(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) return l.substring(6).strip();
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return "unknown";
    }

    private static int freeTcpPort() throws Exception {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int freeUdpPort() throws Exception {
        try (var s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
