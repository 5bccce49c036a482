package dev.lichen.appliance;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.uplink.Arrivals;
import dev.lichen.runtime.uplink.Await;
import dev.lichen.runtime.uplink.CoapTestGateway;
import dev.lichen.runtime.uplink.CoapUplink;
import dev.lichen.runtime.uplink.CoapUplinkTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import dev.lichen.runtime.uplink.UplinkPump;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.senml.Value;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The whole sensor appliance on a simulated board, delivering to a real Californium server. */
class SensorApplianceTest {
    @TempDir Path dir;
    static final UplinkPump.Options PUMP = new UplinkPump.Options(20, Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofMillis(50));
    static final CoapUplink.Options FAST = new CoapUplink.Options(SenmlFormat.CBOR, Duration.ofMillis(100), 2, 512);

    static DeviceConfig config(int port, String thermoAddress) throws ConfigException {
        String json = """
                {"deviceId": "den", "gateway": {"uplink": "coap", "host": "127.0.0.1", "port": %d},
                 "board": "sim", "dataDir": "unused",
                 "sensors": [
                   {"chip": "test-thermo", "address": "%s", "channels": {"temperature": "200ms", "humidity": "400ms"}},
                   {"chip": "test-motion", "pin": 17, "channels": {"motion": "event"}}]}
                """.formatted(port, thermoAddress);
        return DeviceConfig.parse("den.json", json.getBytes(StandardCharsets.UTF_8),
                SensorAppliance.chips(SensorAppliance.installedFactories()));
    }

    static long count(Arrivals a, String channel) {
        return a.all().stream().filter(s -> s.reading().channel().equals(channel)).count();
    }

    @Test
    void samplesOnScheduleMarksFailedReadsAndDeliversEverything() throws Exception {
        var model = new ThermoModel();
        model.set(23.25, 51.5);
        var board = new SimBoard("sim").attachI2c(1, 0x40, model);
        try (var gw = new CoapTestGateway().start();
             var outbox = CoapUplinkTest.newOutbox(dir);
             var uplink = new CoapUplink("127.0.0.1", gw.port(), Optional.empty(), FAST);
             var app = new SensorAppliance(config(gw.port(), "0x40"), board, Clock.SYSTEM, outbox, uplink,
                     SensorAppliance.installedFactories(), Optional.empty(), PUMP).start()) {
            Await.until(Duration.ofSeconds(5), () -> count(gw.arrivals, "humidity") >= 3, () -> "3 humidity readings");
            long t = count(gw.arrivals, "temperature");
            long h = count(gw.arrivals, "humidity");
            assertTrue(t >= 2 * h - 1 && t <= 2 * h + 2, "temperature every 200 ms, humidity every 400 ms: " + t + " vs " + h);
            var first = gw.arrivals.all().getFirst();
            assertEquals(app.bootId(), first.bootId());
            assertTrue(gw.arrivals.all().stream().anyMatch(s -> s.reading().value().equals(new Value.Number(23.25))));
            assertTrue(gw.arrivals.all().stream().anyMatch(s -> s.reading().value().equals(new Value.Number(51.5))));

            // the other sensors see each reading (an SGP30 takes humidity from it)
            assertTrue(TestSensorFactory.OBSERVED_BY_MOTION.stream().anyMatch(r -> r.channel().equals("humidity")
                    && r.value().equals(new Value.Number(51.5))), "the motion sensor observed the humidity readings");

            board.drive(17, true);
            Await.until(Duration.ofSeconds(5), () -> gw.arrivals.all().stream().anyMatch(
                    s -> s.reading().channel().equals("motion") && s.reading().value().equals(new Value.Bool(true))), () -> "a motion event");

            // a loose wire: reads fail, nothing is published for them, they are counted
            model.failing(true);
            Await.until(Duration.ofSeconds(5), () -> app.stats().failedReads() >= 4, () -> "failed reads counted");
            long before = gw.arrivals.all().stream().filter(s -> !s.reading().channel().equals("motion")).count();
            Thread.sleep(500);
            Await.until(Duration.ofSeconds(5), () -> outbox.stats().pending() == 0, () -> "backlog drained");
            long during = gw.arrivals.all().stream().filter(s -> !s.reading().channel().equals("motion")).count();
            assertTrue(during - before <= 2, "no readings while the chip fails (one may have been in flight): " + (during - before));
            model.set(19.0, 60.0);
            model.failing(false);
            Await.until(Duration.ofSeconds(5), () -> gw.arrivals.all().stream().anyMatch(
                    s -> s.reading().value().equals(new Value.Number(19.0))), () -> "reading again after the fault");

            Await.until(Duration.ofSeconds(5), () -> outbox.stats().pending() == 0, () -> "backlog drained");
            // every reading appended arrived, once, in sequence order
            List<Long> seqs = gw.arrivals.all().stream().map(Arrivals.Seen::seq).toList();
            assertEquals(seqs.stream().sorted().distinct().toList(), seqs, "in order, no duplicates");
            assertEquals(app.stats().appended(), seqs.size());
            assertEquals(0, app.stats().invalidReadings());
        }
    }

