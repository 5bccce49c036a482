package dev.lichen.gateway.ingest;

import static dev.lichen.gateway.testing.Clients.pack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.testing.Clients;
import dev.lichen.runtime.uplink.MqttUplink;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker on the home network with Debian's mosquitto and libcoap clients, against a real
 * gateway whose lamp has a key and keeps sending through the project's own uplink: nothing the
 * attacker tries reads or writes the lamp's topics or readings, and the lamp loses nothing.
 */
class AttackerTest {
    @TempDir
    static Path dir;
    static Gateway gw;
    static MqttUplink lamp;
    static String lampPassword;
    static final SenmlCodec CODEC = new SenmlCodec();

    @BeforeAll
    static void start() throws Exception {
        gw = Gateway.start(GatewayConfig.forTest(dir.resolve("data")), List.of());
        lampPassword = Base64.getEncoder().encodeToString(gw.deviceKeys().rotate("hall-lamp", System.currentTimeMillis()));
        lamp = new MqttUplink("hall-lamp", "127.0.0.1", gw.mqttPort(), MqttUplink.Options.defaults()
                .withTimeout(Duration.ofSeconds(5)).withCredentials(Optional.of("hall-lamp"), Optional.of(lampPassword), false));
        lamp.deliver(pack("hall-lamp", "b", 0, 2, 20));
    }

    @AfterAll
    static void stop() throws Exception {
        if (lamp != null) lamp.close();
        if (gw != null) gw.close();
    }

    static double refused(String action) {
        return gw.metrics().value("lichen_mqtt_refused_total", action);
    }

    static long stored(String device) throws InterruptedException {
        return Clients.stored(gw, device);
    }

