package dev.lichen.armboot.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SortedMap;

/**
 * The whole disk: an MBR with two primary partitions, both FAT16 (type 0x0E, LBA), aligned to
 * 1 MiB like every partitioning tool does. Partition 1 holds what the board boots from;
 * partition 2 is the appliance's data folder (the outbox), empty at first. The image file is
 * sparse: free space is never written.
 */
public final class DiskImage {
    public static final long ALIGN_SECTORS = 2048;
    private static final int TYPE_FAT16_LBA = 0x0E;

    /** Where the partitions lie, in 512-byte sectors. */
    public record Layout(long bootStart, long bootSectors, long dataStart, long dataSectors) {
        public long totalBytes() { return (dataStart + dataSectors) * Fat16.SECTOR; }
        public long bootOffset() { return bootStart * Fat16.SECTOR; }
        public long dataOffset() { return dataStart * Fat16.SECTOR; }
    }

    private DiskImage() {}

    public static Layout layout(SortedMap<String, byte[]> bootFiles, long bootSlackBytes, long dataBytes) {
        long boot = Fat16.sectorsFor(bootFiles, bootSlackBytes);
        long dataSectors = Math.max(4 * 2048, (dataBytes + 1048575) / 1048576 * 2048);
        return new Layout(ALIGN_SECTORS, boot, ALIGN_SECTORS + boot, dataSectors);
    }

    public static void write(Path file, Layout l, int diskId, SortedMap<String, byte[]> bootFiles) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.SPARSE)) {
            ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
            mbr.putInt(440, diskId);
            partition(mbr, 446, true, l.bootStart(), l.bootSectors());
            partition(mbr, 462, false, l.dataStart(), l.dataSectors());
            mbr.put(510, (byte) 0x55).put(511, (byte) 0xAA);
            ch.write(mbr, 0);
            Fat16.write(ch, l.bootOffset(), l.bootSectors(), l.bootStart(), diskId, "LICHEN-BOOT", bootFiles);
            Fat16.write(ch, l.dataOffset(), l.dataSectors(), l.dataStart(), Integer.rotateLeft(diskId, 16) ^ 0x5A5A5A5A,
                    "LICHEN-DATA", new java.util.TreeMap<>());
            // the size is the partitions' end even if the tail is a hole
            if (ch.size() < l.totalBytes()) ch.write(ByteBuffer.allocate(1), l.totalBytes() - 1);
            ch.force(true);
        }
    }

    private static void partition(ByteBuffer mbr, int at, boolean active, long start, long sectors) {
        mbr.put(at, (byte) (active ? 0x80 : 0));
        // CHS fields say "use LBA" (the maximum), as modern tools write for LBA partitions
        mbr.put(at + 1, (byte) 0xFE).put(at + 2, (byte) 0xFF).put(at + 3, (byte) 0xFF);
        mbr.put(at + 4, (byte) TYPE_FAT16_LBA);
        mbr.put(at + 5, (byte) 0xFE).put(at + 6, (byte) 0xFF).put(at + 7, (byte) 0xFF);
        mbr.putInt(at + 8, (int) start).putInt(at + 12, (int) sectors);
    }

    /** Reads the partition table of an image: (start, sectors) of partitions 1 and 2. */
    public static Layout read(FileChannel ch) throws IOException {
        ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(mbr, 0);
        if ((mbr.get(510) & 0xFF) != 0x55 || (mbr.get(511) & 0xFF) != 0xAA) throw new IOException("no MBR");
        return new Layout(mbr.getInt(446 + 8) & 0xFFFFFFFFL, mbr.getInt(446 + 12) & 0xFFFFFFFFL,
                mbr.getInt(462 + 8) & 0xFFFFFFFFL, mbr.getInt(462 + 12) & 0xFFFFFFFFL);
    }
}
