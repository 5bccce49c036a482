package dev.lichen.armboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A maker's image commissions itself by its own key: built with a device.json that names the
 * gateway's CA and no pre-shared key, the arm64-virt image boots in QEMU (user-mode networking:
 * 10.0.2.2 is this machine's loopback), makes its key pair on the data partition, prints its
 * fingerprint on the serial line and sends over CoAPS to a real gateway on this machine, whose
 * certificate carries 10.0.2.2 (--tls-name). The gateway shows that same fingerprint for the new
 * device; once the key is pinned and the device adopted, its readings keep arriving with that key.
 */
class ImageOwnKeyTest {
    @Test
    void anImageSendsOverCoapsWithItsOwnKeyAndIsKnownByItOnceAdopted(@TempDir Path dir) throws Exception {
        try (Gateway gw = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")).withTlsNames(List.of("10.0.2.2")), List.of())) {
            Path config = Files.writeString(dir.resolve("device.json"), """
                    {"deviceId": "attic-climate", "board": "arm64-virt",
                     "gateway": {"uplink": "coaps", "host": "10.0.2.2", "port": %d, "caFile": "%s"},
                     "dataDir": "/var/lib/lichen",
                     "sensors": [{"chip": "bme280", "bus": 1, "address": "0x76", "channels": {"temperature": "1s"}}]}
                    """.formatted(gw.coapsPort(), dir.resolve("gw/tls/ca.crt")));
            Path image = dir.resolve("own-key.img");
            new ImageBuilder(Progress.to(System.out)).build(TestImages.request(Board.ARM64_VIRT, config, image, TestImages.sensorAppliance()));
            Path kernel = TestImages.extract(image, "vmlinuz", dir);
            Path initrd = TestImages.extract(image, "initrd.img", dir);
            String cmdline = Files.readString(TestImages.extract(image, "cmdline.txt", dir)).trim();
            try (Qemu q = Qemu.virt(kernel, initrd, cmdline, image)) {
                String printed = ImageEndToEndTest.identityLine(q);
                long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
                // the key is recorded as the pack is let in; the link once it is stored: wait for both
                while (System.nanoTime() < deadline && (gw.deviceIdentities().key("attic-climate").isEmpty()
                        || gw.pipeline().link("attic-climate").isEmpty())) Thread.sleep(200);
                var presented = gw.deviceIdentities().key("attic-climate");
                assertTrue(presented.isPresent(), "the device presented a key to the gateway; console:\n" + q.tail(60));
                assertEquals(printed, presented.get().fingerprint(), "the serial line and the new-device card show the same key");
                assertEquals(Optional.of(dev.lichen.gateway.ingest.Protocol.COAPS), gw.pipeline().link("attic-climate"));

                // what a person's adoption does, with the fingerprint read off the serial line
                gw.deviceIdentities().pin("attic-climate", printed, System.currentTimeMillis());
                gw.store().adopt("attic-climate", "Attic", "Attic");
                assertTrue(gw.pipeline().awaitStored(Duration.ofSeconds(10)));
                long before = gw.store().readingCount("attic-climate");
                deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline && gw.store().readingCount("attic-climate") < before + 3) Thread.sleep(200);
                assertTrue(gw.store().readingCount("attic-climate") >= before + 3,
                        "readings keep coming with the pinned key (" + before + " before the pin); console:\n" + q.tail(40));
                assertEquals(0.0, gw.metrics().value("lichen_ingest_rejects_total", "coaps", "unknown_key"), "nothing refused");
            }
        }
    }
}