    /** mosquitto_sub for up to 3 s; what it printed and how it ended. */
    static Clients.Run sub(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mosquitto_sub", "-h", "127.0.0.1", "-p", Integer.toString(gw.mqttPort()),
                "-V", "mqttv5", "-W", "3", "-v"));
        cmd.addAll(List.of(args));
        return Clients.run("mosquitto-clients", cmd);
    }

    static Clients.Run pub(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(gw.mqttPort()),
                "-V", "mqttv5", "-q", "1"));
        cmd.addAll(List.of(args));
        return Clients.run("mosquitto-clients", cmd);
    }

    @Test
    void subscribingToEverythingIsRefusedAndReadsNothing() throws Exception {
        double before = refused("subscribe");
        // the lamp sends while the attacker listens: nothing of it may show
        Thread sender = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 5; i++) {
                try {
                    lamp.deliver(pack("hall-lamp", "b", 100 + i, 1, 30));
                    Thread.sleep(300);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        });
        for (String filter : List.of("#", "lichen/+/readings", "lichen/hall-lamp/readings", "$SYS/#", "+/#")) {
            var run = sub("-i", "eve", "-t", filter);
            assertTrue(run.output().contains("denied") || run.output().toLowerCase().contains("not authori"),
                    filter + ": " + run.output());
            assertTrue(!run.output().contains("lichen/hall-lamp"), filter + " read the lamp: " + run.output());
        }
        sender.join();
        assertEquals(before + 5, refused("subscribe"));
    }

    @Test
    void aStolenDeviceIdWithoutItsKeyGetsNothing() throws Exception {
        double connects = refused("connect");
        double failures = gw.metrics().value("lichen_mqtt_auth_failures_total");
        // the lamp's id as client id, no login: CONNACK not authorized (it would take over the lamp's session)
        var run = sub("-i", "hall-lamp", "-t", "lichen/hall-lamp/cmd");
        assertTrue(run.output().toLowerCase().contains("not authori"), run.output());
        assertNotEquals(0, run.exit(), run.output());
        assertEquals(connects + 1, refused("connect"));
        // its id as user name without the password, or with a guess
        run = sub("-i", "eve", "-u", "hall-lamp", "-t", "#");
        assertTrue(run.output().toLowerCase().contains("not authori"), run.output());
        run = sub("-i", "eve", "-u", "hall-lamp", "-P", "guess", "-t", "lichen/hall-lamp/cmd");
        assertTrue(run.output().toLowerCase().contains("not authori"), run.output());
        assertEquals(failures + 2, gw.metrics().value("lichen_mqtt_auth_failures_total"));
        // anonymous under another client id, asking for the lamp's commands
        double subs = refused("subscribe");
        run = sub("-i", "eve", "-t", "lichen/hall-lamp/cmd");
        assertTrue(run.output().contains("denied"), run.output());
        assertEquals(subs + 1, refused("subscribe"));
        // and the lamp is still connected and sending
        lamp.deliver(pack("hall-lamp", "b", 200, 1, 40));
    }

    @Test
    void publishingForAnotherDeviceOrACommandIsRefusedAndStoresNothing() throws Exception {
        long lampBefore = stored("hall-lamp");
        double pubs = refused("publish");
        Path f = dir.resolve("fake.cbor");
        Files.write(f, CODEC.encode(pack("hall-lamp", "forged", 0, 3, 99), SenmlFormat.CBOR));
        // anonymous, as the lamp: PUBACK not authorized
        var run = pub("-i", "eve", "-t", "lichen/hall-lamp/readings", "-f", f.toString());
        assertTrue(run.output().toLowerCase().contains("not authori"), run.output());
        // a command to the lamp: only the gateway sends those
        run = pub("-i", "eve", "-t", "lichen/hall-lamp/cmd", "-m", "{\"on\":true}");
        assertTrue(run.output().toLowerCase().contains("not authori"), run.output());
        // declaring the lamp offline, retained
        run = pub("-i", "eve", "-r", "-t", "lichen/hall-lamp/status", "-m", "offline");
        assertTrue(run.output().toLowerCase().contains("not authori"), run.output());
        // a will that would declare it offline when the attacker leaves: refused at CONNECT
        run = sub("-i", "eve", "-t", "lichen/eve/cmd", "--will-topic", "lichen/hall-lamp/status", "--will-payload", "offline",
                "--will-retain");
        assertTrue(run.output().toLowerCase().contains("not authori"), run.output());
        // a logged-in device for another device: its login is its own only
        String porchPassword = Base64.getEncoder().encodeToString(gw.deviceKeys().rotate("porch", System.currentTimeMillis()));
        Files.write(f, CODEC.encode(pack("hall-lamp", "forged", 0, 3, 98), SenmlFormat.CBOR));
        run = pub("-i", "porch", "-u", "porch", "-P", porchPassword, "-t", "lichen/hall-lamp/readings", "-f", f.toString());
        assertTrue(run.output().toLowerCase().contains("not authori"), run.output());
        // device A cannot command device B, nor itself: only the gateway publishes commands
        for (String topic : List.of("lichen/hall-lamp/cmd", "lichen/porch/cmd")) {
            run = pub("-i", "porch", "-u", "porch", "-P", porchPassword, "-t", topic,
                    "-m", "[{\"bn\":\"urn:dev:lichen:hall-lamp:\",\"n\":\"light\",\"vb\":true,\"cid\":\"x-1\"}]");
            assertTrue(run.output().toLowerCase().contains("not authori"), topic + ": " + run.output());
        }
        assertEquals(pubs + 7, refused("publish"));
        // its own readings are fine
        Files.write(f, CODEC.encode(pack("porch", "b", 0, 3, 10), SenmlFormat.CBOR));
        run = pub("-i", "porch", "-u", "porch", "-P", porchPassword, "-t", "lichen/porch/readings", "-f", f.toString());
        assertEquals(0, run.exit(), run.output());
        assertEquals(3, stored("porch"));
        assertEquals(lampBefore, stored("hall-lamp"), "nothing forged was stored for the lamp");
        assertTrue(gw.store().device("hall-lamp").orElseThrow().online(), "the lamp is still online");
        String text = gw.metrics().render();
        assertTrue(text.contains("lichen_mqtt_refused_total{action=\"publish\"} "), text);
    }

    @Test
    void theLampHearsItsOwnCommandsOnly() throws Exception {
        // the lamp's own login may subscribe to its cmd topic (and to nothing else)
        var run = sub("-i", "hall-lamp-cli", "-u", "hall-lamp", "-P", lampPassword, "-t", "lichen/hall-lamp/cmd", "-W", "1");
        assertTrue(!run.output().contains("denied"), run.output());
        run = sub("-i", "hall-lamp-cli", "-u", "hall-lamp", "-P", lampPassword, "-t", "lichen/porch/cmd");
        assertTrue(run.output().contains("denied"), run.output());
    }

    @Test
    void aPendingCommandReachesItsOwnDeviceOnlyOverEitherProtocol() throws Exception {
        gw.store().adopt("hall-lamp", "Hall lamp", "Hall");
        gw.store().putOutputs("hall-lamp", List.of(new dev.lichen.gateway.store.DeviceOutput("hall-lamp", "light",
                dev.lichen.gateway.store.OutputKind.SWITCH)));
        var c = gw.commands().send("hall-lamp", "light", true, null, "admin");
        String wireId = gw.commands().wireId(c).toString();
        // the lamp's own login reads the pending set (the retained message) as it subscribes
        var run = sub("-i", "hall-lamp-cli2", "-u", "hall-lamp", "-P", lampPassword, "-t", "lichen/hall-lamp/cmd", "-C", "1");
        assertTrue(run.output().contains(wireId) && run.output().contains("\"light\""), run.output());
        // nobody else does: anonymous, by the device's topic or by a wildcard, nor another device
        for (String topic : List.of("lichen/hall-lamp/cmd", "lichen/+/cmd", "lichen/#", "#")) {
            run = sub("-i", "eve", "-t", topic);
            assertTrue(!run.output().contains(wireId), topic + ": " + run.output());
            assertTrue(run.output().contains("denied"), topic + ": " + run.output());
        }
        // over CoAP: the commands of a device with a key are not read in the clear, nor with another device's key
        run = Clients.run("libcoap3-bin", List.of("coap-client-notls", "-m", "get", "-B", "5",
                "coap://127.0.0.1:" + gw.coapPort() + "/c/hall-lamp"));
        assertTrue(run.output().contains("4.01") && !run.output().contains(wireId), run.output());
        String atticKey = "attic-secret-key-0123456789abcdef";
        Path keyFile = dir.resolve("attic.psk");
        Files.writeString(keyFile, "attic-coaps " + Base64.getEncoder().encodeToString(atticKey.getBytes()) + "\n");
        gw.deviceKeys().importFile(keyFile, System.currentTimeMillis());
        run = Clients.run("libcoap3-bin", List.of("coap-client-openssl", "-m", "get", "-B", "5", "-u", "attic-coaps", "-k", atticKey,
                "coaps://127.0.0.1:" + gw.coapsPort() + "/c/hall-lamp"));
        assertTrue(run.output().contains("4.03") && !run.output().contains(wireId), run.output());
        // nor is anything written there: the gateway alone makes commands
        for (String method : List.of("put", "post")) {
            run = Clients.run("libcoap3-bin", List.of("coap-client-openssl", "-m", method, "-B", "5", "-u", "attic-coaps", "-k", atticKey,
                    "-e", "[{\"n\":\"light\",\"vb\":false,\"cid\":\"x-1\"}]", "coaps://127.0.0.1:" + gw.coapsPort() + "/c/hall-lamp"));
            assertTrue(run.output().contains("4.05"), method + ": " + run.output());
        }
        // a device id nobody knows makes nothing: 4.04
        run = Clients.run("libcoap3-bin", List.of("coap-client-notls", "-m", "get", "-B", "5",
                "coap://127.0.0.1:" + gw.coapPort() + "/c/nobody-" + System.nanoTime()));
        assertTrue(run.output().contains("4.04"), run.output());
        assertEquals("PENDING", gw.commands().command(c.id()).orElseThrow().state().name(), "nobody answered for the lamp");
    }

    static Clients.Run coap(String client, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(client, "-m", "post", "-t", "112", "-B", "5"));
        cmd.addAll(args);
        return Clients.run("libcoap3-bin", cmd);
    }

    @Test
    void coapPostsForTheLampFromAnyoneButTheLampAreRefused() throws Exception {
        long lampBefore = stored("hall-lamp");
        Path f = dir.resolve("coap-fake.cbor");
        Files.write(f, CODEC.encode(pack("hall-lamp", "forged", 0, 3, 97), SenmlFormat.CBOR));
        // plain CoAP for a device with a key: 4.03 (it speaks over CoAPS only)
        var run = coap("coap-client-notls", List.of("-f", f.toString(), "coap://127.0.0.1:" + gw.coapPort() + "/r"));
        assertTrue(run.output().contains("4.03"), run.output());
        // CoAPS with another device's key: the handshake works (it is porch's key), the pack for the lamp gets 4.03
        // libcoap's -k takes the key as text: import a printable one, as a key file would
        String porchKey = "porch-secret-key-0123456789abcdef";
        Path keyFile = dir.resolve("porch.psk");
        Files.writeString(keyFile, "porch-coaps " + Base64.getEncoder().encodeToString(porchKey.getBytes()) + "\n");
        gw.deviceKeys().importFile(keyFile, System.currentTimeMillis());
        run = coap("coap-client-openssl", List.of("-u", "porch-coaps", "-k", porchKey,
                "-f", f.toString(), "coaps://127.0.0.1:" + gw.coapsPort() + "/r"));
        assertTrue(run.output().contains("4.03"), run.output());
        // the lamp's identity with a guessed key: the handshake fails, nothing is posted
        double handshakes = gw.metrics().value("lichen_coaps_handshake_failures_total", "wrong_key");
        run = coap("coap-client-openssl", List.of("-u", "hall-lamp", "-k", "guess", "-f", f.toString(),
                "coaps://127.0.0.1:" + gw.coapsPort() + "/r"));
        assertTrue(!run.output().contains("2.04"), run.output());
        assertTrue(gw.metrics().value("lichen_coaps_handshake_failures_total", "wrong_key") > handshakes, gw.metrics().render());
        // porch's own pack with porch's key is fine
        Files.write(f, CODEC.encode(pack("porch-coaps", "b", 0, 2, 5), SenmlFormat.CBOR));
        run = coap("coap-client-openssl", List.of("-u", "porch-coaps", "-k", porchKey,
                "-f", f.toString(), "coaps://127.0.0.1:" + gw.coapsPort() + "/r"));
        assertEquals(0, run.exit(), run.output());
        assertEquals(2, stored("porch-coaps"));
        assertEquals(lampBefore, stored("hall-lamp"), "nothing forged was stored for the lamp");
    }

    /** A logged-in MQTT 5 client that records when the broker ends its connection. */
    static org.eclipse.paho.mqttv5.client.MqttClient loggedIn(String device, String password,
                                                              java.util.concurrent.CompletableFuture<Long> cutAt) throws Exception {
        var c = new org.eclipse.paho.mqttv5.client.MqttClient("tcp://127.0.0.1:" + gw.mqttPort(), device,
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        c.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
            @Override public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) { cutAt.complete(System.nanoTime()); }
            @Override public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) {}
            @Override public void messageArrived(String t, org.eclipse.paho.mqttv5.common.MqttMessage m) {}
            @Override public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken t) {}
            @Override public void connectComplete(boolean reconnect, String uri) {}
            @Override public void authPacketArrived(int reason, org.eclipse.paho.mqttv5.common.packet.MqttProperties p) {}
        });
        var o = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
        o.setUserName(device);
        o.setPassword(password.getBytes());
        c.connect(o);
        c.subscribe("lichen/" + device + "/cmd", 1);
        return c;
    }

    @Test
    void rotatingOrRevokingAKeyEndsTheDevicesLiveMqttConnectionAtOnce() throws Exception {
        String old = Base64.getEncoder().encodeToString(gw.deviceKeys().rotate("cellar-fan", System.currentTimeMillis()));
        var cut = new java.util.concurrent.CompletableFuture<Long>();
        var fan = loggedIn("cellar-fan", old, cut);
        long t0 = System.nanoTime();
        String fresh = Base64.getEncoder().encodeToString(gw.deviceKeys().rotate("cellar-fan", System.currentTimeMillis()));
        long ms = (cut.get(5, java.util.concurrent.TimeUnit.SECONDS) - t0) / 1_000_000;
        System.out.println("MQTT connection ended " + ms + " ms after the rotation");
        assertTrue(ms < 1000, "cut off within 1 s of the rotation, took " + ms + " ms");
        fan.close(true);
        // the old key no longer logs in; the new one does
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.eclipse.paho.mqttv5.common.MqttException.class,
                () -> loggedIn("cellar-fan", old, new java.util.concurrent.CompletableFuture<>()));
        assertEquals(0x87, e.getReasonCode(), e.toString());
        var cut2 = new java.util.concurrent.CompletableFuture<Long>();
        fan = loggedIn("cellar-fan", fresh, cut2);
        t0 = System.nanoTime();
        assertTrue(gw.deviceKeys().revoke("cellar-fan"));
        ms = (cut2.get(5, java.util.concurrent.TimeUnit.SECONDS) - t0) / 1_000_000;
        System.out.println("MQTT connection ended " + ms + " ms after the revocation");
        assertTrue(ms < 1000, "cut off within 1 s of the revocation, took " + ms + " ms");
        fan.close(true);
        e = org.junit.jupiter.api.Assertions.assertThrows(org.eclipse.paho.mqttv5.common.MqttException.class,
                () -> loggedIn("cellar-fan", fresh, new java.util.concurrent.CompletableFuture<>()));
        assertEquals(0x87, e.getReasonCode(), "a revoked key logs in no more: " + e);
    }
}
