package dev.lichen.armboot;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad requests get a clear error, and nothing appears at the output path. */
class BuildFailuresTest {
    @TempDir Path dir;

    @Test
    void unknownBoardsAndBoardsThatComeLater() {
        assertTrue(assertThrows(BuildException.class, () -> Board.of("rpi5")).getMessage().contains("Raspberry Pi 5 comes later"));
        assertTrue(assertThrows(BuildException.class, () -> Board.of("zero2w")).getMessage().contains("Wi-Fi-only boards come later"));
        String m = assertThrows(BuildException.class, () -> Board.of("beaglebone")).getMessage();
        assertTrue(m.contains("unknown board 'beaglebone'") && m.contains("rpi3, rpi4, arm64-virt"), m);
    }

    @Test
    void aConfigLackingFieldsWritesNothing() throws Exception {
        Path config = Files.writeString(dir.resolve("device.json"), """
                {"deviceId": "kitchen", "board": "arm64-virt", "dataDir": "/var/lib/lichen",
                 "sensors": [{"chip": "bme280", "bus": 1, "address": "0x76", "channels": {"temperature": "10s"}}]}
                """);
        assertRefused(config, "gateway");
    }

    @Test
    void aConfigForAnotherBoardWritesNothing() throws Exception {
        Path config = TestImages.config(dir, "rpi4", 5683);
        assertRefused(config, "is for board 'rpi4'");
    }

    @Test
    void aBadDeviceIdWritesNothing() throws Exception {
        Path config = Files.writeString(dir.resolve("device.json"), """
                {"deviceId": "Kitchen Climate", "board": "arm64-virt", "dataDir": "/var/lib/lichen",
                 "gateway": {"uplink": "coap", "host": "10.0.2.2", "port": 5683},
                 "sensors": [{"chip": "bme280", "bus": 1, "address": "0x76", "channels": {"temperature": "10s"}}]}
                """);
        assertRefused(config, "deviceId");
    }

    @Test
    void aDataDirOffTheDataPartitionWritesNothing() throws Exception {
        Path config = Files.writeString(dir.resolve("device.json"), Files.readString(TestImages.config(dir, "arm64-virt", 5683))
                .replace("/var/lib/lichen", "/home/pi/data"));
        assertRefused(config, "dataDir must be /var/lib/lichen");
    }

    @Test
    void aMalformedStaticAddressIsNamed() {
        assertTrue(assertThrows(BuildException.class, () -> new ImageBuilder.StaticAddress("192.168.1.50", "192.168.1.1"))
                .getMessage().contains("with its prefix"));
        assertTrue(assertThrows(BuildException.class, () -> new ImageBuilder.StaticAddress("192.168.1.50/24", "router"))
                .getMessage().contains("--router"));
    }

    @Test
    void aMissingConfigFileWritesNothing() {
        assertRefused(dir.resolve("nope.json"), "does not exist");
    }

    @Test
    void noQemuUserNamesTheDebianPackageAndTheWayWithout() {
        BuildException e = assertThrows(BuildException.class, () -> dev.lichen.armboot.cds.ClassArchive.qemuUser(dir + ":/nonexistent"));
        assertTrue(e.getMessage().contains("qemu-user") && e.getMessage().contains("--no-class-archive"), e.getMessage());
    }

    private void assertRefused(Path config, String why) {
        Path out = dir.resolve("sensor.img");
        ImageBuilder.Request r = new ImageBuilder.Request(Board.ARM64_VIRT, config, out, java.net.URI.create("http://unused.invalid/debian"),
                dir.resolve("cache"), TestImages.KEYRING, new Appliance("x.Main", List.of(), List.of()), 8 << 20);
        BuildException e = assertThrows(BuildException.class, () -> new ImageBuilder(Progress.SILENT).build(r));
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertFalse(Files.exists(out), "something was written at the output path");
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".part")), "a partial image was left behind");
        } catch (java.io.IOException ex) {
            throw new AssertionError(ex);
        }
    }
}
