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
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** What the image tests share: the mirror from this machine's apt sources, the cache, the stand-in appliance. */
final class TestImages {
    static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "lichen");
    static final Path KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");

    private TestImages() {}

    static URI mirror() {
        return AptSources.debianMirror(Path.of("/etc/apt"));
    }

    /** The stand-in appliance: its classes jarred alone, plus device-runtime and Californium from the test class path. */
    static Appliance tinyAppliance(Path work, int powerOffAfter) throws IOException {
        Path classes;
        try {
            classes = Path.of(TestImages.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        Path jar = work.resolve("tiny-appliance.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> s = Files.walk(classes)) {
            for (Path f : s.filter(p -> p.toString().contains("/testapp/") && Files.isRegularFile(p)).sorted().toList()) {
                JarEntry e = new JarEntry(classes.relativize(f).toString());
                e.setTimeLocal(java.time.LocalDateTime.of(1980, 1, 1, 0, 0));
                out.putNextEntry(e);
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        List<Path> cp = new ArrayList<>(List.of(jar));
        for (String e : System.getProperty("java.class.path").split(":")) {
            if (e.contains("device-runtime") || e.contains("californium-core") || e.contains("element-connector")
                    || e.contains("slf4j-api")) cp.add(Path.of(e));
        }
        return new Appliance("dev.lichen.armboot.testapp.TinyAppliance",
                List.of("--config", "/etc/lichen/device.json", "--power-off-after", Integer.toString(powerOffAfter)), cp);
    }

    static Path config(Path dir, String board, int gatewayPort) throws IOException {
        return Files.writeString(dir.resolve("device-" + board + ".json"), """
                {"deviceId": "test-climate", "board": "%s",
                 "gateway": {"uplink": "coap", "host": "10.0.2.2", "port": %d},
                 "dataDir": "/var/lib/lichen", "outbox": {"budgetBytes": 8388608},
                 "sensors": [{"chip": "bme280", "bus": 1, "address": "0x76", "channels": {"temperature": "10s"}}]}
                """.formatted(board, gatewayPort));
    }

    static ImageBuilder.Request request(Board board, Path config, Path out, Appliance app) {
        return new ImageBuilder.Request(board, config, out, mirror(), CACHE.resolve("debian"), KEYRING, app, 8L << 20);
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
