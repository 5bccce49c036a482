package dev.lichen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lichen sensor run} as a maker runs it, with nothing but the gateway's CA beside its
 * device.json: the process prints its key's fingerprint, the gateway's new device carries the same
 * one, adoption pins it, and after a restart of the sensor (same state folder, same key) its
 * readings still pass.
 */
class SensorOwnKeyTest {
    static final Pattern FINGERPRINT = Pattern.compile("identity: public key fingerprint ([0-9A-F]{4}(-[0-9A-F]{4}){3})");

    @TempDir
    Path dir;

    /** A running {@code lichen sensor run}; its output lines queue up for the test. */
    record Sensor(Process process, LinkedBlockingQueue<String> lines) implements AutoCloseable {
        static Sensor start(Path config) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                    "-cp", System.getProperty("java.class.path"), "dev.lichen.cli.Main", "sensor", "run", "--config", config.toString())
                    .redirectErrorStream(true).start();
            var lines = new LinkedBlockingQueue<String>();
            Thread.ofVirtual().start(() -> {
                try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = in.readLine()) != null; ) lines.add(l);
                } catch (java.io.IOException gone) {
                    // the process ended
                }
            });
            return new Sensor(p, lines);
        }

        String fingerprint() throws InterruptedException {
            StringBuilder seen = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String l = lines.poll(1, TimeUnit.SECONDS);
                if (l == null) continue;
                seen.append(l).append('\n');
                Matcher m = FINGERPRINT.matcher(l);
                if (m.find()) return m.group(1);
            }
            throw new AssertionError("no fingerprint line within 60 s:\n" + seen);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }

    static void waitFor(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError(what + " within 30 s");
            Thread.sleep(100);
        }
    }

    @Test
    void theSensorPresentsTheKeyItPrintsAndIsAdoptedByIt() throws Exception {
        try (Gateway gw = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")), List.of())) {
            Path device = Files.createDirectories(dir.resolve("device"));
            Files.copy(dir.resolve("gw/tls/ca.crt"), device.resolve("gateway-ca.crt"));
            Path config = Files.writeString(device.resolve("device.json"), """
                    {"deviceId": "den", "gateway": {"uplink": "coaps", "host": "127.0.0.1", "port": %d, "caFile": "gateway-ca.crt"},
                     "board": "arm64-virt", "dataDir": "%s",
                     "sensors": [{"chip": "bme280", "bus": 1, "address": "0x76", "channels": {"temperature": "1s"}}]}
                    """.formatted(gw.coapsPort(), device.resolve("data")));
            String printed;
            try (Sensor s = Sensor.start(config)) {
                printed = s.fingerprint();
                // the key is recorded at the handshake, the card (the device row) with the first reading
                waitFor("the new device's card with a key", () -> gw.deviceIdentities().key("den").isPresent() && gw.store().device("den").isPresent());
                assertEquals(printed, gw.deviceIdentities().key("den").orElseThrow().fingerprint(), "the card shows what the sensor printed");
                gw.deviceIdentities().pin("den", printed, System.currentTimeMillis());
                gw.store().adopt("den", "Den", "Den");
            }
            long before = gw.store().readingCount("den");
            try (Sensor again = Sensor.start(config)) {
                assertEquals(printed, again.fingerprint(), "the same key after a restart");
                waitFor("readings from the pinned key after the restart", () -> gw.store().readingCount("den") > before);
            }
            assertTrue(gw.deviceIdentities().pinned("den"));
        }
    }
}
