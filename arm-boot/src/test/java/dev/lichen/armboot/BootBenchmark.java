package dev.lichen.armboot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sizes of the sensor image per board, then boot time in QEMU virt (TCG): the arm64-virt sensor
 * image to its first reading accepted by a CoAP gateway on the host, beside the same kernel
 * booting {@link TrivialInit}, alternating, in one run; plus the guest's RSS. Run from the
 * repository root after {@code mvn -o -q -pl arm-boot -am test-compile}:
 * {@code arm-boot/bench-boot 3} (a plain JVM: the image builder picks jars off java.class.path).
 * {@code arm-boot/bench-boot profile [JVM options...]} boots the arm64-virt image once with the
 * kernel's log on and prints every console line with the host's milliseconds (where the boot's
 * time goes); the options are added to PID 1's for flag experiments. {@code arm-boot/bench-boot sizes}
 * builds the three images and prints their sizes only (no boots: no need for the bench lock).
 * {@code -Dlichen.profile.cmdline=initcall_debug,ignore_loglevel} adds kernel options (commas for spaces) to the profile boot.
 * {@code -Dlichen.bench.jvm="-Xint ..."} (through JAVA_TOOL_OPTIONS) adds options to PID 1's in the rounds too.
 */
public final class BootBenchmark {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("profile")) {
            ImageBuilder.experimentJvmOptions = List.of(args).subList(1, args.length);
            profile();
            return;
        }
        String extra = System.getProperty("lichen.bench.jvm", "").strip(); // PID 1's options for a flag experiment's rounds
        if (!extra.isEmpty()) ImageBuilder.experimentJvmOptions = List.of(extra.split("[\\s,]+"));
        boolean sizesOnly = args.length > 0 && args[0].equals("sizes");
        int rounds = args.length > 0 && !sizesOnly ? Integer.parseInt(args[0]) : 3;
        Path dir = Files.createTempDirectory("lichen-bench");
        try (HostGateway gateway = new HostGateway()) {
            gateway.accept(true);
            for (Board board : sizesBoards()) {
                Path img = dir.resolve("sensor-" + board.id + ".img");
                long t0 = System.nanoTime();
                ImageBuilder.Result r = new ImageBuilder(Progress.to(System.out)).build(TestImages.request(board,
                        TestImages.config(dir, board.id, gateway.port()), img, TestImages.sensorAppliance()));
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
            if (sizesOnly) return;
            Path img = dir.resolve("sensor-arm64-virt.img");
            Path kernel = TestImages.extract(img, "vmlinuz", dir);
            Path initrd = TestImages.extract(img, "initrd.img", dir);
            String cmdline = Files.readString(TestImages.extract(img, "cmdline.txt", dir)).trim();
            Path trivial = Files.write(dir.resolve("trivial.gz"), TrivialInit.initramfs());
            String trivialCmd = kernelOptions(cmdline); // the same kernel options
            List<Long> t = new ArrayList<>(), a = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                try (Qemu q = Qemu.virt(kernel, trivial, trivialCmd, null)) {
                    t.add(q.await(l -> l.contains(TrivialInit.MARKER), Duration.ofSeconds(120), "marker").millis());
                }
                try (Qemu q = Qemu.virt(kernel, initrd, cmdline, img)) {
                    int boots = gateway.firstAcceptedNanos().size();
                    try {
                        gateway.awaitAccepted(m -> gateway.firstAcceptedNanos().size() > boots, Duration.ofSeconds(240),
                                "first reading of this boot");
                    } catch (AssertionError e) {
                        throw new AssertionError(e.getMessage() + "; console tail:\n" + q.tail(60), e);
                    }
                    long first = gateway.firstAcceptedNanos().values().stream().mapToLong(Long::longValue).max().orElseThrow();
                    a.add(q.millisAt(first));
                    Qemu.Line start = q.await(l -> l.contains("starting: boot"), Duration.ofSeconds(1), "start line");
                    Qemu.Line up = q.await(l -> l.contains("] up: java"), Duration.ofSeconds(1), "init up");
                    Qemu.Line rss = q.await(l -> l.contains("memory: VmRSS"), Duration.ofSeconds(120), "rss");
                    System.out.printf("  JVM up as PID 1 at %d ms, appliance start line at %d ms; guest %s%n", up.millis(),
                            start.millis(), rss.text());
                }
                System.out.printf("round %d: trivial %d ms, sensor appliance first reading at the gateway %d ms (%.2fx)%n", i + 1,
                        t.getLast(), a.getLast(), (double) a.getLast() / t.getLast());
            }
            // per round as well: the two boots of a round run back to back, so they meet the same machine load
            List<Long> ratios = new ArrayList<>();
            for (int i = 0; i < rounds; i++) ratios.add(a.get(i) * 1000 / t.get(i));
            System.out.printf("median: trivial %d ms, first reading %d ms, ratio of medians %.2f, median of the rounds' ratios %.2f%n",
                    median(t), median(a), (double) median(a) / median(t), median(ratios) / 1000.0);
        }
    }

    /**
     * Where the boot's time goes: one boot of each, the kernel's log on (no "quiet", printk
     * timestamps), every console line printed with the host's milliseconds since QEMU started.
     */
    static void profile() throws Exception {
        Path dir = Files.createTempDirectory("lichen-profile");
        try (HostGateway gateway = new HostGateway()) {
            gateway.accept(true);
            Path img = dir.resolve("sensor.img");
            new ImageBuilder(Progress.to(System.out)).build(TestImages.request(Board.ARM64_VIRT,
                    TestImages.config(dir, Board.ARM64_VIRT.id, gateway.port()), img, TestImages.sensorAppliance()));
            Path kernel = TestImages.extract(img, "vmlinuz", dir);
            Path initrd = TestImages.extract(img, "initrd.img", dir);
            String cmdline = Files.readString(TestImages.extract(img, "cmdline.txt", dir)).trim()
                    .replace(" quiet", " printk.time=1 " + System.getProperty("lichen.profile.cmdline", "").replace(',', ' ')); // kernel options go before "--"
            Path trivial = Files.write(dir.resolve("trivial.gz"), TrivialInit.initramfs());
            if (Boolean.getBoolean("lichen.profile.trivial")) try (Qemu q = Qemu.virt(kernel, trivial, kernelOptions(cmdline), null)) {
                q.await(l -> l.contains(TrivialInit.MARKER), Duration.ofSeconds(120), "marker");
                q.lines().forEach(l -> System.out.printf("trivial %6d ms | %s%n", l.millis(), l.text()));
            }
            try (Qemu q = Qemu.virt(kernel, initrd, cmdline, img)) {
                try {
                    gateway.awaitAccepted(m -> !gateway.firstAcceptedNanos().isEmpty(), Duration.ofSeconds(120), "first reading");
                    long first = q.millisAt(gateway.firstAcceptedNanos().values().iterator().next());
                    Thread.sleep(500);
                    System.out.printf("first reading accepted at the gateway: %d ms%n", first);
                } finally {
                    q.lines().forEach(l -> System.out.printf("sensor  %6d ms | %s%n", l.millis(), l.text()));
                }
            }
        }
    }

    /** All boards, or those named by -Dlichen.bench.boards=arm64-virt,rpi3 (a quicker sizes run). */
    private static List<Board> sizesBoards() {
        String only = System.getProperty("lichen.bench.boards", "");
        return only.isEmpty() ? List.of(Board.values()) : java.util.Arrays.stream(only.split(",")).map(Board::of).toList();
    }

    private static long median(List<Long> v) {
        List<Long> s = v.stream().sorted().toList();
        return s.get(s.size() / 2);
    }

    /** The image's cmdline up to init's: console and kernel options, for the trivial boot (same kernel, same options). */
    private static String kernelOptions(String cmdline) {
        return cmdline.substring(0, cmdline.indexOf(" rdinit="));
    }
}
