package dev.lichen.benchmarks.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.appliance.DeviceConfig;
import dev.lichen.appliance.SensorAppliance;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.storage.FileKeyValueStore;
import dev.lichen.runtime.storage.FileOutbox;
import dev.lichen.runtime.uplink.Uplink;
import dev.lichen.runtime.uplink.UplinkPump;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Command latency: from the REST call that switches a device's light to the device's confirmed
 * state reading of that light arriving on the live stream. The gateway runs as its own process
 * ({@code GatewayCommand}, the code behind {@code lichen gateway}, SQLite in a temp folder, the JVM
 * options the {@code lichen} launcher ships); this process is the devices and the browser, so both
 * timestamps come from one clock ({@code System.nanoTime}).
 *
 * <p>The devices are the real {@link SensorAppliance} on a {@link SimBoard} with one output
 * ({@code "outputs": [{"name": "light", "kind": "switch", "pin": 17}]}, no sensors), each with its
 * own key pair in its state folder, adopted through the API with its fingerprint, speaking MQTT over
 * TLS ({@code --uplink mqtt}: the command arrives as the retained message of {@code lichen/<id>/cmd})
 * or CoAPS ({@code --uplink coaps}: an Observe notification of {@code /c/<id>}), trusting the
 * gateway's CA, with the pump options the sensor appliance's main uses. The browser is an admin
 * session: the commands are {@code POST /api/v1/devices/<id>/outputs/light {"on": ...}} (202), the
 * live stream is {@code GET /api/v1/live}.
 *
 * <p>Commands are sent at {@code --rate} a second, round-robin over the devices, each toggling its
 * device's light. Latency = the SSE {@code readings} line whose {@code light} reading has the new
 * value was read - just before the POST was handed to the HTTP client. It includes the REST call,
 * the command's durable write, the door (MQTT publish or CoAP notification), the device applying
 * it and remembering it durably, its pack back (QoS 1 / confirmable), the group commit and the live
 * bus. The command's own states ({@code command} events) are followed too: any command whose state
 * ends other than done (failed, refused, expired, or still pending at the end) is counted.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar dev.lichen.benchmarks.commands.CommandLatency \
 *     --uplink mqtt|coaps [--devices 100] [--rate 20] [--warmup 10] [--seconds 60] [--gateway-jvm "OPTS"]   (-Dlichen.gateway.classpath=...: see GatewayJvm)
 * </pre>
 */
