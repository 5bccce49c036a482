package dev.lichen.armboot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A QEMU guest whose serial console is read line by line, each line stamped with the time since start. */
final class Qemu implements AutoCloseable {
    record Line(long millis, String text) {}

    private final Process process;
    private final long started = System.nanoTime();
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    private Qemu(List<String> command) throws IOException {
        String bin = command.getFirst();
        boolean found = System.getenv("PATH").lines().flatMap(p -> List.of(p.split(":")).stream())
                .anyMatch(d -> Files.isExecutable(Path.of(d, bin)));
        if (!found) throw new AssertionError(bin + " is not installed: apt-get install qemu-system-arm");
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(new Line((System.nanoTime() - started) / 1_000_000, l));
                    if (System.getProperty("lichen.qemu.echo") != null) System.out.println("[guest] " + l);
                }
            } catch (IOException ignored) {
                // the guest went away
            }
        });
    }

    /**
     * Virtual CPUs of the virt guest: 2, like the trivial boot it is compared with (the boards have
     * 4 cores; QEMU runs each vCPU on its own host thread, MTTCG).
     */
    static final int VIRT_CPUS = Integer.getInteger("lichen.qemu.smp", 2);

    static Qemu virt(Path kernel, Path initrd, String cmdline, Path disk) throws IOException {
        List<String> c = new ArrayList<>(List.of("qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72", "-m", "512",
                "-smp", String.valueOf(VIRT_CPUS),
                "-nographic", "-no-reboot", "-kernel", kernel.toString(), "-initrd", initrd.toString(), "-append", cmdline,
                // romfile= (none): the guest boots by -kernel and never runs the NIC's iPXE option ROM;
                // without it QEMU refuses to start where Debian's ipxe-qemu (a Recommends, which
                // .ci/run's --no-install-recommends leaves out) is not installed
                "-netdev", "user,id=n", "-device", "virtio-net-pci,netdev=n,romfile=", "-device", "i6300esb"));
        if (disk != null) c.addAll(List.of("-drive", "file=" + disk + ",format=raw,if=none,id=d", "-device", "virtio-blk-pci,drive=d,romfile="));
        return new Qemu(c);
    }

    /**
     * The Pi 3 with the image as its SD card: QEMU takes only SD cards of a power-of-two size, so
     * the card is a copy of the image grown to the next one (the partitions are unchanged).
     */
    static Qemu raspi3b(Path kernel, Path dtb, Path initrd, String cmdline, Path image) throws IOException {
        Path card = image.resolveSibling(image.getFileName() + ".sdcard");
        Files.copy(image, card, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (var f = new java.io.RandomAccessFile(card.toFile(), "rw")) {
            f.setLength(Long.highestOneBit(f.length() - 1) << 1);
        }
        // the Pi's console is the mini-UART (ttyS1), QEMU's second serial port
        return new Qemu(List.of("qemu-system-aarch64", "-M", "raspi3b", "-m", "1G", "-nographic", "-no-reboot",
                "-serial", "null", "-serial", "mon:stdio", "-kernel", kernel.toString(), "-dtb", dtb.toString(),
                "-initrd", initrd.toString(), "-append", cmdline, "-drive", "file=" + card + ",if=sd,format=raw"));
    }

    /** The first console line matching, waiting up to max; fails with the console's tail. */
    Line await(Predicate<String> match, Duration max, String what) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        int seen = 0;
        while (System.nanoTime() < end) {
            for (int i = seen; i < lines.size(); i++) if (match.test(lines.get(i).text())) return lines.get(i);
            seen = 0;
            if (!process.isAlive() && lines.stream().noneMatch(l -> match.test(l.text()))) {
                // an exited QEMU is not a slow guest: say so, with QEMU's own words
                throw new AssertionError("no console line for " + what + ": QEMU exited with status " + process.exitValue()
                        + " after " + (System.nanoTime() - started) / 1_000_000 + " ms; console tail:\n" + tail(40));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no console line for " + what + " within " + max.toSeconds() + " s; console tail:\n" + tail(40));
    }

    /** Milliseconds from QEMU's start to a System.nanoTime() instant seen on the host (e.g. a reading's arrival). */
    long millisAt(long nanoTime) {
        return (nanoTime - started) / 1_000_000;
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    String tail(int n) {
        List<Line> l = lines();
        StringBuilder b = new StringBuilder();
        for (Line x : l.subList(Math.max(0, l.size() - n), l.size())) b.append(x.millis()).append(" ms | ").append(x.text()).append('\n');
        return b.toString();
    }

    boolean waitForExit(Duration max) throws InterruptedException {
        return process.waitFor(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    int exitValue() {
        return process.exitValue();
    }

    /** Pulls the plug: QEMU is killed, the guest gets no chance to flush anything. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
