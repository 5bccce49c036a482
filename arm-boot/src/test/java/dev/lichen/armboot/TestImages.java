package dev.lichen.armboot;

import dev.lichen.armboot.debian.AptSources;
import dev.lichen.armboot.disk.DiskImage;
import dev.lichen.armboot.disk.Fat16;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** What the image tests share: the mirror from this machine's apt sources, the cache, the appliance, its config. */
final class TestImages {
    static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "lichen");
    static final Path KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");

    private TestImages() {}

    static URI mirror() {
        return AptSources.debianMirror(Path.of("/etc/apt"));
    }

    /** The real sensor appliance, as `lichen image build` packs it. */
    static Appliance sensorAppliance() {
        return Appliance.sensor(List.of("run", "--config", "/etc/lichen/device.json"));
    }

    /** A BME280 read every second on all three channels; on arm64-virt its model sits in {@code BenchModels.BENCH}. */
    static Path config(Path dir, String board, int gatewayPort) throws IOException {
        return Files.writeString(dir.resolve("device-" + board + ".json"), """
                {"deviceId": "test-climate", "board": "%s",
                 "gateway": {"uplink": "coap", "host": "10.0.2.2", "port": %d},
                 "dataDir": "/var/lib/lichen", "outbox": {"budgetBytes": 8388608},
                 "sensors": [{"chip": "bme280", "bus": 1, "address": "0x76", "channels": {"temperature": "1s", "humidity": "1s", "pressure": "1s"}}]}
                """.formatted(board, gatewayPort));
    }

    static ImageBuilder.Request request(Board board, Path config, Path out, Appliance app) {
        return new ImageBuilder.Request(board, config, out, mirror(), CACHE.resolve("debian"), KEYRING, app, 4L << 20);
    }

    /** A file from the image's boot partition, copied out for QEMU's -kernel/-initrd/-dtb. */
    static Path extract(Path image, String name, Path to) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            DiskImage.Layout l = DiskImage.read(ch);
            byte[] b = Fat16.read(ch, l.bootOffset(), name);
            if (b == null) throw new AssertionError(name + " is not on the boot partition of " + image);
            return Files.write(to.resolve(name), b);
        }
    }
}
