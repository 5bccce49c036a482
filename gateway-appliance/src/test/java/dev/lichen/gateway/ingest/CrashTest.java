package dev.lichen.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.testing.GatewayProcess;
import dev.lichen.runtime.uplink.CoapUplink;
import dev.lichen.runtime.uplink.MqttUplink;
import dev.lichen.runtime.uplink.Uplink;
import dev.lichen.runtime.uplink.UplinkException;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.senml.Value;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as its own process, SIGKILLed 10 times at random moments while devices send over
 * CoAP and MQTT (3.1.1 and 5) with the project's uplinks, resending until acknowledged. After each
 * restart every acknowledged reading is stored exactly once; at the end every reading the devices
 * made (including those unacknowledged at a kill) is stored exactly once.
 */
class CrashTest {
    static final int KILLS = Integer.getInteger("crash.kills", 10);
    static final int PACK = 5;
    /** A small heap, and C1 only: each of the 11 starts is quicker (throughput is not measured here). */
    static final String[] JVM = {"-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"};

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // a failure leaves the data to look at
    Path dir;

    record Device(String id, Uplink uplink, ConcurrentSkipListSet<Long> acked,
                  java.util.concurrent.atomic.AtomicReference<String> lastError) {
        Device(String id, Uplink uplink, ConcurrentSkipListSet<Long> acked) {
            this(id, uplink, acked, new java.util.concurrent.atomic.AtomicReference<>(""));
        }
    }

    @Test
    void acknowledgedReadingsSurviveSigkillAndUnacknowledgedOnesArriveAfterRestart() throws Exception {
        Path data = dir.resolve("data");
        int coap = GatewayProcess.freeUdpPort();
        int mqtt = GatewayProcess.freeTcpPort();
        Random rnd = new Random(7);
        GatewayProcess gw = GatewayProcess.start(data, coap, mqtt, dir.resolve("gw.log"), JVM);
        var coapOpts = new CoapUplink.Options(SenmlFormat.CBOR, Duration.ofMillis(500), 2, 512);
        var mqttOpts = MqttUplink.Options.defaults().withTimeout(Duration.ofSeconds(3));
        List<Device> devices = List.of(
                new Device("crash-coap-1", new CoapUplink("127.0.0.1", coap, Optional.empty(), coapOpts), new ConcurrentSkipListSet<>()),
                new Device("crash-coap-2", new CoapUplink("127.0.0.1", coap, Optional.empty(),
                        new CoapUplink.Options(SenmlFormat.JSON, Duration.ofMillis(500), 2, 512)), new ConcurrentSkipListSet<>()),
                new Device("crash-mqtt5", new MqttUplink("crash-mqtt5", "127.0.0.1", mqtt, mqttOpts.withProtocol(MqttUplink.Protocol.V5)),
                        new ConcurrentSkipListSet<>()),
                new Device("crash-mqtt3", new MqttUplink("crash-mqtt3", "127.0.0.1", mqtt, mqttOpts.withProtocol(MqttUplink.Protocol.V3)),
                        new ConcurrentSkipListSet<>()));
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, Long> made = new java.util.concurrent.ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (Device d : devices) {
            threads.add(Thread.ofVirtual().start(() -> send(d, stop, made)));
        }
        try {
            for (int k = 0; k < KILLS; k++) {
                // every device (MQTT ones reconnect more slowly) gets packs through to this gateway
                // instance, then the kill comes at a random moment
                Map<String, Integer> before = new HashMap<>();
                for (Device d : devices) before.put(d.id(), d.acked().size());
                long until = System.currentTimeMillis() + 20_000;
                while (System.currentTimeMillis() < until
                        && devices.stream().anyMatch(d -> d.acked().size() <= before.get(d.id()))) Thread.sleep(20);
                Thread.sleep(rnd.nextInt(800));
                Map<String, Set<Long>> ackedAtKill = new HashMap<>();
                for (Device d : devices) ackedAtKill.put(d.id(), new TreeSet<>(d.acked()));
                gw.kill();
                gw = GatewayProcess.start(data, coap, mqtt, dir.resolve("gw.log"), JVM);
                for (Device d : devices) {
                    Map<Long, Integer> stored = stored(data, d.id());
                    for (long first : ackedAtKill.get(d.id())) {
                        for (long s = first; s < first + PACK; s++) {
                            if (stored.getOrDefault(s, 0) != 1) {
                                throw new AssertionError("kill " + (k + 1) + ": " + d.id() + " seq " + s
                                        + " was acknowledged before the kill but is stored " + stored.getOrDefault(s, 0)
                                        + " times (" + stored.size() + " stored of " + ackedAtKill.get(d.id()).size() * PACK
                                        + " acknowledged); data in " + data + "; gateway log:\n" + gw.log());
                            }
                        }
                    }
                }
                System.out.printf("kill %d: acknowledged so far %s%n", k + 1,
                        devices.stream().map(d -> d.id() + "=" + d.acked().size() * PACK + " (" + d.lastError().getAndSet("") + ")").toList());
            }
            Thread.sleep(500);
            stop.set(true);
            for (Thread t : threads) t.join(60_000);
            assertEquals(143, gw.stop(), "SIGTERM stops the gateway (128 + 15 after the shutdown hook ran)");
            assertTrue(gw.log().contains("stopping (committing what is queued)"), gw.log());
        } finally {
            stop.set(true);
            gw.close();
            for (Device d : devices) d.uplink().close();
        }
        for (Device d : devices) {
            Map<Long, Integer> stored = stored(data, d.id());
            long n = made.get(d.id());
            assertTrue(n > PACK * 10L, d.id() + " sent too little to mean anything: " + n);
            for (long s = 0; s < n; s++) assertEquals(1, stored.getOrDefault(s, 0), d.id() + " seq " + s + " stored exactly once");
            assertEquals(n, stored.size(), d.id() + ": nothing stored that the device did not send");
        }
    }

    /** A device: makes packs in sequence, resends each until acknowledged (its outbox, in memory). */
    private static void send(Device d, AtomicBoolean stop, Map<String, Long> made) {
        long seq = 0;
        while (!stop.get()) {
            List<Reading> rs = new ArrayList<>();
            for (int i = 0; i < PACK; i++) rs.add(new Reading("temperature", "Cel", new Value.Number(seq + i),
                    dev.lichen.gateway.testing.Clients.BASE_MILLIS + (seq + i) * 1000));
            Batch b = new Batch(d.id(), "boot-1", seq, rs);
            made.put(d.id(), seq + PACK);
            while (true) {
                try {
                    d.uplink().deliver(b);
                    d.acked().add(seq);
                    break;
                } catch (UplinkException e) {
                    if (!e.retryable()) throw new AssertionError(d.id() + ": refused: " + e.getMessage(), e);
                    d.lastError().set(e.getMessage());
                    sleep(100);
                }
            }
            seq += PACK;
            sleep(10);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads the gateway's SQLite file directly (WAL lets a reader in while it runs): seq -> copies. */
    private static Map<Long, Integer> stored(Path data, String device) throws Exception {
        Map<Long, Integer> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("lichen.db"));
             PreparedStatement ps = c.prepareStatement(
                     "SELECT r.seq FROM readings r JOIN boots b ON b.id = r.boot WHERE b.device_id = ?")) {
            ps.setString(1, device);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.merge(rs.getLong(1), 1, Integer::sum);
            }
        }
        return out;
    }
}
