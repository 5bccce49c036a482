package dev.lichen.gateway.ingest;

import static dev.lichen.gateway.testing.Clients.pack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.store.StoredReading;
import dev.lichen.gateway.testing.Clients;
import dev.lichen.senml.Batch;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingest over both doors with the project's clients and Debian's, good input and bad. */
class IngestTest {
    @TempDir
    static Path dir;
    static Gateway gw;
    static final SenmlCodec CODEC = new SenmlCodec();

    @BeforeAll
    static void start() throws Exception {
        gw = Gateway.start(GatewayConfig.forTest(dir.resolve("data")), List.of());
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
    }

    /** What the store holds once everything acknowledged so far is written (the ack means "in the journal"). */
    static List<Double> stored(String device) {
        try {
            assertTrue(gw.pipeline().awaitStored(java.time.Duration.ofSeconds(10)), "the writer caught up");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return gw.store().readings(device, "temperature", 0, Long.MAX_VALUE, 10_000).stream().map(StoredReading::value).toList();
    }

    static double metric(String name, String... labels) {
        return gw.metrics().value(name, labels);
    }

    @Test
    void californiumClientCborAndJsonAreStoredOnceAndAcknowledgedWith204() throws Exception {
        CoapClient c = Clients.coap(gw.coapPort());
        try {
            Batch b = pack("coap-own", "boot1", 0, 10, 20);
            CoapResponse r = c.post(CODEC.encode(b, SenmlFormat.CBOR), 112);
            assertEquals(ResponseCode.CHANGED, r.getCode());
            // the ack came once the pack was in the journal; stored() waits for the writer
            assertEquals(List.of(20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0), stored("coap-own"));
            // resent (a lost ack): still 2.04, still stored once
            assertEquals(ResponseCode.CHANGED, c.post(CODEC.encode(b, SenmlFormat.JSON), 110).getCode());
            assertEquals(10, stored("coap-own").size());
            assertEquals(ResponseCode.CHANGED, c.post(CODEC.encode(pack("coap-own", "boot1", 10, 2, 30), SenmlFormat.JSON), 110).getCode());
            assertEquals(12, stored("coap-own").size());
        } finally {
            c.shutdown();
        }
    }

    @Test
    void debianCoapClientPostsCborAndJson() throws Exception {
        Path cbor = dir.resolve("pack.cbor");
        Files.write(cbor, CODEC.encode(pack("coap-libcoap", "b", 0, 3, 10), SenmlFormat.CBOR));
        var run = Clients.run("libcoap3-bin", List.of("coap-client-notls", "-m", "post", "-t", "112", "-f", cbor.toString(),
                "-B", "10", "coap://127.0.0.1:" + gw.coapPort() + "/r"));
        assertEquals(0, run.exit(), run.output());
        String json = new String(CODEC.encode(pack("coap-libcoap", "b", 3, 2, 13), SenmlFormat.JSON), StandardCharsets.UTF_8);
        Path jf = dir.resolve("pack.json");
        Files.writeString(jf, json);
        run = Clients.run("libcoap3-bin", List.of("coap-client-notls", "-m", "post", "-t", "110", "-f", jf.toString(),
                "-B", "10", "coap://127.0.0.1:" + gw.coapPort() + "/r"));
        assertEquals(0, run.exit(), run.output());
        assertEquals(List.of(10.0, 11.0, 12.0, 13.0, 14.0), stored("coap-libcoap"));
    }

    @Test
    void coapBadInputGetsTheRightCodesAndIsCounted() throws Exception {
        CoapClient c = Clients.coap(gw.coapPort());
        try {
            double malformed = metric("lichen_ingest_rejects_total", "coap", "malformed");
            CoapResponse r = c.post("[{\"n\":\"x\",\"v\":\"not a number\"".getBytes(StandardCharsets.UTF_8), 110);
            assertEquals(ResponseCode.BAD_REQUEST, r.getCode());
            assertTrue(r.getResponseText().contains("invalid SenML"), r.getResponseText());
            // valid SenML, but not a Lichen pack (no boot id / sequence)
            r = c.post("[{\"bn\":\"urn:dev:lichen:x:\",\"n\":\"t\",\"v\":1}]".getBytes(StandardCharsets.UTF_8), 110);
            assertEquals(ResponseCode.BAD_REQUEST, r.getCode());
            assertTrue(r.getResponseText().contains("MISSING_IDENTITY"), r.getResponseText());
            assertEquals(malformed + 2, metric("lichen_ingest_rejects_total", "coap", "malformed"));

            double large = metric("lichen_ingest_rejects_total", "coap", "too_large");
            r = c.post(new byte[GatewayConfig.DEFAULT_MAX_PACK_BYTES + 1], 112);
            assertEquals(ResponseCode.REQUEST_ENTITY_TOO_LARGE, r.getCode());
            assertEquals(GatewayConfig.DEFAULT_MAX_PACK_BYTES, r.getOptions().getSize1());
            assertEquals(large + 1, metric("lichen_ingest_rejects_total", "coap", "too_large"));

            double fmt = metric("lichen_ingest_rejects_total", "coap", "unsupported_format");
            r = c.post("21.5".getBytes(StandardCharsets.UTF_8), 0); // text/plain
            assertEquals(ResponseCode.UNSUPPORTED_CONTENT_FORMAT, r.getCode());
            r = c.post(CODEC.encode(pack("coap-bad", "b", 0, 1, 1), SenmlFormat.JSON), 50); // application/json
            assertEquals(ResponseCode.UNSUPPORTED_CONTENT_FORMAT, r.getCode());
            assertEquals(fmt + 2, metric("lichen_ingest_rejects_total", "coap", "unsupported_format"));
            assertTrue(stored("coap-bad").isEmpty());
        } finally {
            c.shutdown();
        }
    }

    @Test
    void debianCoapClientSeesTheErrorCodes() throws Exception {
        var run = Clients.run("libcoap3-bin", List.of("coap-client-notls", "-m", "post", "-t", "110", "-e", "[{\"v\":1}",
                "-B", "10", "coap://127.0.0.1:" + gw.coapPort() + "/r"));
        assertTrue(run.output().contains("4.00"), run.output());
        run = Clients.run("libcoap3-bin", List.of("coap-client-notls", "-m", "post", "-t", "0", "-e", "21.5",
                "-B", "10", "coap://127.0.0.1:" + gw.coapPort() + "/r"));
        assertTrue(run.output().contains("4.15"), run.output());
    }

    @Test
    void pahoV5AndV3PublishesAreStored() throws Exception {
        MqttAsyncClient v5 = new MqttAsyncClient("tcp://127.0.0.1:" + gw.mqttPort(), "paho5-dev",
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        v5.connect(o).waitForCompletion(10_000);
        MqttMessage m = new MqttMessage(CODEC.encode(pack("mqtt-paho5", "b", 0, 10, 1), SenmlFormat.CBOR));
        m.setQos(1);
        IMqttToken t = v5.publish("lichen/mqtt-paho5/readings", m);
        t.waitForCompletion(10_000);
        assertTrue(t.getReasonCodes() == null || t.getReasonCodes()[0] < 0x80);
        assertEquals(10, stored("mqtt-paho5").size());

        // invalid SenML: PUBACK reason 0x99, nothing stored, counted
        double bad = metric("lichen_ingest_rejects_total", "mqtt", "malformed");
        m = new MqttMessage("[{\"bn\":".getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        t = v5.publish("lichen/mqtt-paho5/readings", m);
        t.waitForCompletion(10_000);
        assertEquals(0x99, t.getReasonCodes()[0]);
        assertEquals(bad + 1, metric("lichen_ingest_rejects_total", "mqtt", "malformed"));
        // a pack of another device on this device's topic: not authorised
        m = new MqttMessage(CODEC.encode(pack("someone-else", "b", 0, 1, 1), SenmlFormat.CBOR));
        m.setQos(1);
        t = v5.publish("lichen/mqtt-paho5/readings", m);
        t.waitForCompletion(10_000);
        assertEquals(0x87, t.getReasonCodes()[0]);
        assertTrue(gw.store().device("someone-else").isEmpty());
        v5.disconnect().waitForCompletion(5000);
        v5.close();

        MqttClient v3 = new MqttClient("tcp://127.0.0.1:" + gw.mqttPort(), "paho3-dev", new MemoryPersistence());
        MqttConnectOptions o3 = new MqttConnectOptions();
        o3.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        v3.connect(o3);
        v3.publish("lichen/mqtt-paho3/readings", CODEC.encode(pack("mqtt-paho3", "b", 0, 5, 1), SenmlFormat.JSON), 1, false);
        assertEquals(5, stored("mqtt-paho3").size());
        double bad3 = metric("lichen_ingest_rejects_total", "mqtt", "malformed");
        v3.publish("lichen/mqtt-paho3/readings", "garbage".getBytes(StandardCharsets.UTF_8), 1, false);
        assertEquals(bad3 + 1, metric("lichen_ingest_rejects_total", "mqtt", "malformed"), "3.1.1: dropped and counted");
        assertTrue(v3.isConnected());
        assertEquals(5, stored("mqtt-paho3").size());
        v3.disconnect();
        v3.close();
    }

    @Test
    void mosquittoPubV5AndV311() throws Exception {
        Path f = dir.resolve("mq.cbor");
        Files.write(f, CODEC.encode(pack("mqtt-mosq", "b", 0, 4, 50), SenmlFormat.CBOR));
        var run = Clients.run("mosquitto-clients", List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(gw.mqttPort()),
                "-V", "mqttv5", "-q", "1", "-i", "mosq5", "-t", "lichen/mqtt-mosq/readings", "-f", f.toString()));
        assertEquals(0, run.exit(), run.output());
        Files.write(f, CODEC.encode(pack("mqtt-mosq", "b", 4, 2, 54), SenmlFormat.JSON));
        run = Clients.run("mosquitto-clients", List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(gw.mqttPort()),
                "-V", "mqttv311", "-q", "1", "-i", "mosq3", "-t", "lichen/mqtt-mosq/readings", "-f", f.toString()));
        assertEquals(0, run.exit(), run.output());
        assertEquals(List.of(50.0, 51.0, 52.0, 53.0, 54.0, 55.0), stored("mqtt-mosq"));
        // invalid over MQTT 5: mosquitto_pub reports the reason code
        run = Clients.run("mosquitto-clients", List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(gw.mqttPort()),
                "-V", "mqttv5", "-q", "1", "-i", "mosq5b", "-t", "lichen/mqtt-mosq/readings", "-m", "[1,2"));
        assertTrue(run.output().toLowerCase().contains("payload format invalid"), run.output());
    }

