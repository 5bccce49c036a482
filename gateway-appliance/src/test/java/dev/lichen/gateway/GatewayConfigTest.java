package dev.lichen.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `lichen gateway` flags and config file: defaults < file < flags; bad input named. */
class GatewayConfigTest {
    @TempDir
    Path dir;

    GatewayConfig resolve(String... args) throws Exception {
        GatewayCommand c = new GatewayCommand();
        new CommandLine(c).parseArgs(args);
        return c.resolve();
    }

    @Test
    void defaultsThenFileThenFlags() throws Exception {
        GatewayConfig d = resolve();
        assertEquals(Path.of("lichen-data"), d.dataDir());
        assertEquals(5683, d.coapPort());
        assertEquals(1883, d.mqttPort());
        assertEquals(8080, d.httpPort());
        assertEquals(30, d.rawRetentionDays());
        assertNull(d.jdbcUrl());
        Path f = dir.resolve("gw.json");
        Files.writeString(f, "{\"coapPort\": 6000, \"mqttPort\": 6001, \"rawRetentionDays\": 7, \"dataDir\": \"/srv/lichen\"}");
        GatewayConfig c = resolve("--config", f.toString(), "--mqtt-port", "7001", "--data", "/var/lib/lichen");
        assertEquals(6000, c.coapPort());
        assertEquals(7001, c.mqttPort(), "the flag beats the file");
        assertEquals(7, c.rawRetentionDays());
        assertEquals(Path.of("/var/lib/lichen"), c.dataDir());
        assertEquals(false, resolve("--mqtt-persistence", "file").mqttInMemory());
        assertEquals(120, d.offlineAfterSeconds());
        assertEquals(5684, d.effectiveCoapsPort());
        // a harness that picks the CoAP port gets no fixed CoAPS port
        assertEquals(0, resolve("--coap-port", "40000").effectiveCoapsPort());
        assertEquals(0, GatewayConfig.forTest(dir).effectiveCoapsPort());
        Files.writeString(f, "{\"offlineAfterSeconds\": 600, \"coapsPort\": 6684, \"pskFile\": \"/etc/lichen/psk\"}");
        c = resolve("--config", f.toString(), "--offline-after", "30");
        assertEquals(30, c.offlineAfterSeconds());
        assertEquals(6684, c.effectiveCoapsPort());
        assertEquals(Path.of("/etc/lichen/psk"), c.pskFile());
        // MQTT over TLS beside plain MQTT: 8883 by default, any free port for a harness that picks the MQTT port
        assertEquals(8883, d.effectiveMqttTlsPort());
        assertEquals(0, resolve("--mqtt-port", "41883").effectiveMqttTlsPort());
        assertEquals(9883, resolve("--mqtt-tls-port", "9883").effectiveMqttTlsPort());
        assertEquals(0, GatewayConfig.forTest(dir).effectiveMqttTlsPort());
        Files.writeString(f, "{\"mqttTlsPort\": 18883}");
        assertEquals(18883, resolve("--config", f.toString()).effectiveMqttTlsPort());
        // names the certificate carries beside the machine's own
        assertEquals(java.util.List.of(), d.tlsNames());
        assertEquals(java.util.List.of("lichen.home", "10.0.2.2"), resolve("--tls-name", "lichen.home", "--tls-name", "10.0.2.2").tlsNames());
        Files.writeString(f, "{\"tlsNames\": [\"gw.example.lan\", \"fd00::7\"]}");
        assertEquals(java.util.List.of("gw.example.lan", "fd00::7"), resolve("--config", f.toString()).tlsNames());
        // the web UI is on https unless asked otherwise
        assertEquals(8443, d.httpsPort());
        assertEquals(GatewayConfig.HTTPS_OFF, resolve("--plain-http").httpsPort());
        assertEquals(9443, resolve("--https-port", "9443").httpsPort());
        assertEquals(GatewayConfig.HTTPS_OFF, GatewayConfig.forTest(dir).httpsPort(), "tests ask for https themselves");
        Files.writeString(f, "{\"httpsPort\": -1}");
        assertEquals(GatewayConfig.HTTPS_OFF, resolve("--config", f.toString()).httpsPort());
        Files.writeString(f, "{\"httpsPort\": 4443}");
        assertEquals(4443, resolve("--config", f.toString()).httpsPort());
    }

