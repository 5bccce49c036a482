package dev.lichen.gateway.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.store.StoredCommand;
import dev.lichen.gateway.testing.ActingDevice;
import dev.lichen.gateway.testing.Await;
import dev.lichen.runtime.identity.DeviceIdentity;
import dev.lichen.runtime.storage.FileKeyValueStore;
import dev.lichen.runtime.uplink.CoapUplink;
import dev.lichen.runtime.uplink.MqttUplink;
import dev.lichen.runtime.uplink.TrustedCa;
import dev.lichen.runtime.uplink.Uplink;
import dev.lichen.runtime.uplink.UplinkException;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotating a device's own key pair over its current secure link, with the real gateway and the
 * real appliance: the device makes a new key pair and tells it over the old key's link, switches,
 * and from the new key's first pack the gateway knows the device only by it. The old key is
 * refused afterwards; the device goes on taking commands, after a restart too.
 */
class KeyRotationTest {
    static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    Gateway gw;
    ActingDevice device;

    @BeforeEach
    void start() throws Exception {
        gw = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")), List.of());
    }

    @AfterEach
    void stop() {
        if (device != null) device.close();
        if (gw != null) gw.close();
    }

    StoredCommand.CommandState switchLight(boolean on) throws Exception {
        var c = gw.commands().send(device.id, "light", on, null, "test");
        Await.until(WITHIN, () -> gw.commands().command(c.id()).orElseThrow().state() != StoredCommand.CommandState.PENDING, "command " + c.id() + " answered");
        return gw.commands().command(c.id()).orElseThrow().state();
    }

    /** A link presenting the given key pair, as someone holding the old key would open it. */
    Uplink linkWith(String uplink, java.security.KeyPair keys) throws Exception {
        TrustedCa ca = TrustedCa.read(dir.resolve("devices").resolve(device.id).resolve("gateway-ca.crt"));
        if (uplink.equals("coaps")) {
            return new CoapUplink("127.0.0.1", gw.coapsPort(), new CoapUplink.OwnKey(keys, ca),
                    new CoapUplink.Options(dev.lichen.senml.SenmlFormat.CBOR, Duration.ofMillis(300), 1, 512));
        }
        return new MqttUplink(device.id, "127.0.0.1", gw.mqttTlsPort(), MqttUplink.Options.defaults().withTimeout(Duration.ofSeconds(5))
                .withOwnKey(ca, keys));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqtt", "coaps"})
    void theDeviceMovesToANewKeyOverItsSecureLinkAndTheOldOneStopsWorking(String uplink) throws Exception {
        device = new ActingDevice(dir, "porch-" + uplink, uplink, "[{\"name\": \"light\", \"kind\": \"switch\", \"pin\": 17}]").start(gw);
        Await.until(WITHIN, () -> gw.store().device(device.id).isPresent() && gw.deviceIdentities().key(device.id).isPresent(), "the device presented its key");
        gw.deviceIdentities().pin(device.id, device.fingerprint(), System.currentTimeMillis());
        gw.store().adopt(device.id, "Porch", "Outside");
        Await.until(WITHIN, () -> gw.commands().outputs(device.id).size() == 1, "outputs announced");
        assertEquals(StoredCommand.CommandState.DONE, switchLight(true));
        var state = new FileKeyValueStore(dir.resolve("devices").resolve(device.id).resolve("state"));
        DeviceIdentity old = DeviceIdentity.loadOrCreate(state);
        String before = old.fingerprint();

        var first = gw.commands().rotateKey(device.id, "admin");
        Await.until(WITHIN, () -> !gw.deviceIdentities().key(device.id).orElseThrow().fingerprint().equals(before)
                && gw.deviceIdentities().key(device.id).orElseThrow().next() == null, "the gateway knows the device by its new key alone");
        String after = gw.deviceIdentities().key(device.id).orElseThrow().fingerprint();
        assertNotEquals(before, after);
        assertEquals(after, device.fingerprint(), "the key the gateway pinned is the one the device now presents");
        assertEquals(after, DeviceIdentity.loadOrCreate(state).fingerprint(), "and the one it keeps for its next boot");
        Await.until(WITHIN, () -> gw.commands().recent(device.id, 10).stream().filter(c -> c.output().equals("identity"))
                .allMatch(c -> c.state() == StoredCommand.CommandState.DONE), "both steps of the rotation are acknowledged");
        assertEquals(2, gw.commands().recent(device.id, 10).stream().filter(c -> c.output().equals("identity")).count());
        assertEquals(StoredCommand.CommandState.DONE, gw.commands().command(first.id()).orElseThrow().state());

        // the device goes on: a command over the new key's link
        assertEquals(StoredCommand.CommandState.DONE, switchLight(false));
        // whoever holds the old key gets nothing
        try (Uplink thief = linkWith(uplink, old.keys())) {
            var e = assertThrows(UplinkException.class, () -> thief.deliver(new Batch(device.id, "thief", 0,
                    List.of(new Reading("light", null, new Value.Bool(true), System.currentTimeMillis())))));
            assertTrue(e.kind() == UplinkException.Kind.DEVICE_REFUSED || e.kind() == UplinkException.Kind.AWAY, e.kind() + ": " + e.getMessage());
        }
        assertTrue(gw.store().readings(device.id, "light", 0, Long.MAX_VALUE, 100).stream().noneMatch(r -> "thief".equals(r.bootId())),
                "nothing sent with the old key was stored");
        // a restart of the device: it boots with the new key
        device.stop();
        device.start(gw);
        assertEquals(after, device.fingerprint());
        assertEquals(StoredCommand.CommandState.DONE, switchLight(true));
        assertNull(gw.deviceIdentities().key(device.id).orElseThrow().next());
    }
}
