package dev.lichen.armboot.flash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.armboot.BuildException;
import dev.lichen.armboot.Progress;
import dev.lichen.armboot.disk.DiskImage;
import dev.lichen.runtime.system.Linux;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flasher against regular files that a small fake sysfs and mount table describe as disks. */
class FlasherTest {
    @TempDir Path dir;
    Path image, card, sysfs, mounts;
    byte[] before;

    @BeforeEach
    void setUp() throws IOException {
        SortedMap<String, byte[]> files = new TreeMap<>();
        byte[] big = new byte[3 << 20];
        new java.util.Random(7).nextBytes(big);
        files.put("vmlinuz", big);
        files.put("cmdline.txt", "console=ttyAMA0\n".getBytes());
        image = dir.resolve("sensor.img");
        DiskImage.write(image, DiskImage.layout(files, 1 << 20, 8 << 20), 0x1234, files);
        card = dir.resolve("sdz");
        before = new byte[32 << 20];
        Arrays.fill(before, (byte) 0xAA); // what was on the card
        Files.write(card, before);
        sysfs = dir.resolve("sys");
        disk("sdz", "1", 32 << 20);
        Files.createDirectories(sysfs.resolve("block/sdz/sdz1"));
        Files.writeString(sysfs.resolve("block/sdz/sdz1/partition"), "1\n");
        mounts = Files.writeString(dir.resolve("mounts"), "/dev/vda1 / ext4 rw 0 0\nproc /proc proc rw 0 0\n");
    }

    private void disk(String name, String removable, long bytes) throws IOException {
        Path d = Files.createDirectories(sysfs.resolve("block").resolve(name));
        Files.writeString(d.resolve("removable"), removable + "\n");
        Files.writeString(d.resolve("size"), (bytes / 512) + "\n");
    }

    private Flasher flasher() {
        return new Flasher(new Flasher.Environment(sysfs, mounts, true), Progress.SILENT);
    }

    @Test
    void writesOnlyTheDataRegionsAndReadsThemBack() throws IOException {
        List<long[]> regions = Linux.dataRegions(image.toString(), Files.size(image));
        assertTrue(regions.size() >= 2, "the image is sparse: data regions " + regions.size());
        flasher().flash(image, card, false);
        try (FileChannel img = FileChannel.open(image); FileChannel c = FileChannel.open(card)) {
            for (long[] r : regions) {
                ByteBuffer a = ByteBuffer.allocate((int) (r[1] - r[0])), b = ByteBuffer.allocate(a.capacity());
                img.read(a, r[0]);
                c.read(b, r[0]);
                assertEquals(a.flip(), b.flip(), "region at " + r[0]);
            }
            long hole = regions.getFirst()[1]; // the first hole: never written, so the card's old bytes remain
            ByteBuffer h = ByteBuffer.allocate(512);
            c.read(h, hole);
            assertEquals((byte) 0xAA, h.get(0), "a hole of the image was written");
            assertEquals(before.length, c.size(), "the card keeps its size");
        }
    }

    @Test
    void refusesTheSystemDisk() throws IOException {
        Files.writeString(mounts, "/dev/sdz1 / ext4 rw 0 0\n");
        assertRefused("holds the running system", false);
    }

    @Test
    void refusesAMountedDisk() throws IOException {
        Files.writeString(mounts, "/dev/sdz1 /media/me/LICHEN-BOOT vfat rw 0 0\n");
        assertRefused("umount /media/me/LICHEN-BOOT", false);
    }

    @Test
    void refusesANonRemovableDiskUnlessForced() throws IOException {
        disk("sdz", "0", 32 << 20);
        assertRefused("not a removable disk", false);
        flasher().flash(image, card, true);
        byte[] mbr = Arrays.copyOf(Files.readAllBytes(card), 512);
        assertTrue(Arrays.equals(Arrays.copyOf(Files.readAllBytes(image), 512), mbr), "forced: the card holds the image's MBR");
    }

    @Test
    void refusesADiskTooSmall() throws IOException {
        disk("sdz", "1", 8 << 20);
        assertRefused("use a larger card", false);
    }

    @Test
    void refusesAPartition() throws IOException {
        Path part = Files.write(dir.resolve("sdz1"), new byte[1 << 20]);
        BuildException e = assertThrows(BuildException.class, () -> flasher().flash(image, part, false));
        assertTrue(e.getMessage().contains("partition of /dev/sdz"), e.getMessage());
    }

    @Test
    void refusesAFileWhenNotTesting() {
        BuildException e = assertThrows(BuildException.class,
                () -> new Flasher(new Flasher.Environment(sysfs, mounts, false), Progress.SILENT).flash(image, card, false));
        assertTrue(e.getMessage().contains("not a block device"), e.getMessage());
    }

    private void assertRefused(String why, boolean force) throws IOException {
        BuildException e = assertThrows(BuildException.class, () -> flasher().flash(image, card, force));
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertTrue(Arrays.equals(before, Files.readAllBytes(card)), "a refused flash wrote to the card");
    }
}