    @Test
    void chipMissingAtStartIsRetriedAndCounted() throws Exception {
        var board = new SimBoard("sim"); // nothing attached at 0x41 yet
        try (var gw = new CoapTestGateway().start();
             var outbox = CoapUplinkTest.newOutbox(dir);
             var uplink = new CoapUplink("127.0.0.1", gw.port(), Optional.empty(), FAST);
             var app = new SensorAppliance(config(gw.port(), "0x41"), board, Clock.SYSTEM, outbox, uplink,
                     SensorAppliance.installedFactories(), Optional.empty(), PUMP).start()) {
            Await.until(Duration.ofSeconds(3), () -> app.stats().failedReads() >= 2, () -> "the absent chip's reads count as failed");
            assertEquals(0, app.stats().appended(), "nothing is made up for an absent chip");
            board.drive(17, true); // the other sensor works meanwhile
            Await.until(Duration.ofSeconds(3), () -> gw.arrivals.distinct() == 1, () -> "the motion event arrives");
        }
    }

    @Test
    void aChannelTheChipDoesNotHaveStopsTheStart() throws Exception {
        var board = new SimBoard("sim").attachI2c(1, 0x40, new ThermoModel());
        String json = """
                {"deviceId": "den", "gateway": {"uplink": "coap", "host": "127.0.0.1", "port": 9},
                 "board": "sim", "sensors": [{"chip": "test-thermo", "address": "0x40", "channels": {"pressure": "1s"}}]}
                """;
        var config = DeviceConfig.parse("den.json", json.getBytes(StandardCharsets.UTF_8), java.util.Set.of("test-thermo"));
        try (var outbox = CoapUplinkTest.newOutbox(dir);
             var uplink = new CoapUplink("127.0.0.1", 9, Optional.empty(), FAST)) {
            var app = new SensorAppliance(config, board, Clock.SYSTEM, outbox, uplink,
                    SensorAppliance.installedFactories(), Optional.empty(), PUMP);
            var e = assertThrows(IllegalStateException.class, app::start);
            assertTrue(e.getMessage().contains("no channel 'pressure'") && e.getMessage().contains("temperature"), e.getMessage());
            assertEquals(0, outbox.stats().pending());
        }
    }

    @Test
    void bootIdIsNewEachStartAndCountsBoots() throws Exception {
        var board = new SimBoard("sim").attachI2c(1, 0x40, new ThermoModel());
        var store = new dev.lichen.runtime.storage.FileKeyValueStore(dir.resolve("state"));
        List<String> boots = new java.util.ArrayList<>();
        List<String> identities = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try (var outbox = CoapUplinkTest.newOutbox(dir);
                 var uplink = new CoapUplink("127.0.0.1", 9, Optional.empty(), FAST);
                 var app = new SensorAppliance(config(9, "0x40"), board, Clock.SYSTEM, outbox, uplink,
                         SensorAppliance.installedFactories(), Optional.of(store), PUMP).start()) {
                boots.add(app.bootId());
                identities.add(app.identity().orElseThrow().fingerprint());
            }
        }
        assertTrue(boots.get(0).startsWith("1-") && boots.get(1).startsWith("2-"), boots.toString());
        // the device's own key pair is made on the first boot and is the same on the next
        assertEquals(identities.get(0), identities.get(1));
        assertTrue(identities.get(0).matches("[0-9A-F]{4}(-[0-9A-F]{4}){3}"), identities.toString());
        assertNotEquals(boots.get(0).substring(2), boots.get(1).substring(2));
    }

    @Test
    void anUnreadableBootCountStartsCountingAgain() throws Exception {
        // what a power cut on an image's FAT data partition left behind: an empty boot.count
        var board = new SimBoard("sim").attachI2c(1, 0x40, new ThermoModel());
        var store = new dev.lichen.runtime.storage.FileKeyValueStore(dir.resolve("state"));
        store.put("boot.count", "");
        try (var outbox = CoapUplinkTest.newOutbox(dir);
             var uplink = new CoapUplink("127.0.0.1", 9, Optional.empty(), FAST);
             var app = new SensorAppliance(config(9, "0x40"), board, Clock.SYSTEM, outbox, uplink,
                     SensorAppliance.installedFactories(), Optional.of(store), PUMP).start()) {
            assertTrue(app.bootId().matches("1-[0-9a-f]{8}"), app.bootId());
        }
        assertEquals(Optional.of("1"), store.get("boot.count"));
    }
}