    @Test
    void badInputIsNamed() throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"coapport\": 1}");
        var e = assertThrows(IllegalArgumentException.class, () -> resolve("--config", f.toString()));
        assertTrue(e.getMessage().contains("unknown key 'coapport'"), e.getMessage());
        Files.writeString(f, "{\"coapPort\": \"x\"}");
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--config", f.toString()));
        assertTrue(e.getMessage().contains("'coapPort' must be an integer"), e.getMessage());
        Files.writeString(f, "{\"coapPort\": 70000}");
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--config", f.toString()));
        assertTrue(e.getMessage().contains("coapPort must be within 0..65535"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--retention-days", "400"));
        assertTrue(e.getMessage().contains("minuteRetentionDays"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--jdbc-url", "jdbc:mysql://x/y"));
        assertTrue(e.getMessage().contains("jdbc:sqlite: or jdbc:postgresql:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--offline-after", "0"));
        assertTrue(e.getMessage().contains("offlineAfterSeconds must be within 1..604800"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--mqtt-persistence", "disk"));
        assertTrue(e.getMessage().contains("in-memory or file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--tls-name", "evil name/x"));
        assertTrue(e.getMessage().contains("tlsNames: 'evil name/x' is not a host name or an IP address"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--latitude", "95", "--longitude", "13"));
        assertTrue(e.getMessage().contains("latitude must be within -90..90"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--latitude", "52.5"));
        assertTrue(e.getMessage().contains("give latitude and longitude together"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--time-zone", "Mars/Olympus"));
        assertTrue(e.getMessage().contains("is not a time zone"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--command-lifetime", "0"));
        assertTrue(e.getMessage().contains("commandLifetimeSeconds must be within 1..86400"), e.getMessage());
        Files.writeString(f, "{\"latitude\": \"north\", \"longitude\": 13}");
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--config", f.toString()));
        assertTrue(e.getMessage().contains("'latitude' must be a number"), e.getMessage());
        Files.writeString(f, "{\"latitude\": 52.52, \"longitude\": 13.405, \"timeZone\": \"Europe/Berlin\", \"commandLifetimeSeconds\": 10}");
        var located = resolve("--config", f.toString());
        assertEquals(new GatewayConfig.Location(52.52, 13.405, "Europe/Berlin"), located.location());
        assertEquals(10, located.commandLifetimeSeconds());
        Files.writeString(f, "{\"tlsNames\": \"one\"}");
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--config", f.toString()));
        assertTrue(e.getMessage().contains("'tlsNames' must be a list of strings"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--plain-http", "--https-port", "8443"));
        assertTrue(e.getMessage().contains("--plain-http and --https-port exclude each other"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--https-port", "-5"));
        assertTrue(e.getMessage().contains("--https-port must be 0..65535"), e.getMessage());
        Files.writeString(f, "{\"httpsPort\": 70000}");
        e = assertThrows(IllegalArgumentException.class, () -> resolve("--config", f.toString()));
        assertTrue(e.getMessage().contains("httpsPort must be within 0..65535"), e.getMessage());
    }

    @Test
    void helpSaysAll() {
        String help = new CommandLine(new GatewayCommand()).getUsageMessage();
        for (String flag : new String[] {"--data", "--config", "--coap-port", "--mqtt-port", "--http-port", "--retention-days",
                "--minute-retention-days", "--jdbc-url", "--bind", "--max-pack-bytes", "--mqtt-persistence", "--offline-after", "--coaps-port", "--psk-file",
                "--https-port", "--plain-http", "--mqtt-tls-port", "--tls-name"}) {
            assertTrue(help.contains(flag), flag + " missing from --help");
        }
        assertTrue(help.contains("max(--offline-after, 3 x its usual interval"), "the offline rule is explained");
    }
}
