package dev.lichen.gateway.ingest;

import static dev.lichen.gateway.testing.Clients.pack;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.runtime.uplink.CoapUplink;
import dev.lichen.runtime.uplink.MqttUplink;
import dev.lichen.runtime.uplink.UplinkException;
import dev.lichen.senml.SenmlFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device keys against a real gateway with the project's own device uplinks. CoAPS: a device with
 * its key is stored through the same pipeline; a wrong key, an unknown identity and a rotated-away
 * key fail their handshake (counted in /metrics); a pack naming another device than the key's gets
 * 4.03. MQTT: a device with a key logs in with it; a wrong password gets CONNACK "not authorized"
 * (MQTT 5 and 3.1.1), and nobody else may publish for it.
 */
class DeviceKeysTest {
    @TempDir
    static Path dir;
    static Gateway gw;
    static final byte[] FILED_KEY = Base64.getDecoder().decode("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=");
    /** Short CoAP timeouts: a refused handshake must not keep the test waiting. */
    static final CoapUplink.Options FAST = new CoapUplink.Options(SenmlFormat.CBOR, Duration.ofMillis(300), 1, 512);

    @BeforeAll
    static void start() throws Exception {
        Path keys = dir.resolve("psk.txt");
        Files.writeString(keys, "# device keys\nfiled-dev " + Base64.getEncoder().encodeToString(FILED_KEY) + "\n");
        gw = Gateway.start(GatewayConfig.forTest(dir.resolve("data")).withPskFile(keys), List.of());
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
    }

    static CoapUplink uplink(String identity, byte[] key) {
        return new CoapUplink("127.0.0.1", gw.coapsPort(), Optional.of(new CoapUplink.PskCredentials(identity, key)), FAST);
    }

    /** Readings in the store once everything acknowledged so far is written. */
    static int stored(String device) {
        try {
            if (!gw.pipeline().awaitStored(java.time.Duration.ofSeconds(10))) throw new AssertionError("the writer did not catch up in 10 s");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return (int) gw.store().readingCount(device);
    }

    static double failures(String reason) {
        return gw.metrics().value("lichen_coaps_handshake_failures_total", reason);
    }

    @Test
    void aDeviceWithItsKeyIsStoredAndAPackForAnotherDeviceGets403() throws Exception {
        byte[] key = gw.deviceKeys().rotate("secure-dev", System.currentTimeMillis());
        assertEquals(32, key.length);
        try (CoapUplink up = uplink("secure-dev", key)) {
            up.deliver(pack("secure-dev", "b", 0, 5, 20));
            assertEquals(5, stored("secure-dev"));
            assertTrue(gw.metrics().value("lichen_ingest_packs_total", "coaps", "accepted") >= 1);
            var e = assertThrows(UplinkException.class, () -> up.deliver(pack("someone-else", "b", 0, 1, 1)));
            assertTrue(e.getMessage().contains("4.03") || e.getMessage().contains("FORBIDDEN"), e.getMessage());
            assertTrue(e.getMessage().contains("the DTLS key belongs to device 'secure-dev'"), e.getMessage());
            assertEquals(UplinkException.Kind.DEVICE_REFUSED, e.kind());
            assertEquals(0, stored("someone-else"));
            assertTrue(gw.store().device("someone-else").isEmpty());
        }
        // over plain CoAP anyone could claim to be it: a device with a key is refused there (4.03)
        var plain = dev.lichen.gateway.testing.Clients.coap(gw.coapPort());
        try {
            var r = plain.post(new dev.lichen.senml.SenmlCodec().encode(pack("secure-dev", "b", 5, 1, 1), SenmlFormat.CBOR), 112);
            assertEquals(org.eclipse.californium.core.coap.CoAP.ResponseCode.FORBIDDEN, r.getCode());
            assertTrue(r.getResponseText().contains("send over CoAPS"), r.getResponseText());
        } finally {
            plain.shutdown();
        }
        assertEquals(5, stored("secure-dev"));
    }

    @Test
    void wrongKeyAndUnknownIdentityFailTheHandshakeAndAreCounted() throws Exception {
        gw.deviceKeys().rotate("victim", System.currentTimeMillis());
        double wrongKey = failures("wrong_key");
        double unknown = failures("unknown_identity");
        byte[] guess = new byte[32];
        try (CoapUplink up = uplink("victim", guess)) {
            var e = assertThrows(UplinkException.class, () -> up.deliver(pack("victim", "b", 0, 1, 1)));
            assertEquals(UplinkException.Kind.AWAY, e.kind(), e.getMessage());
        }
        try (CoapUplink up = uplink("stranger", guess)) {
            assertThrows(UplinkException.class, () -> up.deliver(pack("stranger", "b", 0, 1, 1)));
        }
        assertEquals(0, stored("victim") + stored("stranger"));
        assertTrue(failures("wrong_key") >= wrongKey + 1, "a wrong key is counted");
        assertEquals(unknown + 1, failures("unknown_identity"), "an unknown identity is counted");
        assertTrue(gw.metrics().render().contains("lichen_coaps_handshake_failures_total"));
    }

    @Test
    void aRotatedKeyEndsTheOldSessionAndTheNewKeyWorks() throws Exception {
        byte[] old = gw.deviceKeys().rotate("rotating", System.currentTimeMillis());
        try (CoapUplink up = uplink("rotating", old)) {
            up.deliver(pack("rotating", "b", 0, 1, 1));
            byte[] fresh = gw.deviceKeys().rotate("rotating", System.currentTimeMillis());
            // the open session is dropped at once; the next handshake with the old key fails
            assertThrows(UplinkException.class, () -> up.deliver(pack("rotating", "b", 1, 1, 1)));
            assertThrows(UplinkException.class, () -> up.deliver(pack("rotating", "b", 1, 1, 1)));
            try (CoapUplink again = uplink("rotating", fresh)) {
                again.deliver(pack("rotating", "b", 1, 1, 1));
            }
        }
        assertEquals(2, stored("rotating"));
    }

    @Test
    void keysFromTheFileWorkAndAreStoredInTheDatabase() throws Exception {
        assertArrayEquals(FILED_KEY, gw.store().deviceKey("filed-dev").orElseThrow().key());
        try (CoapUplink up = uplink("filed-dev", FILED_KEY)) {
            up.deliver(pack("filed-dev", "b", 0, 3, 1));
        }
        assertEquals(3, stored("filed-dev"));
    }

    @Test
    void aBadKeyFileIsRefusedNamingTheLine() throws Exception {
        Path f = dir.resolve("bad.txt");
        Files.writeString(f, "ok-dev " + Base64.getEncoder().encodeToString(new byte[16]) + "\nBad_Id AAAA\n");
        var e = assertThrows(IllegalArgumentException.class, () -> DeviceKeys.parse(f, 0));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("Bad_Id"), e.getMessage());
        Files.writeString(f, "short-key " + Base64.getEncoder().encodeToString(new byte[8]) + "\n");
        e = assertThrows(IllegalArgumentException.class, () -> DeviceKeys.parse(f, 0));
        assertTrue(e.getMessage().contains("8 bytes; use 16..64"), e.getMessage());
        Files.writeString(f, "x-dev not*base64\n");
        e = assertThrows(IllegalArgumentException.class, () -> DeviceKeys.parse(f, 0));
        assertTrue(e.getMessage().contains("not base64"), e.getMessage());
    }

