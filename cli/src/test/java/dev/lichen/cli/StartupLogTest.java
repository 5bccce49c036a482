package dev.lichen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The launcher's class path has one SLF4J provider (logback, which HiveMQ CE needs) and
 * `lichen gateway` starts without library chatter: its first lines are its own.
 */
class StartupLogTest {
    @TempDir
    Path dir;

    @Test
    void oneSlf4jProvider() {
        List<String> providers = new ArrayList<>();
        ServiceLoader.load(SLF4JServiceProvider.class).forEach(p -> providers.add(p.getClass().getName()));
        assertEquals(List.of("ch.qos.logback.classic.spi.LogbackServiceProvider"), providers);
    }

    @Test
    void gatewayStartsWithItsOwnLinesOnly() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the launcher script's flags (see ../lichen)
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Djava.util.logging.SimpleFormatter.format=%1$tT.%1$tL %4$-5s %3$s - %5$s%6$s%n",
                "-cp", System.getProperty("java.class.path"), "dev.lichen.cli.Main", "gateway", "--data", dir.resolve("d").toString(),
                "--bind", "127.0.0.1", "--coap-port", "0", "--coaps-port", "0", "--mqtt-port", "0", "--http-port", "0", "--https-port", "0")
                .redirectError(dir.resolve("stderr").toFile()).start();
        String first;
        try (var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            first = out.readLine();
            p.destroy(); // SIGTERM: the gateway stops cleanly
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the gateway did not stop on SIGTERM");
        } finally {
            p.destroyForcibly();
        }
        String err = Files.readString(dir.resolve("stderr"));
        assertTrue(first != null && dev.lichen.gateway.GatewayCommand.saysReady(first), first + "\n" + err);
        // what the gateway writes is its own (umask 077; as root also its add-on lock-down)
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("d").resolve("lichen.db"))));
        // the web UI is on https by default, and the line says where and which CA a browser will be shown
        assertTrue(first.matches(".*MQTT tcp \\d+, MQTT/TLS tcp \\d+,.*"), first);
        assertTrue(first.contains(", web https://127.0.0.1:") && first.matches(".*CA fingerprint SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}.*"), first);
        for (String secret : new String[] {"ca.key", "server.key"}) {
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve("d").resolve("tls").resolve(secret))), secret);
        }
        for (String line : err.lines().toList()) {
            assertTrue(!line.startsWith("SLF4J"), "SLF4J complains at start:\n" + err);
            assertTrue(!line.contains("WARNING: sun.misc.Unsafe"), "Unsafe warning at start:\n" + err);
            // what is left: our own components, and libraries only when something is wrong
            assertTrue(!line.contains(" INFO ") || line.contains(" dev.lichen."), "library INFO at start: " + line + "\n" + err);
        }
    }
}
