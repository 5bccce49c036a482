package dev.lichen.gateway.ingest;

import static dev.lichen.gateway.testing.Clients.pack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.store.DeviceState;
import dev.lichen.gateway.testing.Clients;
import dev.lichen.runtime.uplink.CoapUplink;
import dev.lichen.runtime.uplink.UplinkException;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile network against a real gateway with its default limits (100 devices waiting for
 * adoption, 10 first contacts and MQTT connects a second per address, bursts of 50). The
 * attacker sends from many loopback addresses (127.0.0.0/8 is all this machine's), the way a
 * network of machines would; a good device keeps sending beside it and loses nothing.
 */
class HostileNetworkTest {
    static final SenmlCodec CODEC = new SenmlCodec();
    @TempDir
    Path dir;
    Gateway gw;

    Gateway start() throws Exception {
        gw = Gateway.start(GatewayConfig.forTest(dir.resolve("data")), List.of());
        return gw;
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
    }

    double rejects(String reason) {
        return gw.metrics().value("lichen_ingest_rejects_total", "coap", reason);
    }

    boolean storedAll() {
        try {
            return gw.pipeline().awaitStored(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    long waiting() {
        return gw.store().devices().stream().filter(d -> d.state() == DeviceState.NEW).count();
    }

    static void await(Duration within, BooleanSupplier ok, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + within.toSeconds() + " s: " + what.get());
            Thread.sleep(20);
        }
    }

    /** A CoAP NON POST of a SenML pack to /r, as raw bytes: what any script on the network can send. */
    static byte[] nonPost(int messageId, byte[] cbor) {
        var b = new ByteArrayOutputStream();
        b.write(0x50); // version 1, NON, no token
        b.write(0x02); // POST
        b.write(messageId >> 8);
        b.write(messageId);
        b.write(0xB1); // Uri-Path (11), 1 byte
        b.write('r');
        b.write(0x11); // Content-Format (12), 1 byte
        b.write(112); // application/senml+cbor
        b.write(0xFF);
        b.writeBytes(cbor);
        return b.toByteArray();
    }

    static CoapClient clientFrom(String address, int port) {
        Configuration cfg = Configuration.createStandardWithoutFile();
        cfg.set(CoapConfig.MAX_RETRANSMIT, 2);
        CoapClient c = new CoapClient("coap://127.0.0.1:" + port + "/r");
        c.setEndpoint(CoapEndpoint.builder().setConfiguration(cfg).setInetSocketAddress(new InetSocketAddress(address, 0)).build());
        c.setTimeout(10_000L);
        return c;
    }

    @Test
    void thousandsOfFakeIdsFromManyAddressesFillOnlyTheCapAndTheGoodDeviceLosesNothing() throws Exception {
        start();
        CoapClient good = Clients.coap(gw.coapPort());
        assertEquals(ResponseCode.CHANGED, good.post(CODEC.encode(pack("good-cellar", "b", 0, 5, 10), SenmlFormat.CBOR), 112).getCode());
        int addresses = 200, perAddress = 10;
        var to = new InetSocketAddress("127.0.0.1", gw.coapPort());
        int messageId = 1;
        long goodSeq = 5;
        for (int a = 0; a < addresses; a++) {
            try (var s = new DatagramSocket(new InetSocketAddress("127.0.2." + (a + 1), 0))) {
                for (int i = 0; i < perAddress; i++) {
                    byte[] p = nonPost(messageId++, CODEC.encode(pack("fake-" + a + "-" + i, "b", 0, 1, 1), SenmlFormat.CBOR));
                    s.send(new DatagramPacket(p, p.length, to));
                }
            }
            if (a % 20 == 19) {
                // the good device keeps sending through the flood: every pack acknowledged
                CoapResponse r = good.post(CODEC.encode(pack("good-cellar", "b", goodSeq, 5, 10), SenmlFormat.CBOR), 112);
                assertEquals(ResponseCode.CHANGED, r.getCode(), r.getResponseText());
                goodSeq += 5;
            }
        }
        int fakes = addresses * perAddress;
        // every fake first pack is either a device waiting for adoption or a counted refusal
        await(Duration.ofSeconds(20), () -> storedAll() && waiting() + rejects("new_device_limit") >= fakes,
                () -> waiting() + " waiting, " + rejects("new_device_limit") + " refused of " + fakes);
        assertEquals(100, waiting(), "the NEW list holds exactly the cap (the good device was there first)");
        assertEquals(fakes - 99, rejects("new_device_limit"), "every fake beyond the cap refused and counted");
        assertEquals(0, rejects("rate_limited"), "10 from an address is within its burst: only the cap refused");
        assertEquals(goodSeq, gw.store().readingCount("good-cellar"), "the good device lost nothing");
        String text = gw.metrics().render();
        assertTrue(text.contains("lichen_ingest_rejects_total{protocol=\"coap\",reason=\"new_device_limit\"} " + (fakes - 99)), text);
        assertTrue(text.contains("lichen_devices_waiting 100"), text);

        // a real new device now: told to come back later (5.03, Max-Age 60), which the device's uplink keeps for later
        var newcomer = new CoapUplink("127.0.0.1", gw.coapPort(), Optional.empty(),
                new CoapUplink.Options(SenmlFormat.CBOR, Duration.ofSeconds(2), 1, 512));
        var refused = org.junit.jupiter.api.Assertions.assertThrows(UplinkException.class,
                () -> newcomer.deliver(pack("new-porch", "b", 0, 2, 1)));
        assertTrue(refused.retryable(), refused.getMessage());
        assertTrue(refused.getMessage().contains("waiting for adoption"), refused.getMessage());
        // a person rejects the junk (the Devices page does the same through the API): places free up
        for (var d : gw.store().devices()) if (d.id().startsWith("fake-")) gw.store().reject(d.id());
        Thread.sleep(1100); // the places are counted again at most once a second
        newcomer.deliver(pack("new-porch", "b", 0, 2, 1));
        assertTrue(gw.pipeline().awaitStored(Duration.ofSeconds(10)));
        assertEquals(DeviceState.NEW, gw.store().device("new-porch").orElseThrow().state());
        newcomer.close();
        good.shutdown();
    }

    @Test
    void oneAddressChurningThroughIdsIsSlowedTo429() throws Exception {
        start();
        CoapClient c = clientFrom("127.0.3.1", gw.coapPort());
        Map<ResponseCode, Integer> answers = new HashMap<>();
        List<Integer> maxAges = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            CoapResponse r = c.post(CODEC.encode(pack("churn-" + i, "b", 0, 1, 1), SenmlFormat.CBOR), 112);
            answers.merge(r.getCode(), 1, Integer::sum);
            if (r.getCode() == ResponseCode.TOO_MANY_REQUESTS) maxAges.add(r.getOptions().getMaxAge().intValue());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        c.shutdown();
        int accepted = answers.getOrDefault(ResponseCode.CHANGED, 0);
        int slowed = answers.getOrDefault(ResponseCode.TOO_MANY_REQUESTS, 0);
        assertEquals(200, accepted + slowed, answers.toString());
        // a burst of 50, then 10 a second
        assertTrue(accepted >= 50 && accepted <= 50 + 10 * seconds + 1, accepted + " let in over " + seconds + " s");
        assertEquals(slowed, (int) rejects("rate_limited"));
        assertTrue(maxAges.stream().allMatch(a -> a == 1), "4.29 says when to retry: " + maxAges);
        // another address is not slowed by the first one, and a known device never is
        CoapClient other = clientFrom("127.0.3.2", gw.coapPort());
        assertEquals(ResponseCode.CHANGED, other.post(CODEC.encode(pack("churn-other", "b", 0, 1, 1), SenmlFormat.CBOR), 112).getCode());
        other.shutdown();
        CoapClient again = clientFrom("127.0.3.1", gw.coapPort());
        for (int i = 0; i < 60; i++) {
            assertEquals(ResponseCode.CHANGED, again.post(CODEC.encode(pack("churn-0", "b", 1 + i, 1, 1), SenmlFormat.CBOR), 112).getCode());
        }
        again.shutdown();
    }

    /** Sends one MQTT 5 CONNECT (clean start, no login) and returns the CONNACK's reason code. */
    static int connack(int port, String clientId) throws java.io.IOException {
        try (var sock = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            sock.setSoTimeout(10_000);
            byte[] id = clientId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            var b = new ByteArrayOutputStream();
            b.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 5, 0x02, 0, 60, 0});
            b.write(id.length >> 8);
            b.write(id.length);
            b.writeBytes(id);
            byte[] body = b.toByteArray();
            var out = sock.getOutputStream();
            out.write(0x10);
            out.write(body.length); // under 128 bytes: one length byte
            out.write(body);
            out.flush();
            var in = new java.io.DataInputStream(sock.getInputStream());
            if (in.readUnsignedByte() != 0x20) throw new AssertionError("not a CONNACK");
            in.readUnsignedByte(); // remaining length (short here)
            in.readUnsignedByte(); // acknowledge flags
            return in.readUnsignedByte();
        }
    }

    @Test
    void mqttConnectStormsFromOneAddressGetConnectionRateExceeded() throws Exception {
        start();
        int refused = 0, accepted = 0;
        long t0 = System.nanoTime();
        // raw MQTT 5 CONNECTs, as a script would send them (Paho's own handshake and goodbye take
        // far longer than the limit's tenth of a second), until a few are refused
        for (int i = 0; i < 400 && refused < 5; i++) {
            int code = connack(gw.mqttPort(), "storm-" + i);
            if (code == 0) accepted++;
            else {
                assertEquals(0x9F, code, "CONNACK reason: connection rate exceeded");
                refused++;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(5, refused, accepted + " accepted in " + seconds + " s");
        assertTrue(accepted >= 50 && accepted <= 50 + 10 * seconds + 1, accepted + " accepted over " + seconds + " s");
        assertEquals(refused, (int) gw.metrics().value("lichen_mqtt_refused_total", "connect_rate"));
        // a second later the address may connect again
        Thread.sleep(1100);
        var c = new org.eclipse.paho.mqttv5.client.MqttClient("tcp://127.0.0.1:" + gw.mqttPort(), "calm",
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        c.connect(new org.eclipse.paho.mqttv5.client.MqttConnectionOptions());
        c.disconnect();
        c.close();
    }
}
