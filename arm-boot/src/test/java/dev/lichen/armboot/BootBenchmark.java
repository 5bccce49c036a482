package dev.lichen.armboot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Boot time in QEMU virt (TCG): the arm64-virt image to its first reading, beside the same kernel
 * booting {@link TrivialInit}, alternating, in one run; plus sizes and the guest's RSS. Run from
 * the repository root after {@code mvn -o -q -pl arm-boot -am test-compile}:
 * {@code arm-boot/bench-boot 3} (a plain JVM: the image builder picks jars off java.class.path).
 */
public final class BootBenchmark {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path dir = Files.createTempDirectory("lichen-bench");
        Appliance app = TestImages.tinyAppliance(dir, 1_000_000);
        Appliance sensorApp = Appliance.sensor(List.of("run", "--config", "/etc/lichen/device.json"));
        for (Board board : Board.values()) {
            Path img = dir.resolve("sensor-" + board.id + ".img");
            long t0 = System.nanoTime();
            ImageBuilder.Result r = new ImageBuilder(Progress.SILENT).build(TestImages.request(board,
                    TestImages.config(dir, board.id, 9), img, sensorApp));
            long built = (System.nanoTime() - t0) / 1_000_000;
            Path gz = dir.resolve(board.id + ".img.gz");
            try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
                Files.copy(img, out);
            }
            System.out.printf("sensor image %s: %.1f MB raw (%.1f MiB), %.1f MB gzip; kernel.gz %.1f MB, initramfs %.1f MB, runtime %.1f MB, modules %s; built in %d ms%n",
                    board.id, r.rawBytes() / 1e6, r.rawBytes() / 1048576.0, Files.size(gz) / 1e6, r.kernelBytes() / 1e6,
                    r.initramfsBytes() / 1e6, r.runtimeBytes() / 1e6, r.modules(), built);
            System.out.println("  boot partition: " + r.bootFiles());
            if (board == Board.ARM64_VIRT) r.initramfsFiles().forEach(f -> System.out.println("  initramfs " + f));
        }
        Path sensorVirt = dir.resolve("sensor-arm64-virt.img");
        try (Qemu q = Qemu.virt(TestImages.extract(sensorVirt, "vmlinuz", dir), TestImages.extract(sensorVirt, "initrd.img", dir),
                Files.readString(TestImages.extract(sensorVirt, "cmdline.txt", dir)).trim(), sensorVirt)) {
            Qemu.Line s = q.await(l -> l.contains("starting: boot"), Duration.ofSeconds(240), "sensor appliance start");
            Qemu.Line rss = q.await(l -> l.contains("memory: VmRSS"), Duration.ofSeconds(120), "rss");
            System.out.printf("sensor appliance (real) start line at %d ms; guest %s%n", s.millis(), rss.text());
        }
        ImageBuilder.Result tiny = new ImageBuilder(Progress.SILENT).build(TestImages.request(Board.ARM64_VIRT,
                TestImages.config(dir, "arm64-virt", 9), dir.resolve("arm64-virt.img"), app));
        System.out.printf("stand-in appliance image arm64-virt: %.1f MB raw, runtime %.1f MB, modules %s%n",
                tiny.rawBytes() / 1e6, tiny.runtimeBytes() / 1e6, tiny.modules());
        Path img = dir.resolve("arm64-virt.img");
        Path kernel = TestImages.extract(img, "vmlinuz", dir);
        Path initrd = TestImages.extract(img, "initrd.img", dir);
        String cmdline = Files.readString(TestImages.extract(img, "cmdline.txt", dir)).trim();
        Path trivial = Files.write(dir.resolve("trivial.gz"), TrivialInit.initramfs());
        String trivialCmd = "console=ttyAMA0 panic=10 quiet";
        List<Long> t = new ArrayList<>(), a = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            try (Qemu q = Qemu.virt(kernel, trivial, trivialCmd, null)) {
                t.add(q.await(l -> l.contains(TrivialInit.MARKER), Duration.ofSeconds(120), "marker").millis());
            }
            try (Qemu q = Qemu.virt(kernel, initrd, cmdline, img)) {
                a.add(q.await(l -> l.contains("tiny-appliance: reading"), Duration.ofSeconds(180), "first reading").millis());
                Qemu.Line rss = q.await(l -> l.contains("memory: VmRSS"), Duration.ofSeconds(60), "rss");
                System.out.println("guest " + rss.text());
            }
            System.out.printf("round %d: trivial %d ms, appliance first reading %d ms%n", i + 1, t.getLast(), a.getLast());
        }
        System.out.printf("median: trivial %d ms, first reading %d ms, ratio %.2f%n", median(t), median(a), (double) median(a) / median(t));
    }

    private static long median(List<Long> v) {
        List<Long> s = v.stream().sorted().toList();
        return s.get(s.size() / 2);
    }
}