public final class CommandLatency {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SESSION_COOKIE = "lichen_session";
    /** What the {@code lichen} launcher gives {@code lichen gateway} (LICHEN_JAVA_OPTS unset), as in LiveLatency. */
    static final String SHIPPED_JVM = dev.lichen.benchmarks.GatewayJvm.SHIPPED;

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i], args[i + 1]);
        String uplink = a.getOrDefault("--uplink", "mqtt");
        if (!uplink.equals("mqtt") && !uplink.equals("coaps")) throw new IllegalArgumentException("--uplink mqtt or coaps");
        quietDevices();
        new CommandLatency(uplink, Integer.parseInt(a.getOrDefault("--devices", "100")), Double.parseDouble(a.getOrDefault("--rate", "20")),
                Integer.parseInt(a.getOrDefault("--warmup", "10")), Integer.parseInt(a.getOrDefault("--seconds", "60")),
                a.getOrDefault("--gateway-jvm", SHIPPED_JVM), dev.lichen.benchmarks.GatewayJvm.classPath()).run();
        System.exit(0);
    }

    /** The devices log every command they apply at INFO; 100 of them would flood the run's output. */
    private static void quietDevices() {
        // logback (HiveMQ's, on the class path at run time only): by reflection
        try {
            Object ctx = org.slf4j.LoggerFactory.getILoggerFactory();
            Class<?> level = Class.forName("ch.qos.logback.classic.Level");
            Object warn = level.getField("WARN").get(null);
            for (String name : List.of("dev.lichen", "org.eclipse")) {
                Object logger = ctx.getClass().getMethod("getLogger", String.class).invoke(ctx, name);
                logger.getClass().getMethod("setLevel", level).invoke(logger, warn);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("device logs left as they are: " + e);
        }
    }

    private final String uplinkKind;
    private final int devices;
    private final double rate;
    private final int warmup;
    private final int seconds;
    private final String jvm;
    private final String classPath;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final HttpClient sseHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private String base;
    private String cookie;
    private String csrf;

    /** What a device's next state reading must say, and since when it is awaited. */
    private record Awaited(double value, long sentNanos, boolean measured) {}

    private final List<AtomicReference<Awaited>> awaited = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();
    private final long[] latencies = new long[2_000_000];
    private final AtomicLong measured = new AtomicLong();
    private final AtomicLong overlapped = new AtomicLong();
    private final AtomicLong httpErrors = new AtomicLong();
    /** command id -> its last state seen on the live stream. */
    private final Map<Long, String> states = new ConcurrentHashMap<>();
    /** command id -> nanoTime of the POST, for the done event's latency. */
    private final Map<Long, Long> commandSent = new ConcurrentHashMap<>();
    private final Set<Long> measuredIds = ConcurrentHashMap.newKeySet();
    private final long[] doneLatencies = new long[2_000_000];
    /** The REST call alone: POST handed to the client -> its 202 read. */
    private final long[] restLatencies = new long[2_000_000];
    private final AtomicLong restMeasured = new AtomicLong();
    /** The slowest confirmations: latency and when in the run they were sent (to tell a pause from a spread tail). */
    private final java.util.concurrent.ConcurrentSkipListMap<Long, String> slowest = new java.util.concurrent.ConcurrentSkipListMap<>();
    private volatile long runStart;
    private final AtomicLong doneMeasured = new AtomicLong();

    CommandLatency(String uplinkKind, int devices, double rate, int warmup, int seconds, String jvm, String classPath) {
        this.uplinkKind = uplinkKind;
        this.devices = devices;
        this.rate = rate;
        this.warmup = warmup;
        this.seconds = seconds;
        this.jvm = jvm;
        this.classPath = classPath;
    }

    void run() throws Exception {
        Path tmp = Files.createTempDirectory("lichen-command-latency");
        Path data = tmp.resolve("data");
        int httpPort = freeTcp(), mqttPort = freeTcp(), mqttTlsPort = freeTcp(), coapPort = freeUdp(), coapsPort = freeUdp();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        for (String o : jvm.split(" ")) if (!o.isBlank()) cmd.add(o);
        cmd.addAll(List.of("-cp", classPath, "dev.lichen.gateway.GatewayCommand",
                "--data", data.toString(), "--bind", "127.0.0.1", "--plain-http", "--http-port", "" + httpPort,
                "--mqtt-port", "" + mqttPort, "--mqtt-tls-port", "" + mqttTlsPort, "--coap-port", "" + coapPort, "--coaps-port", "" + coapsPort,
                // all the load's devices are new and from this one address: a load run, not an attack
                "--max-new-devices", "1000", "--per-address-rate", "1000"));
        System.out.printf("nproc %d, Java %s, load average at start: %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), loadAverage());
        System.out.printf("starting the gateway process (http %d, mqtt/tls %d, coaps %d), JVM options: %s%n", httpPort, mqttTlsPort, coapsPort, jvm);
        Path log = tmp.resolve("gateway.log");
        Process gw = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<Device> ds = new ArrayList<>();
        try {
            waitReady(log, gw);
            base = "http://127.0.0.1:" + httpPort;
            var setup = send("POST", "/api/v1/setup", "{\"username\":\"bench\",\"password\":\"bench password 1\"}");
            if (setup.statusCode() != 201 && setup.statusCode() != 200) throw new IllegalStateException("setup: " + setup.statusCode() + " " + setup.body());
            var login = send("POST", "/api/v1/session", "{\"username\":\"bench\",\"password\":\"bench password 1\"}");
            if (login.statusCode() != 200) throw new IllegalStateException("login: " + login.body());
            cookie = login.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(SESSION_COOKIE + "="))
                    .findFirst().orElseThrow().split(";")[0];
            csrf = JSON.readTree(login.body()).get("csrfToken").asText();

            // the devices: each its own key pair, started at once; adopted once heard
            Path ca = data.resolve("tls").resolve("ca.crt");
            int port = uplinkKind.equals("coaps") ? coapsPort : mqttTlsPort;
            long t0 = System.nanoTime();
            for (int d = 0; d < devices; d++) {
                Device dev = new Device(tmp, "cmd-" + d);
                dev.start(uplinkKind, port, ca);
                ds.add(dev);
                index.put(dev.id, d);
                awaited.add(new AtomicReference<>());
            }
            System.out.printf("%d devices started in %.1f s; adopting...%n", devices, (System.nanoTime() - t0) / 1e9);
            for (Device dev : ds) {
                String body = "{\"name\":\"Bench " + dev.id + "\",\"room\":\"Load\",\"fingerprint\":\"" + dev.fingerprint() + "\"}";
                var r = send("POST", "/api/v1/devices/" + dev.id + "/adopt", body);
                for (int tries = 0; r.statusCode() == 404 && tries < 600; tries++) {
                    Thread.sleep(100);
                    r = send("POST", "/api/v1/devices/" + dev.id + "/adopt", body);
                }
                if (r.statusCode() != 200) throw new IllegalStateException("adopt " + dev.id + ": " + r.statusCode() + " " + r.body());
            }
            for (Device dev : ds) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (true) {
                    var r = send("GET", "/api/v1/devices/" + dev.id + "/outputs", null);
                    if (r.statusCode() == 200 && JSON.readTree(r.body()).size() == 1) break;
                    if (System.nanoTime() > deadline) throw new IllegalStateException(dev.id + " announced no light: " + r.body());
                    Thread.sleep(100);
                }
            }
            System.out.printf("%d devices adopted with their keys, each with its light announced, %.1f s after the start%n",
                    devices, (System.nanoTime() - t0) / 1e9);

            CountDownLatch subscribed = new CountDownLatch(1);
            Thread.ofPlatform().daemon().name("sse-client").start(() -> readEvents(subscribed));
            if (!subscribed.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("no SSE stream");

            System.out.printf("load: %.1f commands/s round-robin over %d devices (%s), each toggling the device's light;"
                    + " warm-up %d s, measuring %d s%n", rate, devices, uplinkKind.equals("mqtt") ? "MQTT over TLS, own keys" : "CoAPS, own keys",
                    warmup, seconds);
            long self = ProcessHandle.current().pid();
            double[] cpu0 = new double[3];
            long sent = paced(gw.pid(), self, cpu0);
            double[] cpu1 = {dev.lichen.benchmarks.Cpu.seconds(gw.pid()), dev.lichen.benchmarks.Cpu.seconds(self), dev.lichen.benchmarks.Cpu.machineBusySeconds()};
            double window = seconds;
            String loadEnd = loadAverage();
            // let the last confirmations and states come
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (System.nanoTime() < deadline && !allFinal()) Thread.sleep(100);

            long conf = measured.get();
            System.out.printf("%nsent %d commands in the measured window (%.1f/s); %d HTTP answers other than 202; %d overlapped"
                    + " (a device's next command before its last state came)%n", sent, sent / window, httpErrors.get(), overlapped.get());
            System.out.printf("confirmed state readings on the live stream for measured commands: %d of %d%n", conf, sent);
            report("REST call -> confirmed state reading (SSE readings)", latencies, conf);
            report("REST call -> command done (SSE command event)", doneLatencies, doneMeasured.get());
            report("REST call alone (POST -> 202 read)", restLatencies, restMeasured.get());
            System.out.println("slowest confirmations: " + String.join(", ", slowest.descendingMap().values()));
            // every command's final state: from the live stream, else asked of the API
            Map<String, Integer> finals = new TreeMap<>();
            Map<String, Integer> finalsMeasured = new TreeMap<>();
            for (Long id : commandSent.keySet()) {
                String s = states.get(id);
                if (s == null || s.equals("pending")) {
                    var r = send("GET", "/api/v1/commands/" + id, null);
                    s = r.statusCode() == 200 ? JSON.readTree(r.body()).get("state").asText() : "unknown (" + r.statusCode() + ")";
                }
                finals.merge(s, 1, Integer::sum);
                if (measuredIds.contains(id)) finalsMeasured.merge(s, 1, Integer::sum);
            }
            long notDone = finals.entrySet().stream().filter(e -> !e.getKey().equals("done")).mapToLong(Map.Entry::getValue).sum();
            System.out.printf("commands by final state, all %d (warm-up included): %s; measured: %s; not done: %d%n",
                    commandSent.size(), finals, finalsMeasured, notDone);
            double gwCores = (cpu1[0] - cpu0[0]) / window, selfCores = (cpu1[1] - cpu0[1]) / window;
            double machine = (cpu1[2] - cpu0[2]) / window;
            System.out.printf("CPU over the measured %d s: gateway %.2f cores (%.1f ms per command), load process (devices + browser) %.2f cores"
                    + " (%.1f ms per command), whole machine %.2f of %d cores (others %.2f)%n", seconds, gwCores, 1000 * gwCores / Math.max(1e-9, sent / window),
                    selfCores, 1000 * selfCores / Math.max(1e-9, sent / window), machine, Runtime.getRuntime().availableProcessors(),
                    Math.max(0, machine - gwCores - selfCores));
            System.out.printf("CPU seconds since start (/proc/<pid>/stat utime+stime): gateway %.1f, load process %.1f%n", cpu1[0], cpu1[1]);
            System.out.printf("gateway RSS at the end: %s; load average at start of window: %s, at its end: %s, now: %s%n",
                    rss(gw.pid()), loadAtWindowStart, loadEnd, loadAverage());
            var metrics = send("GET", "/metrics", null).body();
            metrics.lines().filter(m -> m.startsWith("lichen_store_commit_seconds") || m.startsWith("lichen_commands_"))
                    .forEach(m -> System.out.println("  " + m));
        } finally {
            for (Device d : ds) {
                try {
                    d.close();
                } catch (Exception e) {
                    // stopping anyway
                }
            }
            gw.destroy();
            if (!gw.waitFor(20, TimeUnit.SECONDS)) gw.destroyForcibly();
        }
    }

    private volatile String loadAtWindowStart = "";

    private boolean allFinal() {
        for (Long id : commandSent.keySet()) {
            String s = states.get(id);
            if (s == null || s.equals("pending")) return false;
        }
        for (var ref : awaited) if (ref.get() != null && ref.get().measured()) return false;
        return true;
    }

    /** Sends the commands on a fixed schedule; returns how many were sent in the measured window. */
    private long paced(long gwPid, long self, double[] cpu0) throws Exception {
        long interval = (long) (1e9 / rate);
        long start = System.nanoTime();
        runStart = start;
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        long next = start;
        long n = 0, sentMeasured = 0;
        boolean[] on = new boolean[devices];
        boolean measuring = false;
        long nextProgress = start + TimeUnit.SECONDS.toNanos(5);
        long lastMeasured = 0;
        while (next < end) {
            long now = System.nanoTime();
            if (!measuring && now >= measureFrom) {
                measuring = true;
                cpu0[0] = dev.lichen.benchmarks.Cpu.seconds(gwPid);
                cpu0[1] = dev.lichen.benchmarks.Cpu.seconds(self);
                cpu0[2] = dev.lichen.benchmarks.Cpu.machineBusySeconds();
                loadAtWindowStart = loadAverage();
                System.out.printf("[%3.0f s] measuring from here (load average %s)%n", (now - start) / 1e9, loadAtWindowStart);
            }
            if (now >= nextProgress) {
                long m = measured.get();
                System.out.printf("[%3.0f s] %d commands sent, %d confirmed in the window (+%d), %d HTTP errors, load average %s%n",
                        (now - start) / 1e9, n, m, m - lastMeasured, httpErrors.get(), loadAverage());
                lastMeasured = m;
                nextProgress += TimeUnit.SECONDS.toNanos(5);
            }
            if (now < next) {
                LockSupport.parkNanos(Math.min(next - now, 50_000_000L));
                continue;
            }
            int d = (int) (n % devices);
            on[d] = !on[d];
            boolean m = now >= measureFrom;
            if (m) sentMeasured++;
            command(d, on[d], m);
            n++;
            next += interval;
        }
        return sentMeasured;
    }

    private void command(int d, boolean on, boolean measuredOne) {
        var req = HttpRequest.newBuilder(URI.create(base + "/api/v1/devices/cmd-" + d + "/outputs/light"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").header("Cookie", cookie)
                .header("X-CSRF-Token", csrf).POST(HttpRequest.BodyPublishers.ofString("{\"on\":" + on + "}")).build();
        long t = System.nanoTime();
        Awaited before = awaited.get(d).getAndSet(new Awaited(on ? 1 : 0, t, measuredOne));
        if (before != null) overlapped.incrementAndGet();
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            if (e != null || r.statusCode() != 202) {
                httpErrors.incrementAndGet();
                if (httpErrors.get() <= 5) System.err.println("command to cmd-" + d + ": " + (e != null ? e : r.statusCode() + " " + r.body()));
                return;
            }
            if (measuredOne) {
                long i = restMeasured.getAndIncrement();
                if (i < restLatencies.length) restLatencies[(int) i] = System.nanoTime() - t;
            }
            try {
                long id = JSON.readTree(r.body()).get("id").asLong();
                commandSent.put(id, t);
                if (measuredOne) measuredIds.add(id);
                String s = states.get(id);
                if (s != null && !s.equals("pending")) noteDone(id, s, -1);
            } catch (IOException ex) {
                httpErrors.incrementAndGet();
            }
        });
    }

    /** A command's final state seen; arrivedNanos -1: seen before its 202 was read (no latency then). */
    private void noteDone(long id, String state, long arrivedNanos) {
        if (!state.equals("done") || arrivedNanos < 0 || !measuredIds.contains(id)) return;
        Long sent = commandSent.get(id);
        if (sent == null) return;
        long i = doneMeasured.getAndIncrement();
        if (i < doneLatencies.length) doneLatencies[(int) i] = arrivedNanos - sent;
    }

    private void readEvents(CountDownLatch subscribed) {
        try {
            var req = HttpRequest.newBuilder(URI.create(base + "/api/v1/live")).header("Accept", "text/event-stream")
                    .header("Cookie", cookie).build();
            HttpResponse<InputStream> r = sseHttp.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (var in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String event = null;
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("event: ")) {
                        event = line.substring(7);
                        if (event.equals("hello")) subscribed.countDown();
                    } else if (line.startsWith("data: ") && "readings".equals(event)) {
                        long arrived = System.nanoTime();
                        JsonNode n = JSON.readTree(line.substring(6));
                        Integer d = index.get(n.get("deviceId").asText());
                        if (d == null) continue;
                        for (JsonNode rd : n.get("readings")) {
                            if (!rd.get("channel").asText().equals("light") || !rd.get("value").isNumber()) continue;
                            AtomicReference<Awaited> ref = awaited.get(d);
                            Awaited w = ref.get();
                            if (w != null && w.value() == rd.get("value").asDouble() && ref.compareAndSet(w, null) && w.measured()) {
                                long i = measured.getAndIncrement();
                                if (i < latencies.length) latencies[(int) i] = arrived - w.sentNanos();
                                slowest.put((arrived - w.sentNanos()) * 1000 + (i % 1000), String.format("%.1f ms (cmd-%d, sent at %.2f s)",
                                        (arrived - w.sentNanos()) / 1e6, d, (w.sentNanos() - runStart) / 1e9));
                                while (slowest.size() > 8) slowest.pollFirstEntry();
                            }
                        }
                    } else if (line.startsWith("data: ") && "command".equals(event)) {
                        long arrived = System.nanoTime();
                        JsonNode n = JSON.readTree(line.substring(6));
                        long id = n.get("id").asLong();
                        String s = n.get("state").asText();
                        String before = states.put(id, s);
                        if (!s.equals("pending") && (before == null || before.equals("pending"))) noteDone(id, s, arrived);
                    }
                }
            }
        } catch (Exception e) {
            System.err.println("SSE client stopped: " + e);
        }
    }

    private static void report(String what, long[] all, long n) {
        long[] l = Arrays.copyOf(all, (int) Math.min(n, all.length));
        Arrays.sort(l);
        if (l.length == 0) {
            System.out.println(what + ": nothing measured");
            return;
        }
        System.out.printf("%s latency (%d): p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n", what, l.length,
                pct(l, 50) / 1e6, pct(l, 90) / 1e6, pct(l, 99) / 1e6, l[l.length - 1] / 1e6);
    }

    private static long pct(long[] sorted, double p) {
        return sorted[(int) Math.max(0, Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1))];
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (cookie != null) b.header("Cookie", cookie).header("X-CSRF-Token", csrf);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The real sensor appliance with one switch and no sensors, as ActingDevice (gateway-appliance's tests) starts it. */
    static final class Device implements AutoCloseable {
        final String id;
        final Path dir;
        final SimBoard board = new SimBoard("sim");
        SensorAppliance app;
        Uplink uplink;
        FileOutbox outbox;

        Device(Path tmp, String id) {
            this.id = id;
            this.dir = tmp.resolve("devices").resolve(id);
        }

        void start(String uplinkKind, int port, Path ca) throws Exception {
            Files.createDirectories(dir);
            String json = """
                    {"deviceId": "%s", "gateway": {"uplink": "%s", "host": "127.0.0.1", "port": %d, "caFile": "%s"},
                     "board": "sim", "dataDir": "%s", "sensors": [], "outputs": [{"name": "light", "kind": "switch", "pin": 17}]}
                    """.formatted(id, uplinkKind, port, ca, dir);
            var config = DeviceConfig.parse("device.json", json.getBytes(StandardCharsets.UTF_8), Set.of());
            var store = new FileKeyValueStore(dir.resolve("state"));
            var identity = dev.lichen.runtime.identity.DeviceIdentity.loadOrCreate(store);
            uplink = SensorAppliance.openUplink(config, Optional.of(identity));
            outbox = FileOutbox.open(dir.resolve("outbox"), DeviceConfig.DEFAULT_OUTBOX_BUDGET);
            // the pump options of the sensor appliance's main (SensorCommand)
            app = new SensorAppliance(config, board, Clock.SYSTEM, outbox, uplink, List.of(), Optional.of(store),
                    UplinkPump.Options.defaults()).start();
        }

        String fingerprint() {
            return app.identity().orElseThrow().fingerprint();
        }

        @Override
        public void close() throws Exception {
            if (app != null) app.close();
            if (uplink != null) uplink.close();
            if (outbox != null) outbox.close();
        }
    }

    private static void waitReady(Path log, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("the gateway exited: " + Files.readString(log));
            if (Files.exists(log) && dev.lichen.gateway.GatewayCommand.saysReady(Files.readString(log))) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("the gateway did not start in 120 s: " + Files.readString(log));
    }



    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String rss(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) return l.substring(6).strip();
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "unknown";
    }

    static int freeTcp() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static int freeUdp() throws IOException {
        try (var s = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
