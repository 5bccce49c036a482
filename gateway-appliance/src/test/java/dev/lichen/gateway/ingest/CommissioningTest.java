package dev.lichen.gateway.ingest;

import static dev.lichen.gateway.testing.Clients.pack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.testing.Clients;
import dev.lichen.gateway.web.RequestGuard;
import dev.lichen.gateway.web.WebComponent;
import dev.lichen.gateway.web.auth.PasswordHasher;
import dev.lichen.runtime.identity.DeviceIdentity;
import dev.lichen.runtime.storage.FileKeyValueStore;
import dev.lichen.runtime.uplink.CoapUplink;
import dev.lichen.runtime.uplink.MqttUplink;
import dev.lichen.runtime.uplink.UplinkException;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commissioning by the device's own key pair, as a household does it: a device with no secret
 * copied onto it sends over CoAPS presenting its public key (RFC 7250, Scandium on both ends); the
 * new-device card shows the key's fingerprint, which is what the device prints; adopting with that
 * fingerprint pins the key, and from then on another key, plain CoAP or anonymous MQTT for that
 * device get 4.01 / not authorized, across a gateway restart; rejecting or removing the device
 * unpins it. Over MQTT the device presents the same key in a self-signed client certificate, with
 * the same pinning. The device in turn accepts only a gateway whose certificate its CA issued.
 */
class CommissioningTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final CoapUplink.Options FAST = new CoapUplink.Options(SenmlFormat.CBOR, Duration.ofMillis(500), 2, 512);

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();
    String base, cookie, csrf;

    HttpResponse<String> send(String method, String path, Object body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) b.header("Content-Type", "application/json");
        if (cookie != null) b.header("Cookie", RequestGuard.SESSION_COOKIE + "=" + cookie).header(RequestGuard.CSRF_HEADER, csrf);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode device(String id) throws Exception {
        var r = send("GET", "/api/v1/devices/" + id, null);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    Gateway start(WebComponent web) throws Exception {
        Gateway gw = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")), List.of(web));
        base = "http://127.0.0.1:" + web.port();
        return gw;
    }

    /** A fresh gateway through the first-run page's step: the admin account, and its session. */
    Gateway startWithAdmin() throws Exception {
        Gateway gw = start(new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS)));
        try {
            setUp();
            return gw;
        } catch (Exception | AssertionError e) {
            gw.close();
            throw e;
        }
    }

    void setUp() throws Exception {
        var setup = send("POST", "/api/v1/setup", Map.of("username", "admin", "password", "correct horse battery"));
        assertEquals(201, setup.statusCode(), setup.body());
        String set = setup.headers().firstValue("Set-Cookie").orElseThrow();
        cookie = set.substring(set.indexOf('=') + 1, set.indexOf(';'));
        csrf = JSON.readTree(setup.body()).get("csrfToken").asText();
    }

    static DeviceIdentity identity(Path stateDir) throws Exception {
        return DeviceIdentity.loadOrCreate(new FileKeyValueStore(stateDir));
    }

    CoapUplink device(Gateway gw, DeviceIdentity id) {
        return new CoapUplink("127.0.0.1", gw.coapsPort(), new CoapUplink.OwnKey(id.keys(), gw.tls().trusted()), FAST);
    }

    @Test
    void aDeviceIsAdoptedByTheKeyItPresentsAndKnownOnlyByItFromThenOn() throws Exception {
        DeviceIdentity porch = identity(dir.resolve("porch-state"));
        DeviceIdentity impostor = identity(dir.resolve("impostor-state"));
        Gateway gw = startWithAdmin();
        try {

            try (var uplink = device(gw, porch)) {
                uplink.deliver(pack("porch", "b1", 0, 2, 20));
            }
            Clients.awaitLink(gw, "porch"); // set once the pack is stored, a moment after its 2.04 / PUBACK
            JsonNode card = device("porch");
            assertEquals("new", card.get("state").asText());
            assertEquals(porch.fingerprint(), card.at("/key/fingerprint").asText(), "the card shows what the device prints");
            assertFalse(card.at("/key/pinned").asBoolean());
            assertEquals("coaps", card.get("link").asText());

            // a fingerprint that is not the presented key's adopts nothing
            var wrong = send("POST", "/api/v1/devices/porch/adopt", Map.of("name", "Porch", "room", "Outside",
                    "fingerprint", impostor.fingerprint()));
            assertEquals(409, wrong.statusCode(), wrong.body());
            assertTrue(wrong.body().contains(porch.fingerprint()), wrong.body());
            assertEquals(400, send("POST", "/api/v1/devices/porch/adopt", Map.of("name", "Porch", "room", "Outside",
                    "fingerprint", "<script>")).statusCode());
            assertEquals("new", device("porch").get("state").asText());

            var adopted = send("POST", "/api/v1/devices/porch/adopt", Map.of("name", "Porch", "room", "Outside",
                    "fingerprint", porch.fingerprint().toLowerCase(java.util.Locale.ROOT)));
            assertEquals(200, adopted.statusCode(), adopted.body());
            assertTrue(device("porch").at("/key/pinned").asBoolean());

            try (var uplink = device(gw, porch)) {
                uplink.deliver(pack("porch", "b1", 2, 2, 22));
            }
            assertEquals(4, Clients.stored(gw, "porch"));
            refusedEverywhereButByItsKey(gw, impostor);
            // and the pinned key speaks for no other device
            try (var uplink = device(gw, porch)) {
                var e = assertThrows(UplinkException.class, () -> uplink.deliver(pack("garage", "b1", 0, 1, 1)));
                assertTrue(e.getMessage().startsWith("4.01") && e.getMessage().contains("is device 'porch''s"), e.getMessage());
            }
            assertTrue(gw.deviceIdentities().key("garage").isEmpty(), "porch's key was not recorded for another device");

            gw.close();
            gw = start(new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS)));
            assertTrue(gw.deviceIdentities().pinned("porch"), "the pin is in the store, not only in memory");
            refusedEverywhereButByItsKey(gw, impostor);
            try (var uplink = device(gw, porch)) {
                uplink.deliver(pack("porch", "b1", 4, 1, 24));
            }
            assertEquals(5, Clients.stored(gw, "porch"));
            var login = send("POST", "/api/v1/session", Map.of("username", "admin", "password", "correct horse battery"));
            String again = login.headers().firstValue("Set-Cookie").orElseThrow();
            cookie = again.substring(again.indexOf('=') + 1, again.indexOf(';'));
            csrf = JSON.readTree(login.body()).get("csrfToken").asText();

            // rejecting forgets the key; the device itself is refused as rejected
            assertEquals(200, send("POST", "/api/v1/devices/porch/reject", null).statusCode());
            assertTrue(device("porch").get("key").isNull());
            assertFalse(gw.deviceIdentities().key("porch").isPresent());
            try (var uplink = device(gw, porch)) {
                var e = assertThrows(UplinkException.class, () -> uplink.deliver(pack("porch", "b1", 5, 1, 25)));
                assertTrue(e.getMessage().startsWith("4.03"), e.getMessage());
            }
            // removing it lets a device of that id start over: its key is the card's now
            assertEquals(204, send("DELETE", "/api/v1/devices/porch", null).statusCode());
            try (var uplink = device(gw, impostor)) {
                uplink.deliver(pack("porch", "b9", 0, 1, 1));
            }
            // the 2.04 means durable in the journal; the device's row comes with the group commit
            assertTrue(gw.pipeline().awaitStored(Duration.ofSeconds(10)));
            JsonNode fresh = device("porch");
            assertEquals("new", fresh.get("state").asText());
            assertEquals(impostor.fingerprint(), fresh.at("/key/fingerprint").asText());
        } finally {
            gw.close();
        }
    }

    /** Another key, plain CoAP and anonymous MQTT are all refused for the pinned device, and nothing is stored. */
    private void refusedEverywhereButByItsKey(Gateway gw, DeviceIdentity impostor) throws Exception {
        long before = Clients.stored(gw, "porch");
        double unknownKey = gw.metrics().value("lichen_ingest_rejects_total", "coaps", "unknown_key");
        try (var uplink = device(gw, impostor)) {
            var e = assertThrows(UplinkException.class, () -> uplink.deliver(pack("porch", "b1", 100, 1, 99)));
            assertTrue(e.getMessage().startsWith("4.01 UNAUTHORIZED: public key " + impostor.fingerprint()), e.getMessage());
            assertEquals(UplinkException.Kind.DEVICE_REFUSED, e.kind());
        }
        assertEquals(unknownKey + 1, gw.metrics().value("lichen_ingest_rejects_total", "coaps", "unknown_key"));
        var coap = Clients.coap(gw.coapPort());
        try {
            var r = coap.post(new SenmlCodec().encode(pack("porch", "b1", 101, 1, 99), SenmlFormat.CBOR), 112);
            assertEquals(ResponseCode.UNAUTHORIZED, r.getCode(), r.getResponseText());
        } finally {
            coap.shutdown();
        }
        MqttClient mqtt = new MqttClient("tcp://127.0.0.1:" + gw.mqttPort(), "porch", new MemoryPersistence());
        try {
            var e = assertThrows(MqttException.class, mqtt::connect);
            assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, e.getReasonCode());
        } finally {
            mqtt.close();
        }
        assertEquals(before, Clients.stored(gw, "porch"));
    }

    MqttUplink mqttDevice(Gateway gw, String id, DeviceIdentity key) {
        return new MqttUplink(id, "127.0.0.1", gw.mqttTlsPort(), MqttUplink.Options.defaults()
                .withTimeout(Duration.ofSeconds(5)).withOwnKey(gw.tls().trusted(), key.keys()));
    }

    @Test
    void overMqttTheDeviceIsAdoptedByTheKeyInItsCertificateAndCutOffWhenRejected() throws Exception {
        DeviceIdentity cellar = identity(dir.resolve("cellar-state"));
        DeviceIdentity impostor = identity(dir.resolve("impostor-state"));
        Gateway gw = startWithAdmin();
        try {
            try (var uplink = mqttDevice(gw, "cellar", cellar)) {
                uplink.deliver(pack("cellar", "b1", 0, 2, 20));
            }
            Clients.awaitLink(gw, "cellar"); // set once the pack is stored, a moment after its 2.04 / PUBACK
            JsonNode card = device("cellar");
            assertEquals(cellar.fingerprint(), card.at("/key/fingerprint").asText(), "the card shows what the device prints");
            assertFalse(card.at("/key/pinned").asBoolean());
            assertEquals("mqtts", card.get("link").asText());
            var adopted = send("POST", "/api/v1/devices/cellar/adopt", Map.of("name", "Cellar", "room", "Cellar",
                    "fingerprint", cellar.fingerprint()));
            assertEquals(200, adopted.statusCode(), adopted.body());
            assertTrue(device("cellar").at("/key/pinned").asBoolean());
            try (var uplink = mqttDevice(gw, "cellar", cellar)) {
                uplink.deliver(pack("cellar", "b1", 2, 2, 22));
            }
            assertEquals(4, Clients.stored(gw, "cellar"));

            // another key for that client id: CONNACK not authorized, from the project's client and from mosquitto's
            double failures = gw.metrics().value("lichen_mqtt_auth_failures_total");
            try (var thief = mqttDevice(gw, "cellar", impostor)) {
                var e = assertThrows(UplinkException.class, () -> thief.deliver(pack("cellar", "b1", 100, 1, 99)));
                assertEquals(UplinkException.Kind.DEVICE_REFUSED, e.kind(), e.getMessage());
            }
            Path cert = dir.resolve("impostor.crt");
            Path key = dir.resolve("impostor.key");
            java.nio.file.Files.writeString(cert, pem("CERTIFICATE",
                    dev.lichen.runtime.identity.SelfSignedCertificate.of(impostor.keys(), "cellar").getEncoded()));
            java.nio.file.Files.writeString(key, pem("PRIVATE KEY", impostor.keys().getPrivate().getEncoded()));
            var run = Clients.run("mosquitto-clients", List.of("mosquitto_pub", "-h", "localhost", "-p",
                    Integer.toString(gw.mqttTlsPort()), "-V", "mqttv5", "--cafile", dir.resolve("gw/tls/ca.crt").toString(),
                    "--cert", cert.toString(), "--key", key.toString(), "-i", "cellar", "-q", "1",
                    "-t", "lichen/cellar/readings", "-m", "[]"));
            assertTrue(run.exit() != 0 && run.output().toLowerCase(java.util.Locale.ROOT).contains("not authori"), run.output());
            assertEquals(failures + 2, gw.metrics().value("lichen_mqtt_auth_failures_total"));
            // and anonymously over TLS, without any certificate
            var anonymous = new MqttUplink("cellar", "127.0.0.1", gw.mqttTlsPort(), MqttUplink.Options.defaults()
                    .withTimeout(Duration.ofSeconds(5)).withTls(gw.tls().trusted()));
            try (anonymous) {
                var e = assertThrows(UplinkException.class, () -> anonymous.deliver(pack("cellar", "b1", 101, 1, 99)));
                assertEquals(UplinkException.Kind.DEVICE_REFUSED, e.kind(), e.getMessage());
            }
            // and the device's pinned key logs in as no other device
            try (var other = mqttDevice(gw, "garage", cellar)) {
                var e = assertThrows(UplinkException.class, () -> other.deliver(pack("garage", "b1", 0, 1, 1)));
                assertEquals(UplinkException.Kind.DEVICE_REFUSED, e.kind(), e.getMessage());
            }
            assertTrue(gw.store().device("garage").isEmpty(), "nothing of garage's was heard");
            assertEquals(4, Clients.stored(gw, "cellar"), "nothing an impostor sent was stored");

            // rejecting forgets the key and ends the device's live connection at once
            var cut = new java.util.concurrent.CompletableFuture<Long>();
            var live = new MqttClient("ssl://127.0.0.1:" + gw.mqttTlsPort(), "cellar", new MemoryPersistence());
            live.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
                @Override public void connectionLost(Throwable cause) { cut.complete(System.nanoTime()); }
                @Override public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {}
                @Override public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken t) {}
            });
            var options = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
            options.setSocketFactory(gw.tls().trusted().socketFactory(cellar.keys(), "cellar"));
            live.connect(options);
            long t0 = System.nanoTime();
            assertEquals(200, send("POST", "/api/v1/devices/cellar/reject", null).statusCode());
            long ms = (cut.get(5, java.util.concurrent.TimeUnit.SECONDS) - t0) / 1_000_000;
            System.out.println("MQTT connection ended " + ms + " ms after the rejection");
            assertTrue(ms < 1000, "cut off within 1 s of the rejection, took " + ms + " ms");
            live.close(true);
            assertFalse(gw.deviceIdentities().key("cellar").isPresent());
        } finally {
            gw.close();
        }
    }

    @Test
    void anAdoptedDeviceThatLaterPresentsItsOwnKeyHasItPinnedFromItsPageAndForgottenAgain() throws Exception {
        DeviceIdentity shed = identity(dir.resolve("shed-state"));
        DeviceIdentity other = identity(dir.resolve("other-state"));
        Gateway gw = startWithAdmin();
        try {
            // an older image: plain CoAP, adopted without any key
            var coap = Clients.coap(gw.coapPort());
            try {
                var r = coap.post(new SenmlCodec().encode(pack("shed", "b0", 0, 1, 1), SenmlFormat.CBOR), 112);
                assertEquals(ResponseCode.CHANGED, r.getCode(), r.getResponseText());
            } finally {
                coap.shutdown();
            }
            assertEquals(1, Clients.stored(gw, "shed")); // 2.04 is durable in the journal; the device's row follows
            assertEquals(200, send("POST", "/api/v1/devices/shed/adopt", Map.of("name", "Shed", "room", "Garden")).statusCode());
            var none = send("POST", "/api/v1/devices/shed/key", Map.of("fingerprint", shed.fingerprint()));
            assertEquals(409, none.statusCode(), none.body());
            assertTrue(none.body().contains("presented no public key"), none.body());

            // re-flashed with an image that has its own key: recorded, not pinned, still heard
            try (var uplink = device(gw, shed)) {
                uplink.deliver(pack("shed", "b1", 0, 1, 2));
            }
            assertEquals(shed.fingerprint(), device("shed").at("/key/fingerprint").asText());
            assertFalse(device("shed").at("/key/pinned").asBoolean());
            assertEquals(400, send("POST", "/api/v1/devices/shed/key", Map.of()).statusCode(), "the person's fingerprint is required");
            assertEquals(400, send("POST", "/api/v1/devices/shed/key", Map.of("fingerprint", "1234")).statusCode());
            var wrong = send("POST", "/api/v1/devices/shed/key", Map.of("fingerprint", other.fingerprint()));
            assertEquals(409, wrong.statusCode(), wrong.body());
            assertFalse(gw.deviceIdentities().pinned("shed"));

            var pinned = send("POST", "/api/v1/devices/shed/key", Map.of("fingerprint", shed.fingerprint()));
            assertEquals(200, pinned.statusCode(), pinned.body());
            assertTrue(JSON.readTree(pinned.body()).at("/key/pinned").asBoolean());
            assertEquals(409, send("POST", "/api/v1/devices/shed/key", Map.of("fingerprint", shed.fingerprint())).statusCode());
            var audit = send("GET", "/api/v1/audit", null).body();
            assertTrue(audit.contains("key_pinned") && audit.contains(shed.fingerprint()), audit);
            try (var impostor = device(gw, other)) {
                var e = assertThrows(UplinkException.class, () -> impostor.deliver(pack("shed", "b1", 1, 1, 99)));
                assertTrue(e.getMessage().startsWith("4.01"), e.getMessage());
            }
            try (var uplink = device(gw, shed)) {
                uplink.deliver(pack("shed", "b1", 1, 1, 3));
            }

            // forgotten: the device keeps its history and name, and no key speaks for it until the next pin
            assertEquals(204, send("DELETE", "/api/v1/devices/shed/key", null).statusCode());
            JsonNode after = device("shed");
            assertTrue(after.get("key").isNull(), after.toString());
            assertEquals("adopted", after.get("state").asText());
            assertEquals(3, Clients.stored(gw, "shed"));
            assertEquals(404, send("DELETE", "/api/v1/devices/shed/key", null).statusCode());
        } finally {
            gw.close();
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Test
    void aDeviceSpeaksOnlyToAGatewayItsCaIssued() throws Exception {
        DeviceIdentity id = identity(dir.resolve("state"));
        var otherCa = dev.lichen.gateway.tls.GatewayCa.open(dir.resolve("other-ca"), java.util.Set.of("127.0.0.1"),
                java.time.Instant.now()).trusted();
        try (Gateway gw = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")), List.of());
             var uplink = new CoapUplink("127.0.0.1", gw.coapsPort(), new CoapUplink.OwnKey(id.keys(), otherCa), FAST)) {
            var e = assertThrows(UplinkException.class, () -> uplink.deliver(pack("attic", "b1", 0, 1, 1)));
            assertEquals(UplinkException.Kind.AWAY, e.kind(), e.getMessage());
            assertTrue(gw.store().device("attic").isEmpty(), "nothing reached a gateway the device does not trust");
            assertTrue(gw.deviceIdentities().key("attic").isEmpty());
        }
    }
}
