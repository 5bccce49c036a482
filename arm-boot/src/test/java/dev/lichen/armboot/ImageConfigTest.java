package dev.lichen.armboot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What of a device.json an image carries: its bytes, and the gateway CA a caFile names on the build machine. */
class ImageConfigTest {
    @TempDir
    Path dir;

    @Test
    void aConfigWithoutFilesIsCopiedAsItIs() throws Exception {
        Path config = TestImages.config(dir, "arm64-virt", 5683);
        var checked = ImageBuilder.checkConfig(config, Board.of("arm64-virt"));
        assertArrayEquals(Files.readAllBytes(config), checked.bytes());
        assertTrue(checked.ca().isEmpty());
    }

    @Test
    void theGatewayCaGoesIntoTheImageAndTheConfigNamesItThere() throws Exception {
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Test gateway CA",
                "-ext", "bc:c", "-validity", "30");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-file", dir.resolve("ca.crt").toString());
        Path config = Files.writeString(dir.resolve("device.json"), """
                {"deviceId": "porch", "board": "arm64-virt", "dataDir": "/var/lib/lichen",
                 "gateway": {"uplink": "mqtt", "host": "10.0.2.2", "caFile": "%s"},
                 "sensors": [{"chip": "bme280", "bus": 1, "address": "0x76", "channels": {"temperature": "10s"}}]}
                """.formatted(dir.resolve("ca.crt")));
        var checked = ImageBuilder.checkConfig(config, Board.of("arm64-virt"));
        var gateway = new ObjectMapper().readTree(checked.bytes()).get("gateway");
        assertEquals(ImageBuilder.IMAGE_CA, gateway.get("caFile").asText(), "the device reads the CA where the image keeps it");
        assertEquals("mqtt", gateway.get("uplink").asText());
        var cf = CertificateFactory.getInstance("X.509");
        X509Certificate original = (X509Certificate) cf.generateCertificate(Files.newInputStream(dir.resolve("ca.crt")));
        X509Certificate carried = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(checked.ca().orElseThrow()));
        assertEquals(original, carried);
        assertTrue(new String(checked.ca().get(), StandardCharsets.US_ASCII).startsWith("-----BEGIN CERTIFICATE-----\n"));
        assertEquals(8883, checked.parsed().gateway().port(), "a CA means MQTT over TLS");
    }

    private void keytool(String... args) throws Exception {
        var cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-keystore", dir.resolve("ks.p12").toString(), "-storepass", "changeit"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }
}
