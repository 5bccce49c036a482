package dev.lichen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.sim.load.LoadGenerator;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load mode drives a real gateway over CoAP and MQTT; what it calls acknowledged is stored. */
class LoadGeneratorTest {
    @TempDir
    Path dir;

    @Test
    void coapAndMqttLoadIsAcknowledgedAndStored() throws Exception {
        try (Gateway g = Gateway.start(GatewayConfig.forTest(dir), java.util.List.of())) {
            for (String scheme : new String[] {"coap", "mqtt"}) {
                int port = scheme.equals("coap") ? g.coapPort() : g.mqttPort();
                var o = new LoadGenerator.Options(URI.create(scheme + "://127.0.0.1:" + port), 20, 20, 10,
                        Duration.ofSeconds(3), scheme, SenmlFormat.CBOR);
                var out = new ByteArrayOutputStream();
                LoadGenerator.Report r = new LoadGenerator(o).run(new PrintStream(out));
                assertTrue(r.sentReadings() >= 20 * 40, scheme + ": about 20 devices x 20/s x 3 s: " + r.summary());
                assertEquals(r.sentReadings(), r.ackedReadings(), scheme + ": " + r.summary());
                assertEquals(0, r.failedPacks());
                assertTrue(r.p50() > 0 && r.p50() <= r.p90() && r.p90() <= r.p99() && r.p99() <= r.max(), r.summary());
                assertTrue(g.pipeline().awaitStored(Duration.ofSeconds(20)), "the gateway's writer caught up with its journal");
                long stored = 0;
                for (int i = 1; i <= 20; i++) stored += g.store().readingCount(String.format("%s-%05d", scheme, i));
                assertEquals(r.ackedReadings(), stored, scheme + ": every acknowledged reading is stored");
            }
        }
    }
}