    @Test
    void statusTopicSetsOnlineState() throws Exception {
        var run = Clients.run("mosquitto-clients", List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(gw.mqttPort()),
                "-V", "mqttv5", "-q", "1", "-r", "-t", "lichen/porch-light/status", "-m", "online"));
        assertEquals(0, run.exit(), run.output());
        assertTrue(gw.store().device("porch-light").orElseThrow().online());
        // a clean MQTT 3.1.1 disconnect does not send the will: still online
        MqttClient clean = new MqttClient("tcp://127.0.0.1:" + gw.mqttPort(), "porch-light", new MemoryPersistence());
        MqttConnectOptions o3 = new MqttConnectOptions();
        o3.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o3.setWill("lichen/porch-light/status", "offline".getBytes(StandardCharsets.UTF_8), 1, true);
        clean.connect(o3);
        clean.disconnect();
        clean.close();
        Thread.sleep(300);
        assertTrue(gw.store().device("porch-light").orElseThrow().online(), "a clean disconnect sends no will");
        // a device that dies (SIGKILL, no DISCONNECT): the broker sends its last will "offline"
        Process dev = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", Integer.toString(gw.mqttPort()), "-V", "mqttv5",
                "-i", "porch-light", "-t", "lichen/porch-light/cmd", "--will-topic", "lichen/porch-light/status",
                "--will-payload", "offline", "--will-retain", "--will-qos", "1").redirectErrorStream(true).start();
        Thread.sleep(1000);
        assertTrue(dev.isAlive(), "mosquitto_sub stays connected");
        dev.destroyForcibly().waitFor();
        long deadline = System.currentTimeMillis() + 10_000;
        while (gw.store().device("porch-light").orElseThrow().online() && System.currentTimeMillis() < deadline) Thread.sleep(50);
        assertTrue(!gw.store().device("porch-light").orElseThrow().online(), "last will marked the device offline");
    }

    @Test
    void garbageDatagramFloodIsCountedAndGoodReadingsSentAlongsideAreAllStored() throws Exception {
        double before = metric("lichen_ingest_rejects_total", "coap", "garbage_datagram");
        java.util.Random rnd = new java.util.Random(42);
        int garbage = 0;
        CoapClient c = Clients.coap(gw.coapPort());
        try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
            var to = new java.net.InetSocketAddress("127.0.0.1", gw.coapPort());
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 100; i++) {
                    byte[] junk = new byte[1 + rnd.nextInt(200)];
                    rnd.nextBytes(junk);
                    junk[0] = (byte) ((junk[0] & 0x3f) | (rnd.nextBoolean() ? 0x80 : 0xc0)); // CoAP version 2 or 3: never valid
                    s.send(new java.net.DatagramPacket(junk, junk.length, to));
                    garbage++;
                }
                assertEquals(ResponseCode.CHANGED,
                        c.post(CODEC.encode(pack("flood-survivor", "b", round * 5L, 5, round), SenmlFormat.CBOR), 112).getCode());
            }
        } finally {
            c.shutdown();
        }
        assertEquals(100, stored("flood-survivor").size());
        long deadline = System.currentTimeMillis() + 5000;
        while (metric("lichen_ingest_rejects_total", "coap", "garbage_datagram") < before + garbage
                && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertEquals(before + garbage, metric("lichen_ingest_rejects_total", "coap", "garbage_datagram"));
        String text = gw.metrics().render();
        assertTrue(text.contains("# TYPE lichen_ingest_rejects_total counter"), text);
        assertTrue(text.contains("lichen_ingest_rejects_total{protocol=\"coap\",reason=\"garbage_datagram\"} "), text);
        assertTrue(text.contains("lichen_ingest_readings_total{protocol=\"coap\",outcome=\"stored\"} "), text);
        assertTrue(text.contains("lichen_store_commit_seconds_count "), text);
        assertTrue(text.contains("lichen_ingest_queue_depth 0"), text);
    }

    @Test
    void aLockedDatabaseDoesNotHoldUpTheDevicesAndTheReadingsAreStoredWhenItIsFree() throws Exception {
        CoapClient c = Clients.coap(gw.coapPort());
        // another writer holds SQLite's write lock for 2.5 s, as a slow card or a long query would
        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/lichen.db"))) {
            Thread release = lockFor(db, 2500);
            long t0 = System.nanoTime();
            CoapResponse r = c.post(CODEC.encode(pack("coap-slow", "b", 0, 3, 1), SenmlFormat.CBOR), 112);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(ResponseCode.CHANGED, r.getCode());
            assertTrue(ms < 2000, "the 2.04 came once the pack was in the journal, not after the database's lock: " + ms + " ms");
            assertTrue(gw.store().readings("coap-slow", "temperature", 0, Long.MAX_VALUE, 10).isEmpty(), "not in the database yet");
            release.join();
            assertEquals(3, stored("coap-slow").size());
        } finally {
            c.shutdown();
        }
    }

    @Test
    void aWriterFarBehindHoldsTheAckSoTheDeviceGetsAnEmptyAckFirstAndThe204Later() throws Exception {
        CoapClient c = Clients.coap(gw.coapPort());
        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/lichen.db"))) {
            // the database is locked for 2.5 s while enough readings wait for the writer that the
            // journal holds back: two thirds of the ingest bound, from one busy device
            Thread release = lockFor(db, 2500);
            int packs = Gateway.MAX_QUEUED_READINGS * 2 / 3 / 10;
            var queued = new java.util.ArrayList<java.util.concurrent.CompletableFuture<IngestOutcome>>();
            for (int i = 0; i < packs; i++) {
                queued.add(gw.pipeline().ingest(Protocol.COAP, CODEC.encode(pack("busy-cellar", "b", 10L * i, 10, 1), SenmlFormat.CBOR),
                        SenmlFormat.CBOR, null));
            }
            for (int i = 0; i < packs; i++) {
                assertTrue(queued.get(i).get(10, java.util.concurrent.TimeUnit.SECONDS) instanceof IngestOutcome.Queued, "pack " + i);
            }
            long t0 = System.nanoTime();
            CoapResponse r = c.post(CODEC.encode(pack("coap-held", "b", 0, 3, 1), SenmlFormat.CBOR), 112);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            release.join();
            assertEquals(ResponseCode.CHANGED, r.getCode());
            assertTrue(ms >= 1500, "the 2.04 waited for the writer to catch up: " + ms + " ms");
            // a separate response is confirmable; a piggybacked one would be an ACK
            assertEquals(org.eclipse.californium.core.coap.CoAP.Type.CON, r.advanced().getType());
            assertEquals(3, stored("coap-held").size());
            assertEquals(packs * 10L, gw.store().readingCount("busy-cellar"));
        } finally {
            c.shutdown();
        }
    }

    /** Another writer holds SQLite's write lock for millis; join the thread to know it let go. */
    private static Thread lockFor(java.sql.Connection db, long millis) throws java.sql.SQLException {
        db.createStatement().execute("BEGIN IMMEDIATE");
        return Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(millis);
                db.createStatement().execute("ROLLBACK");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }
}
