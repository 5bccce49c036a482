package dev.lichen.gateway.ingest;

import static dev.lichen.gateway.testing.Clients.pack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.testing.Clients;
import dev.lichen.runtime.uplink.MqttUplink;
import dev.lichen.runtime.uplink.TrustedCa;
import dev.lichen.runtime.uplink.UplinkException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * MQTT over TLS on the gateway's own broker: a device that trusts the gateway's CA (the
 * {@code ca.crt} it serves) sends through the project's uplink with Paho 3.1.1 and 5, logged in or
 * not; Debian's mosquitto clients show what a stranger meets: no handshake without that CA, no
 * MQTT in the clear on the TLS port, and the same authorization over TLS as over plain MQTT.
 */
class MqttTlsTest {
    @TempDir
    static Path dir;
    static Gateway gw;
    static Path caFile;

    @BeforeAll
    static void start() throws Exception {
        gw = Gateway.start(GatewayConfig.forTest(dir.resolve("data")), List.of());
        caFile = dir.resolve("data/tls/ca.crt");
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
    }

    static long stored(String device) throws InterruptedException {
        return Clients.stored(gw, device);
    }

    static MqttUplink.Options trusting(MqttUplink.Protocol protocol) throws Exception {
        return MqttUplink.Options.defaults().withProtocol(protocol).withTimeout(Duration.ofSeconds(5)).withTls(TrustedCa.read(caFile));
    }

