package dev.lichen.sim.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.store.DeviceState;
import dev.lichen.runtime.identity.DeviceIdentity;
import dev.lichen.runtime.storage.FileKeyValueStore;
import dev.lichen.sim.board.Scenarios;
import dev.lichen.sim.board.VirtualDevice;
import dev.lichen.sim.scenario.Plan;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo adopts its own virtual devices with the key pair each keeps in its state folder pinned,
 * before any of them speaks; data from an older demo (devices adopted with pre-shared keys) moves
 * to the devices' own keys, and a device a person rejected stays rejected.
 */
class DemoAdoptionTest {
    @TempDir
    Path dir;

    static Plan home() throws Exception {
        try (var in = DemoCommand.class.getResourceAsStream("home.json")) {
            return Scenarios.loader().parse(in.readAllBytes(), "built-in demo home", List.of());
        }
    }

    DeviceIdentity own(String id) throws Exception {
        return DeviceIdentity.loadOrCreate(new FileKeyValueStore(VirtualDevice.stateDir(dir.resolve("devices"), id)));
    }

    @Test
    void theDemoHomesAutomationsAreMadeOnceAndNameOutputsAndChannelsItsDevicesHave() throws Exception {
        Plan plan = home();
        try (Gateway gw = Gateway.start(GatewayConfig.forTest(dir.resolve("gw-auto")), List.of())) {
            assertEquals(3, DemoCommand.automate(gw));
            assertEquals(0, DemoCommand.automate(gw), "a second start makes none again");
            for (var a : gw.automations().list()) {
                var t = (dev.lichen.gateway.automations.Automation.Trigger.Reading) a.trigger();
                var device = plan.devices().stream().filter(d -> d.deviceId().equals(t.deviceId())).findFirst()
                        .orElseThrow(() -> new AssertionError(a.name() + ": no demo device " + t.deviceId()));
                var config = device.deviceConfig();
                boolean has = false;
                for (var sensor : config.get("sensors")) has |= sensor.get("channels").has(t.channel());
                assertTrue(has, a.name() + ": " + t.deviceId() + " has no channel " + t.channel());
                for (var x : a.actions()) {
                    var set = (dev.lichen.gateway.automations.Automation.Action.Set) x;
                    var target = plan.devices().stream().filter(d -> d.deviceId().equals(set.deviceId())).findFirst().orElseThrow();
                    boolean out = false;
                    for (var o : target.deviceConfig().get("outputs")) out |= o.get("name").asText().equals(set.output());
                    assertTrue(out, a.name() + ": " + set.deviceId() + " has no output " + set.output());
                }
            }
        }
    }

    @Test
    void everyDeviceIsAdoptedWithItsOwnKeyPinnedAndAnOlderDemosKeysMoveToThem() throws Exception {
        Plan plan = home();
        String older = plan.devices().get(0).deviceId();
        String rejected = plan.devices().get(1).deviceId();
        try (Gateway gw = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")), List.of())) {
            // what the previous demo left: one device adopted with a pre-shared key, one a person rejected
            gw.deviceKeys().rotate(older, System.currentTimeMillis());
            gw.store().setOnline(older, false, System.currentTimeMillis());
            gw.store().adopt(older, "Renamed by a person", "Attic");
            gw.store().setOnline(rejected, false, System.currentTimeMillis());
            gw.store().reject(rejected);

            int adopted = DemoCommand.adopt(gw, plan, dir.resolve("devices"));
            assertEquals(plan.devices().size() - 2, adopted, "all but the one adopted already and the rejected one");
            for (var d : plan.devices()) {
                String id = d.deviceId();
                if (id.equals(rejected)) {
                    assertEquals(DeviceState.REJECTED, gw.store().device(id).orElseThrow().state());
                    assertFalse(gw.deviceIdentities().key(id).isPresent(), "a rejected device gets no key");
                    continue;
                }
                assertEquals(DeviceState.ADOPTED, gw.store().device(id).orElseThrow().state(), id);
                assertEquals(own(id).fingerprint(), gw.deviceIdentities().key(id).orElseThrow().fingerprint(), id);
                assertTrue(gw.deviceIdentities().pinned(id), id);
                assertTrue(gw.store().deviceKey(id).isEmpty(), id + " has no pre-shared key");
            }
            assertEquals("Renamed by a person", gw.store().device(older).orElseThrow().name(), "a person's name stands");
            // a second start changes nothing: the same keys stay pinned
            assertEquals(0, DemoCommand.adopt(gw, plan, dir.resolve("devices")));
            assertEquals(own(older).fingerprint(), gw.deviceIdentities().key(older).orElseThrow().fingerprint());
        }
    }
}
