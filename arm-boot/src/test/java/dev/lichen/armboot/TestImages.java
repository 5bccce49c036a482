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
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

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

    /**
     * Which boot files of two images differ and, inside initrd.img, which initramfs entries: what
     * a failed reproducibility check needs to say to be acted on.
     */
    static String differences(Path a, Path b, Iterable<String> bootFiles) throws IOException {
        List<String> out = new ArrayList<>();
        try (FileChannel ca = FileChannel.open(a); FileChannel cb = FileChannel.open(b)) {
            DiskImage.Layout la = DiskImage.read(ca);
            DiskImage.Layout lb = DiskImage.read(cb);
            for (String f : bootFiles) {
                byte[] x = Fat16.read(ca, la.bootOffset(), f);
                byte[] y = Fat16.read(cb, lb.bootOffset(), f);
                if (java.util.Arrays.equals(x, y)) continue;
                out.add("boot file " + f);
                if (f.equals("initrd.img") && x != null && y != null) {
                    Map<String, byte[]> ex = cpioEntries(x);
                    Map<String, byte[]> ey = cpioEntries(y);
                    TreeSet<String> names = new TreeSet<>(ex.keySet());
                    names.addAll(ey.keySet());
                    for (String name : names)
                        if (!java.util.Arrays.equals(ex.get(name), ey.get(name)))
                            out.add("  initramfs entry " + name + " (" + size(ex.get(name)) + " / " + size(ey.get(name)) + " bytes"
                                    + (ex.get(name) != null && ey.get(name) != null
                                            ? ", first difference at byte " + (java.util.Arrays.mismatch(ex.get(name), ey.get(name)) - 4) : "")
                                    + ")");
                }
            }
        }
        return out.isEmpty() ? "no boot file differs: the partition table or the data partition does" : String.join("\n", out);
    }

    private static String size(byte[] b) {
        return b == null ? "absent" : Integer.toString(b.length - 4); // less the mode cpioEntries puts first
    }

    /** The entries of a zstd-compressed cpio newc archive: path to mode and content. */
    static Map<String, byte[]> cpioEntries(byte[] zstd) {
        byte[] c = com.github.luben.zstd.Zstd.decompress(zstd, Math.toIntExact(com.github.luben.zstd.Zstd.getFrameContentSize(zstd)));
        Map<String, byte[]> entries = new TreeMap<>();
        int pos = 0;
        while (pos + 110 <= c.length) {
            String h = new String(c, pos, 110, java.nio.charset.StandardCharsets.US_ASCII);
            if (!h.startsWith("070701")) throw new AssertionError("not a cpio newc header at " + pos);
            int mode = Integer.parseUnsignedInt(h.substring(14, 22), 16);
            int size = Integer.parseUnsignedInt(h.substring(54, 62), 16);
            int nameSize = Integer.parseUnsignedInt(h.substring(94, 102), 16);
            String name = new String(c, pos + 110, nameSize - 1, java.nio.charset.StandardCharsets.UTF_8);
            if (name.equals("TRAILER!!!")) break;
            int data = (pos + 110 + nameSize + 3) & ~3;
            byte[] content = java.util.Arrays.copyOfRange(c, data, data + size);
            byte[] withMode = java.nio.ByteBuffer.allocate(4 + size).putInt(mode).put(content).array();
            entries.put(name, withMode);
            pos = (data + size + 3) & ~3;
        }
        return entries;
    }
}