    static Clients.Run mosquitto(String program, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(program, "-h", "localhost", "-p", Integer.toString(gw.mqttTlsPort()), "-V", "mqttv5"));
        cmd.addAll(List.of(args));
        return Clients.run("mosquitto-clients", cmd);
    }

    @Test
    void aDeviceThatTrustsTheGatewaysCaSendsOverTlsWithEitherProtocol() throws Exception {
        assertNotEquals(gw.mqttPort(), gw.mqttTlsPort());
        for (var protocol : List.of(MqttUplink.Protocol.V5, MqttUplink.Protocol.V3)) {
            String id = "tls-" + protocol.name().toLowerCase();
            try (var device = new MqttUplink(id, "127.0.0.1", gw.mqttTlsPort(), trusting(protocol))) {
                device.deliver(pack(id, "b", 0, 3, 20));
                device.deliver(pack(id, "b", 3, 2, 30));
            }
            assertEquals(5, stored(id), protocol.name());
            assertEquals(Optional.of(Protocol.MQTTS), Clients.awaitLink(gw, id), "the pipeline knows the link was encrypted");
        }
        assertEquals(TrustedCa.read(caFile).fingerprint(), gw.tls().caFingerprint(), "the device's copy is the gateway's CA");
    }

    @Test
    void aDeviceJsonWithTheGatewaysCaFileSendsOverTls() throws Exception {
        String json = """
                {"deviceId": "porch-tls", "gateway": {"uplink": "mqtt", "host": "127.0.0.1", "port": %d, "caFile": "%s"},
                 "board": "sim", "sensors": [{"chip": "pir", "pin": 4, "channels": {"motion": "event"}}]}
                """.formatted(gw.mqttTlsPort(), caFile);
        var config = dev.lichen.appliance.DeviceConfig.parse("device.json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.util.Set.of("pir"));
        assertTrue(config.gateway().tls());
        assertEquals(gw.tls().caFingerprint(), config.gateway().ca().orElseThrow().fingerprint());
        assertTrue(config.gateway().ownKey(), "no user name: the device presents its own key");
        assertThrows(IllegalStateException.class, () -> dev.lichen.appliance.SensorAppliance.openUplink(config),
                "the own key is the device's identity, which the uplink cannot do without");
        var identity = dev.lichen.runtime.identity.DeviceIdentity.generate();
        try (var uplink = dev.lichen.appliance.SensorAppliance.openUplink(config, Optional.of(identity))) {
            uplink.deliver(pack("porch-tls", "b", 0, 2, 20));
        }
        assertEquals(2, stored("porch-tls"));
        assertEquals(identity.fingerprint(), gw.deviceIdentities().key("porch-tls").orElseThrow().fingerprint(),
                "the key in the device's certificate is recorded for its card");
        assertEquals(Optional.of(Protocol.MQTTS), Clients.awaitLink(gw, "porch-tls"));
    }

    @Test
    void aKeyedDeviceLogsInOverTlsAndAWrongKeyIsRefused() throws Exception {
        String key = Base64.getEncoder().encodeToString(gw.deviceKeys().rotate("tls-lamp", System.currentTimeMillis()));
        try (var lamp = new MqttUplink("tls-lamp", "127.0.0.1", gw.mqttTlsPort(),
                trusting(MqttUplink.Protocol.V5).withCredentials(Optional.of("tls-lamp"), Optional.of(key), true))) {
            lamp.deliver(pack("tls-lamp", "b", 0, 2, 20));
        }
        assertEquals(2, stored("tls-lamp"));
        try (var thief = new MqttUplink("tls-lamp", "127.0.0.1", gw.mqttTlsPort(),
                trusting(MqttUplink.Protocol.V5).withCredentials(Optional.of("tls-lamp"), Optional.of("Z3Vlc3M="), true))) {
            var e = assertThrows(UplinkException.class, () -> thief.deliver(pack("tls-lamp", "b", 2, 1, 99)));
            assertEquals(UplinkException.Kind.DEVICE_REFUSED, e.kind(), e.getMessage());
        }
        assertEquals(2, stored("tls-lamp"));
    }

    @Test
    void aClientWithoutTheCaGetsNoHandshake() throws Exception {
        // the JVM's stock trust store (public CAs) does not know the gateway's CA
        try (var stranger = new MqttUplink("tls-stranger", "127.0.0.1", gw.mqttTlsPort(),
                MqttUplink.Options.defaults().withTimeout(Duration.ofSeconds(5)).withCredentials(Optional.empty(), Optional.empty(), true))) {
            assertThrows(UplinkException.class, () -> stranger.deliver(pack("tls-stranger", "b", 0, 1, 1)));
        }
        var run = mosquitto("mosquitto_pub", "--capath", "/etc/ssl/certs", "-i", "eve", "-t", "lichen/eve/readings", "-m", "x");
        assertNotEquals(0, run.exit(), run.output());
        assertTrue(run.output().toLowerCase().contains("certificate verify failed") || run.output().toLowerCase().contains("tls"), run.output());
        assertEquals(0, stored("tls-stranger"));
    }

    @Test
    void plainMqttOnTheTlsPortIsNotSpoken() throws Exception {
        List<String> cmd = List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(gw.mqttTlsPort()), "-V", "mqttv5",
                "-i", "eve", "-t", "lichen/eve/readings", "-m", "x");
        var run = Clients.run("mosquitto-clients", cmd);
        assertNotEquals(0, run.exit(), run.output());
        assertEquals(0, stored("eve"));
    }

    @Test
    void overTlsTheBrokerStillRefusesWildcardsAndOtherDevicesTopics() throws Exception {
        double subs = gw.metrics().value("lichen_mqtt_refused_total", "subscribe");
        var run = mosquitto("mosquitto_sub", "--cafile", caFile.toString(), "-i", "eve", "-W", "3", "-v", "-t", "#");
        assertTrue(run.output().contains("denied") || run.output().toLowerCase().contains("not authori"), run.output());
        assertEquals(subs + 1, gw.metrics().value("lichen_mqtt_refused_total", "subscribe"));
        double pubs = gw.metrics().value("lichen_mqtt_refused_total", "publish");
        run = mosquitto("mosquitto_pub", "--cafile", caFile.toString(), "-i", "eve", "-q", "1", "-t", "lichen/tls-v5/cmd", "-m", "on");
        assertEquals(pubs + 1, gw.metrics().value("lichen_mqtt_refused_total", "publish"), run.output());
    }

    @Test
    void theBrokersKeyStoreAndConfigAreTheGatewaysAlone() throws Exception {
        Path conf = dir.resolve("data/mqtt/conf");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(conf)));
        for (String f : List.of("server.p12", "config.xml")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(conf.resolve(f))), f);
        }
    }
}
