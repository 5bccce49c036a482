package dev.lichen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.store.Channel;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.store.StoredReading;
import dev.lichen.senml.Value;
import dev.lichen.sim.board.Scenarios;
import dev.lichen.sim.board.Simulation;
import dev.lichen.sim.board.TakenReading;
import dev.lichen.sim.demo.EmbeddedGateway;
import dev.lichen.sim.scenario.FaultSpec;
import dev.lichen.sim.scenario.Plan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A simulated home against a real gateway (in this JVM, real CoAP server, real embedded broker,
 * real SQLite file): half the devices partitioned for 30 simulated minutes, the gateway
 * restarted, a device losing power mid-write. Afterwards every reading taken is stored exactly
 * once, with its value, and each device's readings are in order.
 */
class EndToEndTest {
    static final String SCENARIO = """
            {"seed": 11, "speed": 300, "start": "2026-11-26T08:00:00Z", "duration": "60m",
             "rooms": [{"name": "kitchen", "heating": [{"from": "06:00", "to": "22:00", "setpointC": 21}],
                        "motion": {"perHour": 30, "hold": "20s"}}],
             "plants": [{"name": "basil", "room": "kitchen", "watering": {"every": "1d", "at": "08:30"}}],
             "fridges": [{"name": "fridge", "room": "kitchen", "doorOpensPerHour": 6}],
             "fleets": [
               {"prefix": "climate", "count": 2, "place": "kitchen", "uplink": "coap", "config": {"sensors": [
                 {"chip": "bme280", "bus": 1, "address": "0x76",
                  "channels": {"temperature": "30s", "humidity": "30s", "pressure": "60s"}}]}},
               {"prefix": "presence", "count": 2, "place": "kitchen", "uplink": "mqtt", "config": {"sensors": [
                 {"chip": "bh1750", "bus": 1, "address": "0x23", "channels": {"illuminance": "30s"}},
                 {"chip": "pir", "pin": 17, "channels": {"motion": "event"}}]}},
               {"prefix": "pot", "count": 2, "place": "basil", "uplink": "coap", "config": {"sensors": [
                 {"chip": "soil-ads1115", "bus": 1, "address": "0x48", "input": 0,
                  "calibration": {"dryVolts": 2.8, "wetVolts": 1.2}, "channels": {"soil_moisture": "30s"}}]}},
               {"prefix": "fridge", "count": 2, "place": "fridge", "uplink": "mqtt", "config": {"sensors": [
                 {"chip": "sht31", "bus": 1, "address": "0x44", "channels": {"temperature": "30s", "humidity": "30s"}},
                 {"chip": "reed", "pin": 27, "channels": {"door": "event"}}]}}],
             "faults": [
               {"type": "partition", "at": "10m", "for": "30m", "fraction": 0.5},
               {"type": "gateway-restart", "at": "42m"},
               {"type": "reboot", "at": "50m", "devices": ["pot-0001"], "powerLoss": true}]}
            """;

    @TempDir
    Path dir;

