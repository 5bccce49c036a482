package dev.lichen.appliance;

import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.storage.FileOutbox;
import dev.lichen.runtime.uplink.UplinkPump;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;

/**
 * A measurement, not a test (benchmarks/sensor-rss.sh runs it): the sensor appliance on a
 * simulated board with 5 channels sampled at 1 Hz, uplinking to a local broker or CoAP server,
 * printing its resident memory every 30 s. Args: uplink (mqtt|coap) port minutes dataDir.
 */
public final class SensorRssRun {
    public static void main(String[] args) throws Exception {
        String uplinkKind = args[0];
        int port = Integer.parseInt(args[1]);
        int minutes = Integer.parseInt(args[2]);
        Path data = Path.of(args[3]);
        String json = """
                {"deviceId": "rss-bench", "gateway": {"uplink": "%s", "host": "127.0.0.1", "port": %d},
                 "board": "sim", "dataDir": "%s",
                 "sensors": [
                   {"chip": "test-thermo", "address": "0x40", "channels": {"temperature": "1s", "humidity": "1s"}},
                   {"chip": "test-thermo", "address": "0x41", "channels": {"temperature": "1s", "humidity": "1s"}},
                   {"chip": "test-motion", "pin": 17, "channels": {"motion": "1s"}}]}
                """.formatted(uplinkKind, port, data);
        var factories = SensorAppliance.installedFactories();
        DeviceConfig config = DeviceConfig.parse("bench", json.getBytes(StandardCharsets.UTF_8), SensorAppliance.chips(factories));
        var indoor = new ThermoModel();
        var outdoor = new ThermoModel();
        var board = new SimBoard("sim").attachI2c(1, 0x40, indoor).attachI2c(1, 0x41, outdoor);
        Files.createDirectories(data);
        try (var outbox = FileOutbox.open(data.resolve("outbox"), config.outboxBudgetBytes());
             var uplink = SensorAppliance.openUplink(config);
             var app = new SensorAppliance(config, board, Clock.SYSTEM, outbox, uplink, factories, Optional.empty(),
                     UplinkPump.Options.defaults()).start()) {
            Random weather = new Random(1);
            long start = System.nanoTime();
            long end = start + Duration.ofMinutes(minutes).toNanos();
            long nextReport = start;
            while (System.nanoTime() < end) {
                indoor.set(21 + weather.nextGaussian(), 45 + 5 * weather.nextGaussian());
                outdoor.set(8 + 3 * weather.nextGaussian(), 80 + 5 * weather.nextGaussian());
                board.drive(17, weather.nextInt(10) == 0);
                if (System.nanoTime() >= nextReport) {
                    var s = app.stats();
                    System.out.printf("t=%3ds rss=%s appended=%d delivered=%d backlog=%d link=%s%n",
                            (System.nanoTime() - start) / 1_000_000_000L, rss(), s.appended(), s.uplink().delivered(),
                            s.uplink().backlog(), s.uplink().link());
                    nextReport += Duration.ofSeconds(30).toNanos();
                }
                Thread.sleep(1000);
            }
            System.out.println("final rss=" + rss() + " appended=" + app.stats().appended() + " delivered=" + app.stats().uplink().delivered());
        }
    }

    static String rss() throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).map(l -> l.substring(6).trim()).findFirst().orElse("?");
    }
}
