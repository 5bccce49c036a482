package dev.lichen.benchmarks.gateway;

import dev.lichen.gateway.GatewayConfig.Limits;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.senml.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gateway ingest load run (issue 3): starts the gateway as its own process, then from THIS process
 * 1,000 devices send packs of 10 readings over MQTT ({@link MqttLoadClients}) and over CoAP ({@link CoapLoadClients}), each device
 * sending its next pack when the previous one is acknowledged (acknowledged = fsynced in the
 * gateway's ingest journal; the rows its SQLite gains over the same window are counted beside).
 * Then Debian's mosquitto relays the same packs to one subscriber, for the ratio.
 * Prints a Markdown table for BENCHMARKS.md.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.lichen.benchmarks.gateway.IngestLoad [--devices 1000] [--pack 10]
 *     [--seconds 20] [--warmup 5] [--window 1 (MQTT packs in flight per device)] [--coap-sockets 100] [--gateway-jvm "-Xmx256m"] [--mqtt-persistence in-memory|file]
 *     [--only mqtt,mqtts,coap,coaps,mosquitto] (mqtts: the same devices over MQTT over TLS, trusting the gateway CA; coaps: over DTLS, each socket a session with its own key)</pre>
 */
public final class IngestLoad {
    int devices = 1000;
    int pack = 10;
    int seconds = 20;
    int warmup = 5;
    int window = 1;
    int coapSockets = 100;
    String gatewayJvm = "";
    String mqttPersistence = "in-memory";
    String only = "mqtt,mqtts,coap,mosquitto";
    int mqttTlsPort, coapsPort;
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
                case "--coap-sockets" -> l.coapSockets = Integer.parseInt(v);
                case "--gateway-jvm" -> l.gatewayJvm = v;
                case "--mqtt-persistence" -> l.mqttPersistence = v;
                case "--only" -> l.only = v;
                default -> {
                    System.err.println("unknown flag " + args[i]
                            + "; flags: --devices N --pack N --seconds N --warmup N --window N --coap-sockets N"
                            + " --gateway-jvm \"OPTS\" --mqtt-persistence in-memory|file --only mqtt,mqtts,coap,coaps,mosquitto");
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
        mqttTlsPort = freeTcp();
        coapsPort = freeUdp();
        Process gw = startGateway(tmp.resolve("data"), coapPort, mqttPort, tmp.resolve("gateway.log"));
        gatewayDb = tmp.resolve("data/lichen.db");
        long pid = gw.pid();
        try {
            long rssIdle = rssKb(pid);
            System.out.printf("gateway pid %d up, RSS idle %d MB%n", pid, rssIdle / 1024);
            results.add(new Result("gateway idle", 0, rssIdle, "after start, no devices"));
            double mqtt = 0, mqtts = 0, coap = 0, coaps = 0;
            // in the order --only names them: the later runs meet a bigger database
            for (String run : only.split(",")) {
                switch (run) {
                    case "mqtt" -> mqtt = mqttLoad(mqttPort, "gateway MQTT", null, pid, results);
                    case "mqtts" -> mqtts = mqttLoad(mqttTlsPort, "gateway MQTT/TLS", null, pid, results, dev.lichen.runtime.uplink.TrustedCa.read(tmp.resolve("data/tls/ca.crt")).context());
                    case "coap" -> coap = coapLoad(coapPort, pid, results, null);
                    case "coaps" -> coaps = coapLoad(coapsPort, pid, results, dev.lichen.runtime.uplink.TrustedCa.read(tmp.resolve("data/tls/ca.crt")));
                    default -> { } // mosquitto runs after the gateway has stopped
                }
            }
            gw.destroy();
            gw.waitFor(60, TimeUnit.SECONDS);
            long rows;
            try (var c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("data/lichen.db"));
                 var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM readings")) {
                rs.next();
                rows = rs.getLong(1);
            }
            System.out.printf("readings in the gateway's SQLite after the run: %,d (acknowledged: %,d)%n", rows, acked.get());
            String missing = missingAcknowledged(tmp.resolve("data/lichen.db"));
            System.out.println("acknowledged readings in SQLite: " + missing);
            results.add(new Result("stored rows check", 0, 0, String.format("%,d rows stored, %,d acknowledged; %s", rows, acked.get(), missing)));
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
            if (mqtt > 0 && mqtts > 0) System.out.printf("%nratio gateway MQTT/TLS / plain MQTT (both durable): %.2f%n", mqtts / mqtt);
            if (coap > 0 && coaps > 0) System.out.printf("%nratio gateway CoAPS (own keys) / plain CoAP (both durable): %.2f%n", coaps / coap);
            if (mosq > 0) {
                System.out.printf("%nratio gateway MQTT (durable) / mosquitto (relay): %.2f; gateway CoAP / mosquitto: %.2f%n", mqtt / mosq, coap / mosq);
            }
        } finally {
            if (gw.isAlive()) gw.destroyForcibly();
        }
    }

    /**
     * Every acknowledged reading, by its key: per device, the rows of its boot with a sequence
     * number below what was acknowledged must be exactly that many (the key is unique).
     */
    String missingAcknowledged(Path db) throws java.sql.SQLException {
        long expected = 0;
        long missing = 0;
        int short_ = 0;
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
             var q = c.prepareStatement("SELECT COUNT(*) FROM readings r JOIN boots b ON b.id = r.boot"
                     + " WHERE b.device_id = ? AND b.boot_id = 'load' AND r.seq < ?")) {
            for (var e : acknowledgedBelow.entrySet()) {
                q.setString(1, e.getKey());
                q.setLong(2, e.getValue());
                try (var rs = q.executeQuery()) {
                    rs.next();
                    long have = rs.getLong(1);
                    expected += e.getValue();
                    if (have != e.getValue()) {
                        missing += e.getValue() - have;
                        short_++;
                    }
                }
            }
        }
        return String.format("%,d devices, %,d acknowledged readings checked by key, %,d missing (%d devices short)",
                acknowledgedBelow.size(), expected, missing, short_);
    }

    // ---------------------------------------------------------------- gateway process

    Process startGateway(Path data, int coap, int mqtt, Path log) throws Exception {
        Limits limits = Limits.forDevicesOnOneHost(devices);
        return startGateway(data, List.of("--coap-port", Integer.toString(coap), "--mqtt-port", Integer.toString(mqtt),
                "--mqtt-tls-port", Integer.toString(mqttTlsPort), "--coaps-port", Integer.toString(coapsPort),
                "--http-port", "0", "--ingest-only", "--mqtt-persistence", mqttPersistence,
                // every load device is new and all come from this one address: a load run, not an attack
                "--max-new-devices", Integer.toString(limits.newDevices()),
                "--per-address-rate", Integer.toString(limits.perAddressPerSecond())), gatewayJvm, log);
    }

    /** Starts `lichen gateway --data DATA --bind 127.0.0.1 FLAGS` as its own process and waits for its ready line. */
    static Process startGateway(Path data, List<String> flags, String jvmOptions, Path log) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        for (String o : jvmOptions.split(" ")) if (!o.isBlank()) cmd.add(o);
        cmd.addAll(List.of("-cp", dev.lichen.benchmarks.GatewayJvm.classPath(), "dev.lichen.gateway.GatewayCommand", "--data", data.toString(),
                "--bind", "127.0.0.1"));
        cmd.addAll(flags);
        System.out.println("starting gateway: " + String.join(" ", cmd.subList(0, Math.min(cmd.size(), 4))) + " ... " + jvmOptions);
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
    /** Per gateway device: every reading with a lower sequence number was acknowledged. */
    final java.util.Map<String, Long> acknowledgedBelow = new java.util.HashMap<>();

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
        return measure(what, counter, null, pid, results, note);
    }

    /** The same, with the rate of the relay's publishers' acks ({@code beside}) over the same window in the note. */
    double measure(String what, AtomicLong counter, AtomicLong beside, long pid, List<Result> results, String note)
            throws InterruptedException {
        Thread.sleep(warmup * 1000L);
        boolean gateway = what.startsWith("gateway") && gatewayDb != null;
        long r0 = gateway ? storedRows() : 0;
        long c0 = counter.get();
        long b0 = beside != null ? beside.get() : 0;
        long s0 = System.nanoTime();
        double cpu0 = pid > 0 ? dev.lichen.benchmarks.Cpu.seconds(pid) : 0;
        long self = ProcessHandle.current().pid();
        double selfCpu0 = dev.lichen.benchmarks.Cpu.seconds(self);
        double busy0 = dev.lichen.benchmarks.Cpu.machineBusySeconds();
        long maxRss = 0;
        for (int i = 0; i < seconds; i++) {
            Thread.sleep(1000);
            if (pid > 0) maxRss = Math.max(maxRss, rssKb(pid));
            System.out.printf("  %s: %,d readings so far%n", what, counter.get());
        }
        long c1 = counter.get();
        double wall = (System.nanoTime() - s0) / 1e9;
        double rate = (c1 - c0) / wall;
        if (beside != null) note += String.format("; the publishers' acks over the same window: %,.0f readings/s", (beside.get() - b0) / wall);
        if (gateway) {
            double storedRate = (storedRows() - r0) / ((System.nanoTime() - s0) / 1e9);
            System.out.printf("%s: stored in SQLite over the same window: %,.0f readings/s%n", what, storedRate);
            note = note + String.format("; stored in SQLite over the window: %,.0f readings/s", storedRate);
        }
        double cpu = pid > 0 ? dev.lichen.benchmarks.Cpu.seconds(pid) - cpu0 : 0;
        double selfCpu = dev.lichen.benchmarks.Cpu.seconds(self) - selfCpu0;
        String cpuNote = (pid > 0 ? String.format("; server CPU %.2f cores, %.1f us CPU per reading", cpu / wall,
                cpu * 1e6 / Math.max(1, counter.get() - c0)) : "")
                + String.format("; load generator CPU %.2f cores; other processes %.2f cores", selfCpu / wall,
                        Math.max(0, (dev.lichen.benchmarks.Cpu.machineBusySeconds() - busy0) - cpu - selfCpu) / wall);
        System.out.printf("%s: %,.0f readings/s, RSS max %d MB%s%n", what, rate, maxRss / 1024, cpuNote);
        results.add(new Result(what, rate, maxRss, note + cpuNote));
        return rate;
    }

    // ---------------------------------------------------------------- MQTT

    double mqttLoad(int port, String what, AtomicLong relayed, long pid, List<Result> results) throws Exception {
        return mqttLoad(port, what, relayed, pid, results, null);
    }

    /** With tls, the devices speak MQTT over TLS trusting only the gateway's CA (other device ids). */
    double mqttLoad(int port, String what, AtomicLong relayed, long pid, List<Result> results, javax.net.ssl.SSLContext tls)
            throws Exception {
        AtomicLong published = new AtomicLong(); // readings whose PUBACK came back
        List<String> ids = new ArrayList<>();
        for (int d = 0; d < devices; d++) ids.add(String.format(tls != null ? "load-t%04d" : "load-m%04d", d));
        System.out.printf("%s: connecting %d devices...%n", what, devices);
        double rate;
        MqttLoadClients clients = new MqttLoadClients(port, tls);
        try (clients) {
            long c0 = System.nanoTime();
            double cpu0 = pid > 0 ? dev.lichen.benchmarks.Cpu.seconds(pid) : 0;
            double self0 = dev.lichen.benchmarks.Cpu.seconds(ProcessHandle.current().pid());
            clients.startPublishers(ids, window, pack, (id, s) -> packFor(id, s, SenmlFormat.CBOR), published);
            double took = (System.nanoTime() - c0) / 1e9;
            double cpu = pid > 0 ? dev.lichen.benchmarks.Cpu.seconds(pid) - cpu0 : 0;
            double self = dev.lichen.benchmarks.Cpu.seconds(ProcessHandle.current().pid()) - self0;
            long rss = pid > 0 ? rssKb(pid) : 0;
            System.out.printf("%s: %d devices connected in %.2f s (%,.0f connects/s, server CPU %.2f cores, load generator %.2f cores), RSS %d MB%n",
                    what, devices, took, devices / took, cpu / took, self / took, rss / 1024);
            if (relayed == null) {
                results.add(new Result(what + " connects", 0, rss, String.format("%d devices %s in %.2f s: %,.0f connects/s "
                        + "(TCP%s + MQTT CONNECT/CONNACK, all at once from one event loop); server CPU %.2f cores, load generator %.2f cores over it; RSS with the %d sessions open",
                        devices, tls != null ? "TLS handshakes" : "connects", took, devices / took, tls != null ? " + TLS 1.3 handshake" : "",
                        cpu / took, self / took, devices)));
            }
            rate = relayed != null
                    ? measure(what, relayed, published, pid, results, String.format(
                            "%d MQTT 3.1.1 publishers QoS 1 -> mosquitto -> 1 subscriber QoS 1", devices))
                    : measure(what, published, pid, results, String.format("%d MQTT 3.1.1 devices (Netty's MQTT codec, one event loop), "
                            + "QoS 1, %d pack(s) in flight per device, PUBACK after the journal fsync", devices, window));
            clients.stop();
            Thread.sleep(500);
        }
        long errors = clients.errors.get();
        if (relayed == null) {
            acked.addAndGet(published.get());
            acknowledgedBelow.putAll(clients.acknowledgedBelow());
        }
        System.out.printf("%s: %d connection errors%n", what, errors);
        return rate;
    }

    // ---------------------------------------------------------------- CoAP

    /** With ca, over CoAPS: each socket a DTLS session with a key pair of its own (other device ids). */
    double coapLoad(int port, long pid, List<Result> results, dev.lichen.runtime.uplink.TrustedCa ca) throws Exception {
        AtomicLong count = new AtomicLong();
        List<String> ids = new ArrayList<>();
        for (int d = 0; d < devices; d++) ids.add(String.format(ca == null ? "load-c%04d" : "load-s%04d", d));
        double rate;
        String errors;
        String what = ca == null ? "gateway CoAP" : "gateway CoAPS";
        CoapLoadClients clients = new CoapLoadClients(port, ids, coapSockets, pack, (id, s) -> packFor(id, s, SenmlFormat.CBOR), count, ca);
        try (clients) {
            rate = measure(what, count, pid, results,
                    String.format("%d devices on %d %s (Californium's serializer, one thread), CON POST CBOR, 1 pack in flight per device, 2.04 after the journal fsync",
                            devices, coapSockets, ca == null ? "UDP sockets" : "DTLS sessions (own key each, raw public key)"));
            clients.stop();
            Thread.sleep(2500); // the last answers
            errors = String.format("%d timeouts (resent), %d error responses %s", clients.timeouts.get(), clients.errors.get(), clients.errorCodes);
        }
        acked.addAndGet(count.get());
        acknowledgedBelow.putAll(clients.acknowledgedBelow());
        System.out.printf("%s: %s%n", what, errors);
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
            double rate;
            try (MqttLoadClients subscriber = new MqttLoadClients(port)) {
                subscriber.startSubscriber("load-subscriber", "lichen/+/readings", pack, relayed);
                rate = mqttLoad(port, "mosquitto relay", relayed, m.pid(), results);
            }
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
