package dev.lichen.benchmarks.gateway;

import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.senml.Value;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Gateway ingest load run (issue 3): starts the gateway as its own process, then from THIS process
 * 1,000 devices send packs of 10 readings over MQTT (Paho) and over CoAP (Californium), each device
 * sending its next pack when the previous one is acknowledged (acknowledged = fsynced in the
 * gateway's ingest journal; the rows its SQLite gains over the same window are counted beside).
 * Then Debian's mosquitto relays the same packs to one Paho subscriber, for the ratio.
 * Prints a Markdown table for BENCHMARKS.md.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.lichen.benchmarks.gateway.IngestLoad [--devices 1000] [--pack 10]
 *     [--seconds 20] [--warmup 5] [--window 1] [--gateway-jvm "-Xmx256m"] [--mqtt-persistence in-memory|file]
 *     [--only mqtt,coap,mosquitto]</pre>
 */
public final class IngestLoad {
    static {
        CoapConfig.register();
        UdpConfig.register();
    }

    int devices = 1000;
    int pack = 10;
    int seconds = 20;
    int warmup = 5;
    int window = 1;
    int coapEndpoints = 50;
    String gatewayJvm = "";
    String mqttPersistence = "in-memory";
    String only = "mqtt,coap,mosquitto";
    final SenmlCodec codec = new SenmlCodec();
    final long t0 = System.currentTimeMillis();

    public static void main(String[] args) throws Exception {
        IngestLoad l = new IngestLoad();
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--devices" -> l.devices = Integer.parseInt(v);
                case "--pack" -> l.pack = Integer.parseInt(v);
                case "--seconds" -> l.seconds = Integer.parseInt(v);
                case "--warmup" -> l.warmup = Integer.parseInt(v);
                case "--window" -> l.window = Integer.parseInt(v);
                case "--coap-endpoints" -> l.coapEndpoints = Integer.parseInt(v);
                case "--gateway-jvm" -> l.gatewayJvm = v;
                case "--mqtt-persistence" -> l.mqttPersistence = v;
                case "--only" -> l.only = v;
                default -> {
                    System.err.println("unknown flag " + args[i]
                            + "; flags: --devices N --pack N --seconds N --warmup N --window N --coap-endpoints N"
                            + " --gateway-jvm \"OPTS\" --mqtt-persistence in-memory|file --only mqtt,coap,mosquitto");
                    System.exit(2);
                }
            }
        }
        l.run();
        System.exit(0);
    }

    record Result(String what, double readingsPerSecond, long rssKb, String note) {}

    void run() throws Exception {
        Path tmp = Files.createTempDirectory("lichen-load-");
        List<Result> results = new ArrayList<>();
        int coapPort = freeUdp();
        int mqttPort = freeTcp();
        Process gw = startGateway(tmp.resolve("data"), coapPort, mqttPort, tmp.resolve("gateway.log"));
        gatewayDb = tmp.resolve("data/lichen.db");
        long pid = gw.pid();
        try {
            long rssIdle = rssKb(pid);
            System.out.printf("gateway pid %d up, RSS idle %d MB%n", pid, rssIdle / 1024);
            results.add(new Result("gateway idle", 0, rssIdle, "after start, no devices"));
            double mqtt = only.contains("mqtt") ? mqttLoad("tcp://127.0.0.1:" + mqttPort, "gateway MQTT", null, pid, results) : 0;
            double coap = only.contains("coap") ? coapLoad(coapPort, pid, results) : 0;
            gw.destroy();
            gw.waitFor(60, TimeUnit.SECONDS);
            long rows;
            try (var c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("data/lichen.db"));
                 var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM readings")) {
                rs.next();
                rows = rs.getLong(1);
            }
            System.out.printf("readings in the gateway's SQLite after the run: %,d (acknowledged: %,d)%n", rows, acked.get());
            results.add(new Result("stored rows check", 0, 0, String.format("%,d rows stored, %,d acknowledged", rows, acked.get())));
            results.add(new Result("disk after the run", 0, 0, String.format("SQLite %s MB (db+wal), broker folder (%s) %s MB",
                    mb(du(tmp.resolve("data"), "lichen.db")), mqttPersistence, mb(du(tmp.resolve("data/mqtt"), "")))));
            double mosq = only.contains("mosquitto") ? mosquitto(tmp, results) : 0;
            System.out.println();
            System.out.println("| run | readings/s | RSS (MB) | note |");
            System.out.println("|---|---:|---:|---|");
            for (Result r : results) {
                System.out.printf("| %s | %s | %s | %s |%n", r.what(), r.readingsPerSecond() > 0 ? String.format("%,.0f", r.readingsPerSecond()) : "",
                        r.rssKb() > 0 ? Long.toString(r.rssKb() / 1024) : "", r.note());
            }
            if (mosq > 0) {
                System.out.printf("%nratio gateway MQTT (durable) / mosquitto (relay): %.2f; gateway CoAP / mosquitto: %.2f%n", mqtt / mosq, coap / mosq);
            }
        } finally {
            if (gw.isAlive()) gw.destroyForcibly();
        }
    }

    // ---------------------------------------------------------------- gateway process

    Process startGateway(Path data, int coap, int mqtt, Path log) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        for (String o : gatewayJvm.split(" ")) if (!o.isBlank()) cmd.add(o);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.lichen.gateway.GatewayCommand", "--data", data.toString(),
                "--bind", "127.0.0.1", "--coap-port", Integer.toString(coap), "--mqtt-port", Integer.toString(mqtt),
                "--http-port", "0", "--ingest-only", "--mqtt-persistence", mqttPersistence));
        System.out.println("starting gateway: " + String.join(" ", cmd.subList(0, Math.min(cmd.size(), 4))) + " ... " + gatewayJvm);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(log) && dev.lichen.gateway.GatewayCommand.saysReady(Files.readString(log))) return p;
            if (!p.isAlive()) throw new IllegalStateException("gateway exited:\n" + Files.readString(log));
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new IllegalStateException("gateway not ready in 120 s");
    }

    static long du(Path dir, String prefix) throws IOException {
        try (var w = Files.walk(dir)) {
            return w.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().startsWith(prefix))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static String mb(long bytes) {
        return String.format("%.1f", bytes / 1e6);
    }

    /** utime + stime of a process from /proc (clock ticks of 1/100 s on Linux). */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException ignored) {
            // process gone
        }
        return 0;
    }

    // ---------------------------------------------------------------- packs

    final AtomicLong acked = new AtomicLong();

    byte[] packFor(String device, long seq, SenmlFormat f) {
        List<Reading> rs = new ArrayList<>(pack);
        long t = t0 + seq * 100;
        for (int i = 0; i < pack; i++) {
            rs.add(new Reading(i % 2 == 0 ? "temperature" : "humidity", i % 2 == 0 ? "Cel" : "%RH",
                    new Value.Number(20 + (seq + i) % 100 / 10.0), t + i));
        }
        return codec.encode(new Batch(device, "load", seq, rs), f);
    }

    /** The gateway's database while the gateway runs (null for the mosquitto run). */
    Path gatewayDb;

    /** Rows in the gateway's readings table, read beside the running gateway (WAL lets a reader in). */
    long storedRows() {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + gatewayDb);
             var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM readings")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot count the gateway's stored readings: " + e.getMessage(), e);
        }
    }

    /**
     * Counts acknowledged readings over the measured window after the warm-up; samples RSS meanwhile.
     * For the gateway also the rows its database gained in the same window: acknowledged means
     * durable in the ingest journal, stored means in SQLite, and only the second can be kept up.
     */
    double measure(String what, AtomicLong counter, long pid, List<Result> results, String note) throws InterruptedException {
        Thread.sleep(warmup * 1000L);
        boolean gateway = what.startsWith("gateway") && gatewayDb != null;
        long r0 = gateway ? storedRows() : 0;
        long c0 = counter.get();
        long s0 = System.nanoTime();
        double cpu0 = pid > 0 ? cpuSeconds(pid) : 0;
        long maxRss = 0;
        for (int i = 0; i < seconds; i++) {
            Thread.sleep(1000);
            if (pid > 0) maxRss = Math.max(maxRss, rssKb(pid));
            System.out.printf("  %s: %,d readings so far%n", what, counter.get());
        }
        long c1 = counter.get();
        double wall = (System.nanoTime() - s0) / 1e9;
        double rate = (c1 - c0) / wall;
        if (gateway) {
            double storedRate = (storedRows() - r0) / ((System.nanoTime() - s0) / 1e9);
            System.out.printf("%s: stored in SQLite over the same window: %,.0f readings/s%n", what, storedRate);
            note = note + String.format("; stored in SQLite over the window: %,.0f readings/s", storedRate);
        }
        double cpu = pid > 0 ? cpuSeconds(pid) - cpu0 : 0;
        String cpuNote = pid > 0 ? String.format("; server CPU %.2f cores, %.1f us CPU per reading", cpu / wall,
                cpu * 1e6 / Math.max(1, counter.get() - c0)) : "";
        System.out.printf("%s: %,.0f readings/s, RSS max %d MB%s%n", what, rate, maxRss / 1024, cpuNote);
        results.add(new Result(what, rate, maxRss, note + cpuNote));
        return rate;
    }

    // ---------------------------------------------------------------- MQTT

    double mqttLoad(String uri, String what, AtomicLong relayed, long pid, List<Result> results) throws Exception {
        AtomicLong count = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<MqttAsyncClient> clients = new ArrayList<>();
        List<IMqttToken> connecting = new ArrayList<>();
        // the devices' Paho clients share one scheduler instead of a timer thread each
        ScheduledExecutorService pool = Executors.newScheduledThreadPool(8);
        System.out.printf("%s: connecting %d devices...%n", what, devices);
        for (int d = 0; d < devices; d++) {
            String id = String.format("load-m%04d", d);
            MqttAsyncClient c = new MqttAsyncClient(uri, id, new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setCleanSession(true);
            o.setMaxInflight(Math.max(10, window));
            o.setKeepAliveInterval(60);
            connecting.add(c.connect(o));
            clients.add(c);
        }
        for (IMqttToken t : connecting) t.waitForCompletion(120_000);
        System.out.printf("%s: %d devices connected%n", what, clients.size());
        AtomicLong stop = new AtomicLong();
        for (int d = 0; d < devices; d++) {
            MqttAsyncClient c = clients.get(d);
            String id = String.format("load-m%04d", d);
            String topic = "lichen/" + id + "/readings";
            AtomicLong seq = new AtomicLong();
            for (int w = 0; w < window; w++) {
                new Object() {
                    void next() {
                        if (stop.get() != 0) return;
                        long s = seq.getAndAdd(pack);
                        send(s);
                    }

                    void send(long s) {
                        try {
                            c.publish(topic, packFor(id, s, SenmlFormat.CBOR), 1, false, null, new IMqttActionListener() {
                                @Override public void onSuccess(IMqttToken t) {
                                    count.addAndGet(pack);
                                    if (relayed == null) acked.addAndGet(pack);
                                    next();
                                }

                                @Override public void onFailure(IMqttToken t, Throwable e) {
                                    errors.incrementAndGet();
                                    pool.schedule(() -> send(s), 200, TimeUnit.MILLISECONDS);
                                }
                            });
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            pool.schedule(() -> send(s), 200, TimeUnit.MILLISECONDS);
                        }
                    }
                }.next();
            }
        }
        double rate = measure(what, relayed != null ? relayed : count, pid, results,
                relayed != null ? String.format("%d Paho 3.1.1 publishers QoS 1 -> mosquitto -> 1 Paho subscriber QoS 1 (publishers' acks: %,.0f readings/s)",
                        devices, 0.0) : String.format("%d Paho 3.1.1 clients, QoS 1, %d pack(s) in flight per device, PUBACK after the journal fsync", devices, window));
        if (relayed != null) {
            Result last = results.removeLast();
            double pubRate = count.get() / (double) (warmup + seconds); // rough: acks at the publishers over the whole run
            results.add(new Result(last.what(), last.readingsPerSecond(), last.rssKb(), last.note().replace("0 readings/s", String.format("%,.0f readings/s", pubRate))));
        }
        stop.set(1);
        Thread.sleep(500);
        try (var teardown = Executors.newVirtualThreadPerTaskExecutor()) {
            for (MqttAsyncClient c : clients) {
                teardown.submit(() -> {
                    try {
                        c.disconnectForcibly(0, 500, false);
                        c.close();
                    } catch (Exception ignored) {
                        // best effort
                    }
                });
            }
        }
        pool.shutdownNow();
        System.out.printf("%s: %d publish errors%n", what, errors.get());
        return rate;
    }

    // ---------------------------------------------------------------- CoAP

    double coapLoad(int port, long pid, List<Result> results) throws Exception {
        AtomicLong count = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Configuration cfg = Configuration.createStandardWithoutFile();
        // many requests per endpoint: short exchange lifetime so message ids recycle
        cfg.set(CoapConfig.EXCHANGE_LIFETIME, 20, TimeUnit.SECONDS);
        cfg.set(CoapConfig.MID_TRACKER, CoapConfig.TrackerMode.NULL);
        cfg.set(CoapConfig.ACK_TIMEOUT, 2000, TimeUnit.MILLISECONDS);
        ScheduledExecutorService main = Executors.newScheduledThreadPool(4);
        ScheduledExecutorService secondary = Executors.newScheduledThreadPool(1);
        List<CoapEndpoint> eps = new ArrayList<>();
        for (int e = 0; e < coapEndpoints; e++) {
            CoapEndpoint ep = CoapEndpoint.builder().setConfiguration(cfg).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
            ep.setExecutors(main, secondary);
            ep.start();
            eps.add(ep);
        }
        String uri = "coap://127.0.0.1:" + port + "/r";
        AtomicLong stop = new AtomicLong();
        for (int d = 0; d < devices; d++) {
            String id = String.format("load-c%04d", d);
            CoapEndpoint ep = eps.get(d % eps.size());
            AtomicLong seq = new AtomicLong();
            for (int w = 0; w < window; w++) {
                new Object() {
                    void next() {
                        if (stop.get() != 0) return;
                        send(seq.getAndAdd(pack));
                    }

                    void send(long s) {
                        Request r = Request.newPost();
                        r.setURI(uri);
                        r.getOptions().setContentFormat(SenmlFormat.CBOR.contentFormat());
                        r.setPayload(packFor(id, s, SenmlFormat.CBOR));
                        r.addMessageObserver(new MessageObserverAdapter() {
                            @Override public void onResponse(Response response) {
                                if (response.isSuccess()) {
                                    count.addAndGet(pack);
                                    acked.addAndGet(pack);
                                    next();
                                } else {
                                    errors.incrementAndGet();
                                    main.schedule(() -> send(s), 200, TimeUnit.MILLISECONDS);
                                }
                            }

                            @Override public void onTimeout() { retry(); }

                            @Override protected void failed() { retry(); }

                            void retry() {
                                errors.incrementAndGet();
                                main.schedule(() -> send(s), 200, TimeUnit.MILLISECONDS);
                            }
                        });
                        ep.sendRequest(r);
                    }
                }.next();
            }
        }
        double rate = measure("gateway CoAP", count, pid, results,
                String.format("%d devices on %d Californium endpoints, CON POST CBOR, %d pack(s) in flight per device, 2.04 after the journal fsync",
                        devices, coapEndpoints, window));
        stop.set(1);
        Thread.sleep(2500);
        for (CoapEndpoint ep : eps) ep.destroy();
        main.shutdownNow();
        secondary.shutdownNow();
        System.out.printf("gateway CoAP: %d errors/timeouts%n", errors.get());
        return rate;
    }

    // ---------------------------------------------------------------- mosquitto

    double mosquitto(Path tmp, List<Result> results) throws Exception {
        Path bin = Path.of("/usr/sbin/mosquitto");
        if (!Files.isExecutable(bin)) {
            System.out.println("mosquitto not found: install Debian's 'mosquitto' package for the comparison");
            return 0;
        }
        int port = freeTcp();
        Path conf = tmp.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n");
        Process m = new ProcessBuilder(bin.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("mosquitto.log").toFile()).start();
        try {
            Thread.sleep(500);
            AtomicLong relayed = new AtomicLong();
            MqttAsyncClient sub = new MqttAsyncClient("tcp://127.0.0.1:" + port, "load-subscriber", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            o.setMaxInflight(1000);
            sub.setCallback(new MqttCallback() {
                @Override public void connectionLost(Throwable cause) {
                    System.out.println("subscriber lost its connection: " + cause);
                }

                @Override public void messageArrived(String topic, MqttMessage message) {
                    relayed.addAndGet(pack);
                }

                @Override public void deliveryComplete(IMqttDeliveryToken token) {}
            });
            sub.connect(o).waitForCompletion(10_000);
            sub.subscribe("lichen/+/readings", 1).waitForCompletion(10_000);
            double rate = mqttLoad("tcp://127.0.0.1:" + port, "mosquitto relay", relayed, m.pid(), results);
            sub.disconnectForcibly(100, 100);
            sub.close();
            return rate;
        } finally {
            m.destroy();
            m.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freeUdp() throws IOException {
        try (var s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static int freeTcp() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

}