    @Test
    void everyReadingTakenIsStoredExactlyOnceAndInOrder() throws Exception {
        Plan plan = Scenarios.loader().parse(SCENARIO.getBytes(StandardCharsets.UTF_8), "e2e.json", List.of());
        var partition = (FaultSpec.NetworkLoss) plan.faults().getFirst();
        assertEquals(4, partition.devices().size(), "half of the 8 devices are cut off");

        try (EmbeddedGateway gateway = new EmbeddedGateway(GatewayConfig.forTest(dir.resolve("gateway")))) {
            Simulation sim = new Simulation(plan, gateway, new Simulation.Options(dir.resolve("devices"), false, true, System.out));
            List<TakenReading> snapshot;
            try {
                sim.start();
                sim.awaitEnd();
                snapshot = sim.readings().all();
                assertTrue(sim.faultLog().size() >= 5, "partition, its end, restart and reboot happened: " + sim.faultLog());
                assertTrue(sim.faultLog().stream().noneMatch(l -> l.startsWith("fault failed")), sim.faultLog().toString());
                assertEquals(2, sim.device("pot-0001").boots(), "pot-0001 rebooted");
                assertTrue(sim.network().refused() > 0, "the partition refused deliveries");
                waitUntilStored(gateway.gateway().store(), snapshot);
                // the devices spoke TLS (MQTT) and DTLS (CoAP), trusting the CA of the gateway they were given and presenting their own keys, after its restart too
                // (the link is known from a device's first pack after the restart; an event-only sensor may have sent none)
                int overTls = 0, overDtls = 0;
                for (var d : plan.devices()) {
                    var link = gateway.gateway().pipeline().link(d.deviceId());
                    if (d.uplink().equals("mqtt")) {
                        assertTrue(link.isEmpty() || link.get() == dev.lichen.gateway.ingest.Protocol.MQTTS, d.deviceId() + ": " + link);
                        if (link.isPresent()) overTls++;
                    } else {
                        assertTrue(link.isEmpty() || link.get() == dev.lichen.gateway.ingest.Protocol.COAPS, d.deviceId() + ": " + link);
                        if (link.isPresent()) overDtls++;
                    }
                    // either way with the key pair it made itself: no secret was copied onto it
                    assertTrue(gateway.gateway().store().deviceKey(d.deviceId()).isEmpty(), d.deviceId() + " has no pre-shared key");
                    if (gateway.gateway().store().device(d.deviceId()).isPresent()) {
                        var own = dev.lichen.runtime.identity.DeviceIdentity.loadOrCreate(new dev.lichen.runtime.storage.FileKeyValueStore(
                                dev.lichen.sim.board.VirtualDevice.stateDir(dir.resolve("devices"), d.deviceId())));
                        assertEquals(own.fingerprint(), gateway.gateway().deviceIdentities().key(d.deviceId()).orElseThrow().fingerprint(),
                                d.deviceId() + " presented its own key");
                    }
                }
                assertTrue(overTls > 0, "some MQTT device sent over TLS since the restart");
                assertTrue(overDtls > 0, "some CoAP device sent over DTLS since the restart");
            } finally {
                sim.close();
            }
            List<TakenReading> taken = sim.readings().all();
            Store store = gateway.gateway().store();
            Map<String, TakenReading> byKey = new HashMap<>();
            for (TakenReading t : taken) {
                if (byKey.put(key(t.deviceId(), t.bootId(), t.seq()), t) != null) fail("taken twice: " + t);
            }
            assertTrue(snapshot.size() > 1_000, "a busy hour: " + snapshot.size() + " readings");

            Set<String> devicesSeen = new HashSet<>();
            for (String device : plan.devices().stream().map(d -> d.deviceId()).toList()) {
                List<StoredReading> stored = new ArrayList<>();
                for (Channel c : store.channels(device)) {
                    stored.addAll(store.readings(device, c.name(), 0, Long.MAX_VALUE, 1_000_000));
                }
                Set<String> keys = new HashSet<>();
                for (StoredReading s : stored) {
                    String k = key(device, s.bootId(), s.seq());
                    assertTrue(keys.add(k), "stored once: " + k);
                    TakenReading t = byKey.get(k);
                    assertTrue(t != null, "everything stored was taken: " + s);
                    assertEquals(t.reading().channel(), s.channel(), k);
                    assertEquals(t.reading().timeMillis(), s.timeMillis(), k);
                    double expected = switch (t.reading().value()) {
                        case Value.Number n -> n.value();
                        case Value.Bool b -> b.value() ? 1 : 0;
                        default -> Double.NaN;
                    };
                    assertEquals(expected, s.value(), 1e-9, k);
                }
                // in order: within a boot and a channel, a later sequence number never carries an
                // earlier time (across channels a slow conversion may be overtaken by an event)
                Map<String, List<StoredReading>> runs = stored.stream()
                        .collect(Collectors.groupingBy(r -> r.bootId() + "/" + r.channel()));
                runs.values().forEach(l -> {
                    l.sort((a, b) -> Long.compare(a.seq(), b.seq()));
                    for (int i = 1; i < l.size(); i++) {
                        assertTrue(l.get(i).timeMillis() > l.get(i - 1).timeMillis(), "in order: " + l.get(i - 1) + " then " + l.get(i));
                    }
                });
                // and no gaps: each boot's sequence numbers run on without a hole
                stored.stream().collect(Collectors.groupingBy(StoredReading::bootId)).forEach((boot, l) -> {
                    List<Long> seqs = l.stream().map(StoredReading::seq).sorted().toList();
                    assertEquals(seqs.getLast() - seqs.getFirst() + 1, seqs.size(), device + " boot " + boot + " has holes");
                });
                if (!stored.isEmpty()) devicesSeen.add(device);
            }
            for (TakenReading t : snapshot) {
                assertTrue(store.readings(t.deviceId(), t.reading().channel(), t.reading().timeMillis(), t.reading().timeMillis() + 1, 100)
                        .stream().anyMatch(s -> s.bootId().equals(t.bootId()) && s.seq() == t.seq()), "taken and stored: " + t);
            }
            assertEquals(8, devicesSeen.size());
            Set<String> bootsOfPot = new HashSet<>();
            for (Channel c : store.channels("pot-0001")) {
                store.readings("pot-0001", c.name(), 0, Long.MAX_VALUE, 1_000_000).forEach(s -> bootsOfPot.add(s.bootId()));
            }
            assertEquals(2, bootsOfPot.size(), "readings of both boots of the rebooted device: " + bootsOfPot);
        }
    }

    private static String key(String device, String boot, long seq) {
        return device + "/" + boot + "/" + seq;
    }

    private static void waitUntilStored(Store store, List<TakenReading> snapshot) throws InterruptedException {
        Map<String, Long> want = snapshot.stream().collect(Collectors.groupingBy(TakenReading::deviceId, Collectors.counting()));
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (var e : want.entrySet()) {
                if (store.readingCount(e.getKey()) < e.getValue()) {
                    all = false;
                    break;
                }
            }
            if (all) return;
            Thread.sleep(250);
        }
        Map<String, Long> got = new java.util.TreeMap<>();
        want.keySet().forEach(d -> got.put(d, store.readingCount(d)));
        fail("the gateway did not get every reading within 2 minutes: wanted " + new java.util.TreeMap<>(want) + ", stored " + got);
    }
}
