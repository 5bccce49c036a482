package dev.lichen.runtime.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system calls Init makes, for real on this machine (x86_64, as root, as CI runs): the same
 * code that runs as PID 1 on the boards with aarch64's call numbers (the image tests boot that).
 */
class LinuxTest {
    @Test
    void umaskReturnsTheMaskItReplaced() {
        int old = Linux.umask(077);
        try {
            assertEquals(077, Linux.umask(old));
        } finally {
            Linux.umask(old);
        }
    }

    @Test
    void aFailedCallCarriesItsErrno(@TempDir Path dir) {
        var e = assertThrows(Linux.SyscallException.class, () -> Linux.openReadOnly(dir.resolve("missing").toString()));
        assertEquals(2, e.errno());
        assertTrue(e.getMessage().contains("ENOENT") && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void dataRegionsOfASparseFileAreWhereItWasWritten(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("sparse");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(4 << 20);
            r.seek(1 << 20);
            r.write(new byte[8192]);
        }
        List<long[]> regions = Linux.dataRegions(f.toString(), Files.size(f));
        assertEquals(1, regions.size(), () -> regions.stream().map(java.util.Arrays::toString).toList().toString());
        assertArrayEquals(new long[] {1 << 20, (1 << 20) + 8192}, regions.getFirst());
    }

    @Test
    void mountsAndUnmountsATmpfs(@TempDir Path dir) throws Exception {
        Path target = Files.createDirectory(dir.resolve("mnt"));
        Linux.mount("lichen-test", target.toString(), "tmpfs", Linux.MS_NOSUID | Linux.MS_NODEV, "size=1m,mode=0700");
        try {
            String line = mountLine(target);
            assertTrue(line.contains(" - tmpfs lichen-test ") && line.contains("nosuid") && line.contains("nodev"), line);
            Files.writeString(target.resolve("f"), "x");
        } finally {
            Linux.umount(target.toString());
        }
        assertEquals("", mountLine(target), "unmounted");
        assertFalse(Files.exists(target.resolve("f")), "the file was in the tmpfs");
        var e = assertThrows(Linux.SyscallException.class, () -> Linux.umount(target.toString()));
        assertEquals(22, e.errno(), "EINVAL: not a mount point");
    }

    /** In a network namespace of its own, whose loopback starts down: up, as Init brings the board's interface up. */
    @Test
    void bringsAnInterfaceUpInsideANetworkNamespace() throws Exception {
        String ns = "lichen-linuxtest-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", ns);
        try {
            assertFalse(run("ip", "-n", ns, "link", "show", "lo").contains(",UP"), "lo starts down");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<byte[]> mac = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> { // setns moves only this OS thread, which then ends
                try {
                    int fd = Linux.openReadOnly("/run/netns/" + ns);
                    try {
                        Linux.setns(fd, Linux.CLONE_NEWNET);
                    } finally {
                        Linux.close(fd);
                    }
                    Ipv4Interface lo = new Ipv4Interface("lo");
                    lo.up();
                    mac.set(lo.hardwareAddress());
                    var e = assertThrows(Linux.SyscallException.class, () -> new Ipv4Interface("nosuch0").up());
                    assertEquals(19, e.errno(), "ENODEV");
                } catch (Throwable x) {
                    failure.set(x);
                }
            });
            t.join();
            if (failure.get() != null) throw new AssertionError(failure.get());
            assertTrue(run("ip", "-n", ns, "link", "show", "lo").contains(",UP"), "lo is up");
            assertArrayEquals(new byte[6], mac.get(), "the loopback's hardware address");
            assertFalse(run("ip", "link", "show", "lo").isEmpty(), "this thread stayed in its own namespace");
        } finally {
            run("ip", "netns", "delete", ns);
        }
    }

    private static String mountLine(Path target) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.split(" ")[4].equals(target.toString()))
                .findFirst().orElse("");
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
        return out;
    }
}
