package dev.lichen.armboot.flash;

import dev.lichen.armboot.BuildException;
import dev.lichen.armboot.Progress;
import dev.lichen.runtime.system.Linux;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Writes an image to a card. Refuses, before writing a byte: the disk holding the running
 * system's root, any disk with a mounted partition, a disk the kernel does not call removable
 * (unless forced), a partition instead of a whole disk, and a disk smaller than the image. Writes
 * only the image's data regions (a sparse image's holes are free space of its file systems, whose
 * metadata the builder always writes), syncs, drops the device's cache, reads back and compares.
 *
 * <p>The checks read sysfs and the mount table; both roots are injectable so tests can flash a
 * regular file that a small fake sysfs describes.
 */
public final class Flasher {
    /** Where the facts about disks come from; {@code allowFiles} lets a regular file stand for a disk (tests). */
    public record Environment(Path sysfs, Path mounts, boolean allowFiles) {
        public static Environment system() {
            return new Environment(Path.of("/sys"), Path.of("/proc/self/mounts"), false);
        }
    }

    private static final int CHUNK = 4 << 20;
    private final Environment env;
    private final Progress progress;

    public Flasher(Environment env, Progress progress) {
        this.env = env;
        this.progress = progress;
    }

    public void flash(Path image, Path target, boolean force) throws IOException {
        if (!Files.isRegularFile(image)) throw new BuildException("image " + image + " does not exist");
        long size = Files.size(image);
        String disk = check(target, size, force);
        List<long[]> regions = Linux.dataRegions(image.toString(), size);
        long total = regions.stream().mapToLong(r -> r[1] - r[0]).sum();
        progress.step("writing " + image + " to " + target + " (" + disk + "): " + Progress.mib(total) + " of data in "
                + regions.size() + " regions, image " + Progress.mib(size));
        try (FileChannel in = FileChannel.open(image, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
            long done = 0;
            for (long[] r : regions) {
                for (long pos = r[0]; pos < r[1]; ) {
                    buf.clear().limit((int) Math.min(CHUNK, r[1] - pos));
                    readFully(in, buf, pos);
                    buf.flip();
                    while (buf.hasRemaining()) pos += out.write(buf, pos);
                    done += buf.limit();
                    progress.bytes("write", done, total);
                }
            }
            progress.step("syncing");
            out.force(true);
        }
        dropCache(target);
        progress.step("reading back");
        try (FileChannel in = FileChannel.open(image, StandardOpenOption.READ);
             FileChannel back = FileChannel.open(target, StandardOpenOption.READ)) {
            ByteBuffer a = ByteBuffer.allocate(CHUNK), b = ByteBuffer.allocate(CHUNK);
            long done = 0;
            for (long[] r : regions) {
                for (long pos = r[0]; pos < r[1]; pos += a.limit()) {
                    int len = (int) Math.min(CHUNK, r[1] - pos);
                    a.clear().limit(len);
                    b.clear().limit(len);
                    readFully(in, a, pos);
                    readFully(back, b, pos);
                    if (Arrays.mismatch(a.array(), 0, len, b.array(), 0, len) >= 0)
                        throw new BuildException("read-back of " + target + " differs from the image near byte " + pos
                                + ": the card may be failing or counterfeit; try another card");
                    done += len;
                    progress.bytes("verify", done, total);
                }
            }
        }
        progress.step("done: " + target + " holds " + image.getFileName() + "; it is safe to remove");
    }

    /** Returns the disk's name after every refusal check passed. */
    String check(Path target, long imageSize, boolean force) throws IOException {
        if (!Files.exists(target)) throw new BuildException(target + " does not exist: name a whole disk such as /dev/sdX");
        String name = target.getFileName().toString();
        boolean block = isBlockDevice(target);
        if (!block && !(env.allowFiles() && Files.isRegularFile(target)))
            throw new BuildException(target + " is not a block device: name a whole disk such as /dev/sdX");
        if (block) name = Files.readSymbolicLink(env.sysfs().resolve("dev/block/" + rdev(target))).getFileName().toString();
        Path dir = env.sysfs().resolve("block").resolve(name);
        if (!Files.isDirectory(dir)) {
            Optional<String> parent = diskOf(name);
            throw new BuildException(target + " is a partition" + parent.map(p -> " of /dev/" + p).orElse("")
                    + ", not a whole disk: name the disk itself");
        }
        List<String> parts = partitions(name);
        for (String[] m : mounts()) {
            String src = m[0].startsWith("/dev/") ? m[0].substring(5) : null;
            if (src == null) continue;
            if (m[1].equals("/") && (src.equals(name) || parts.contains(src)))
                throw new BuildException(target + " holds the running system (/ is mounted from /dev/" + src + "): refusing to overwrite it");
            if (src.equals(name) || parts.contains(src))
                throw new BuildException(target + " is in use: /dev/" + src + " is mounted on " + m[1] + ". Unmount it first (umount " + m[1] + ")");
        }
        boolean removable = read(dir.resolve("removable")).equals("1");
        if (!removable && !force)
            throw new BuildException(target + " is not a removable disk (it may be an internal drive): check it is the card, then add --force");
        long bytes = Long.parseLong(read(dir.resolve("size"))) * 512;
        if (bytes < imageSize)
            throw new BuildException(target + " holds " + Progress.mib(bytes) + ", the image needs " + Progress.mib(imageSize) + ": use a larger card");
        return name;
    }

    private List<String> partitions(String disk) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(env.sysfs().resolve("block").resolve(disk))) {
            s.filter(p -> Files.exists(p.resolve("partition"))).forEach(p -> out.add(p.getFileName().toString()));
        }
        return out;
    }

    private Optional<String> diskOf(String partition) throws IOException {
        Path block = env.sysfs().resolve("block");
        if (!Files.isDirectory(block)) return Optional.empty();
        try (var s = Files.list(block)) {
            return s.filter(d -> Files.exists(d.resolve(partition).resolve("partition"))).map(d -> d.getFileName().toString()).findFirst();
        }
    }

    private List<String[]> mounts() throws IOException {
        List<String[]> out = new ArrayList<>();
        for (String l : Files.readAllLines(env.mounts())) {
            String[] f = l.split(" ");
            if (f.length >= 2) out.add(new String[] {f[0], f[1].replace("\\040", " ")});
        }
        return out;
    }

    private static boolean isBlockDevice(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode");
        return (mode & 0170000) == 0060000;
    }

    private static String rdev(Path p) throws IOException {
        long rdev = (Long) Files.getAttribute(p, "unix:rdev");
        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
        return major + ":" + minor;
    }

    private void dropCache(Path target) throws IOException {
        if (!isBlockDevice(target)) return;
        int fd = Linux.openReadOnly(target.toString());
        try (var a = java.lang.foreign.Arena.ofConfined()) {
            Linux.ioctl(fd, 0x1261 /* BLKFLSBUF */, a.allocate(8), "BLKFLSBUF " + target);
        } finally {
            Linux.close(fd);
        }
    }

    private static String read(Path p) throws IOException {
        if (!Files.exists(p)) throw new BuildException("cannot tell the disk's " + p.getFileName() + " (" + p + " is missing)");
        return Files.readString(p).trim();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) break;
        }
    }
}