    @Test
    void anMqttDeviceWithAKeyLogsInWithItAndNobodyElseSpeaksForIt() throws Exception {
        String password = Base64.getEncoder().encodeToString(gw.deviceKeys().rotate("mqtt-keyed", System.currentTimeMillis()));
        var opts = MqttUplink.Options.defaults().withTimeout(Duration.ofSeconds(5));
        MqttUplink up = new MqttUplink("mqtt-keyed", "127.0.0.1", gw.mqttPort(),
                opts.withCredentials(Optional.of("mqtt-keyed"), Optional.of(password), false));
        try {
            up.deliver(pack("mqtt-keyed", "b", 0, 2, 1));
            assertEquals(2, stored("mqtt-keyed"));
            impostorsAreRefused();
        } finally {
            up.close();
        }
    }

    void impostorsAreRefused() throws Exception {

        double refused = gw.metrics().value("lichen_mqtt_auth_failures_total");
        // MQTT 5: CONNACK 0x87 not authorized
        var v5 = new org.eclipse.paho.mqttv5.client.MqttClient("tcp://127.0.0.1:" + gw.mqttPort(), "impostor5",
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        var o5 = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
        o5.setUserName("mqtt-keyed");
        o5.setPassword("guess".getBytes());
        var e5 = assertThrows(org.eclipse.paho.mqttv5.common.MqttException.class, () -> v5.connect(o5));
        assertEquals(0x87, e5.getReasonCode(), e5.toString());
        v5.close();
        // MQTT 3.1.1: return code 5, not authorized
        var v3 = new org.eclipse.paho.client.mqttv3.MqttClient("tcp://127.0.0.1:" + gw.mqttPort(), "impostor3",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        var o3 = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        o3.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
        o3.setUserName("mqtt-keyed");
        o3.setPassword("guess".toCharArray());
        var e3 = assertThrows(org.eclipse.paho.client.mqttv3.MqttException.class, () -> v3.connect(o3));
        assertEquals(org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_NOT_AUTHORIZED, e3.getReasonCode(), e3.toString());
        v3.close();
        assertEquals(refused + 2, gw.metrics().value("lichen_mqtt_auth_failures_total"));

        // anonymous (allowed for devices without a key) cannot publish for the keyed device: PUBACK 0x87
        var anon = new org.eclipse.paho.mqttv5.client.MqttAsyncClient("tcp://127.0.0.1:" + gw.mqttPort(), "anon5",
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        anon.connect(new org.eclipse.paho.mqttv5.client.MqttConnectionOptions()).waitForCompletion(5000);
        try {
            var codec = new dev.lichen.senml.SenmlCodec();
            var t = anon.publish("lichen/mqtt-keyed/readings", new org.eclipse.paho.mqttv5.common.MqttMessage(
                    codec.encode(pack("mqtt-keyed", "b", 2, 1, 1), SenmlFormat.CBOR), 1, false, null));
            t.waitForCompletion(5000);
            assertEquals(0x87, t.getReasonCodes()[0]);
            // and it cannot declare the device offline either
            anon.publish("lichen/mqtt-keyed/status", new org.eclipse.paho.mqttv5.common.MqttMessage(
                    "offline".getBytes(), 1, true, null)).waitForCompletion(5000);
            // a device without a key is still welcome anonymously
            var ok = anon.publish("lichen/mqtt-open/readings", new org.eclipse.paho.mqttv5.common.MqttMessage(
                    codec.encode(pack("mqtt-open", "b", 0, 1, 1), SenmlFormat.CBOR), 1, false, null));
            ok.waitForCompletion(5000);
            assertTrue(ok.getReasonCodes()[0] < 0x80, "PUBACK " + ok.getReasonCodes()[0]); // 0x10: accepted, no subscriber
        } finally {
            anon.disconnect().waitForCompletion(5000);
            anon.close();
        }
        assertEquals(2, stored("mqtt-keyed"));
        assertTrue(gw.store().device("mqtt-keyed").orElseThrow().online(), "an impostor's status does not count");
        assertEquals(1, stored("mqtt-open"));
    }
}
