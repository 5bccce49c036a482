package dev.lichen.armboot.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A FAT16 volume with files in its root folder, written straight into a region of an image file.
 * FAT16 because every consumer here reads it (the Pi's boot ROM and firmware, Linux's vfat, any
 * PC), and a flat root fits both partitions. Long names are stored as VFAT entries. Deterministic:
 * files in name order, contiguous clusters, every timestamp 1980-01-01 00:00, the volume id given
 * by the caller (derived from the content).
 */
public final class Fat16 {
    static final int SECTOR = 512;
    private static final int ROOT_ENTRIES = 512;
    private static final int RESERVED = 4;
    private static final int DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;

    /** The layout of a volume of a given size. */
    record Geometry(long sectors, int sectorsPerCluster, int sectorsPerFat, int clusters) {
        long fatStart() { return RESERVED; }
        long rootStart() { return RESERVED + 2L * sectorsPerFat; }
        long dataStart() { return rootStart() + ROOT_ENTRIES * 32 / SECTOR; }
        int clusterBytes() { return sectorsPerCluster * SECTOR; }
    }

    static Geometry geometry(long sectors) {
        for (int spc = 1; spc <= 64; spc *= 2) {
            int spf = 1;
            int clusters = 0;
            for (int i = 0; i < 8; i++) { // fixpoint: the FAT's size depends on the cluster count and back
                long data = sectors - RESERVED - 2L * spf - ROOT_ENTRIES * 32 / SECTOR;
                clusters = (int) Math.min(Integer.MAX_VALUE, data / spc);
                spf = (int) ((2L * (clusters + 2) + SECTOR - 1) / SECTOR);
            }
            if (clusters >= 4085 && clusters <= 65524) return new Geometry(sectors, spc, spf, clusters);
        }
        throw new IllegalArgumentException("a FAT16 volume must be between about 2 MiB and 2 GiB, not "
                + sectors * SECTOR + " bytes");
    }

    /** The smallest volume (in sectors, a whole number of MiB) that holds the files with the slack asked for. */
    public static long sectorsFor(Map<String, byte[]> files, long slackBytes) {
        long mib = 2;
        while (true) {
            long sectors = mib * 2048;
            Geometry g;
            try {
                g = geometry(sectors);
            } catch (IllegalArgumentException tooSmall) {
                mib++;
                continue;
            }
            long need = 0;
            for (byte[] f : files.values()) need += (f.length + g.clusterBytes() - 1) / g.clusterBytes();
            if ((g.clusters() - need) * g.clusterBytes() >= slackBytes) return sectors;
            mib++;
        }
    }

    /**
     * Writes the volume at byte offset {@code base}: boot sector, two FATs, root folder, file
     * data. Free space is left unwritten (a hole in a sparse image file).
     */
    public static void write(FileChannel ch, long base, long sectors, long hiddenSectors, int volumeId, String label,
                             SortedMap<String, byte[]> files) throws IOException {
        Geometry g = geometry(sectors);
        ch.write(ByteBuffer.wrap(bootSector(g, hiddenSectors, volumeId, label)), base);

        ByteBuffer fat = ByteBuffer.allocate(g.sectorsPerFat() * SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        fat.putShort(0, (short) 0xFFF8).putShort(2, (short) 0xFFFF);
        List<byte[]> root = new ArrayList<>();
        root.add(entry(pad11(label), 0x08, 0, 0));
        Set<String> shortNames = new HashSet<>();
        int next = 2;
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            String name = f.getKey();
            if (name.contains("/") || name.isEmpty() || name.length() > 255) throw new IllegalArgumentException("bad FAT name " + name);
            byte[] data = f.getValue();
            int n = (data.length + g.clusterBytes() - 1) / g.clusterBytes();
            if (next + n - 2 > g.clusters()) throw new IllegalArgumentException("the files do not fit the FAT volume");
            int first = n == 0 ? 0 : next;
            for (int i = 0; i < n; i++) fat.putShort((next + i) * 2, (short) (i == n - 1 ? 0xFFFF : next + i + 1));
            if (n > 0) ch.write(ByteBuffer.wrap(data), base + (g.dataStart() + (long) (next - 2) * g.sectorsPerCluster()) * SECTOR);
            next += n;
            byte[] shortName = shortName(name, shortNames);
            if (!toShortForm(name).equals(name)) root.addAll(longNameEntries(name, shortName));
            root.add(entry(shortName, 0x20, first, data.length));
        }
        if (root.size() > ROOT_ENTRIES) throw new IllegalArgumentException("too many files for a FAT16 root folder");
        for (int copy = 0; copy < 2; copy++)
            ch.write(fat.duplicate().clear(), base + (g.fatStart() + (long) copy * g.sectorsPerFat()) * SECTOR);
        ByteBuffer dir = ByteBuffer.allocate(ROOT_ENTRIES * 32);
        for (byte[] e : root) dir.put(e);
        ch.write(dir.clear(), base + g.rootStart() * SECTOR);
    }

    private static byte[] bootSector(Geometry g, long hidden, int volumeId, String label) {
        ByteBuffer b = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0xEB, 0x3C, (byte) 0x90}).put("LICHEN  ".getBytes(StandardCharsets.US_ASCII));
        b.putShort((short) SECTOR).put((byte) g.sectorsPerCluster()).putShort((short) RESERVED).put((byte) 2)
                .putShort((short) ROOT_ENTRIES).putShort((short) (g.sectors() < 65536 ? g.sectors() : 0)).put((byte) 0xF8)
                .putShort((short) g.sectorsPerFat()).putShort((short) 32).putShort((short) 64)
                .putInt((int) hidden).putInt((int) (g.sectors() < 65536 ? 0 : g.sectors()));
        b.put((byte) 0x80).put((byte) 0).put((byte) 0x29).putInt(volumeId).put(pad11(label))
                .put("FAT16   ".getBytes(StandardCharsets.US_ASCII));
        b.put(510, (byte) 0x55).put(511, (byte) 0xAA);
        return b.array();
    }

    private static byte[] entry(byte[] name11, int attr, int cluster, long size) {
        ByteBuffer e = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        e.put(name11).put((byte) attr).put((byte) 0).put((byte) 0).putShort((short) 0)
                .putShort((short) DOS_DATE_1980_01_01).putShort((short) DOS_DATE_1980_01_01).putShort((short) 0)
                .putShort((short) 0).putShort((short) DOS_DATE_1980_01_01).putShort((short) cluster).putInt((int) size);
        return e.array();
    }

    static byte[] pad11(String label) {
        String l = (label.toUpperCase(Locale.ROOT) + "           ").substring(0, 11);
        return l.getBytes(StandardCharsets.US_ASCII);
    }

    /** The 8.3 form a name has when it needs no long entry (upper case, legal characters, short parts). */
    private static String toShortForm(String name) {
        int dot = name.lastIndexOf('.');
        String base = dot < 0 ? name : name.substring(0, dot);
        String ext = dot < 0 ? "" : name.substring(dot + 1);
        boolean ok = base.length() >= 1 && base.length() <= 8 && ext.length() <= 3
                && (base + ext).chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "_-~".indexOf(c) >= 0);
        return ok ? name : "";
    }

    private static byte[] shortName(String name, Set<String> used) {
        if (!toShortForm(name).isEmpty()) {
            int dot = name.lastIndexOf('.');
            String base = dot < 0 ? name : name.substring(0, dot);
            String ext = dot < 0 ? "" : name.substring(dot + 1);
            String s = String.format("%-8s%-3s", base, ext);
            used.add(s);
            return s.getBytes(StandardCharsets.US_ASCII);
        }
        int dot = name.lastIndexOf('.');
        String base = clean(dot <= 0 ? name : name.substring(0, dot));
        String ext = clean(dot <= 0 ? "" : name.substring(dot + 1));
        ext = ext.substring(0, Math.min(3, ext.length()));
        for (int i = 1; ; i++) {
            String tail = "~" + i;
            String b = base.substring(0, Math.min(base.length(), 8 - tail.length())) + tail;
            String s = String.format("%-8s%-3s", b, ext);
            if (used.add(s)) return s.getBytes(StandardCharsets.US_ASCII);
        }
    }

    private static String clean(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toUpperCase(Locale.ROOT).toCharArray())
            if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') b.append(c);
        return b.isEmpty() ? "FILE" : b.toString();
    }

    private static List<byte[]> longNameEntries(String name, byte[] shortName) {
        int sum = 0;
        for (byte c : shortName) sum = (((sum & 1) << 7) + ((sum & 0xFF) >> 1) + (c & 0xFF)) & 0xFF;
        char[] chars = name.toCharArray();
        int count = (chars.length + 12) / 13;
        List<byte[]> out = new ArrayList<>();
        for (int seq = count; seq >= 1; seq--) { // stored last part first
            ByteBuffer e = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            e.put((byte) (seq | (seq == count ? 0x40 : 0)));
            int[] slots = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
            for (int i = 0; i < 13; i++) {
                int idx = (seq - 1) * 13 + i;
                char c = idx < chars.length ? chars[idx] : (idx == chars.length ? 0 : (char) 0xFFFF);
                e.putShort(slots[i], (short) c);
            }
            e.put(11, (byte) 0x0F).put(12, (byte) 0).put(13, (byte) sum).putShort(26, (short) 0);
            out.add(e.array());
        }
        return out;
    }

    /** Reads a file back from a volume this class wrote (root folder, long or short name); null when absent. */
    public static byte[] read(FileChannel ch, long base, String name) throws IOException {
        ByteBuffer bs = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(bs, base);
        int spc = bs.get(13) & 0xFF;
        int reserved = bs.getShort(14) & 0xFFFF;
        int rootEntries = bs.getShort(17) & 0xFFFF;
        int spf = bs.getShort(22) & 0xFFFF;
        long rootStart = reserved + 2L * spf;
        long dataStart = rootStart + rootEntries * 32L / SECTOR;
        ByteBuffer dir = ByteBuffer.allocate(rootEntries * 32).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(dir, base + rootStart * SECTOR);
        ByteBuffer fat = ByteBuffer.allocate(spf * SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(fat, base + (long) reserved * SECTOR);
        SortedMap<Integer, char[]> lfn = new TreeMap<>();
        for (int off = 0; off < dir.capacity(); off += 32) {
            int first = dir.get(off) & 0xFF;
            if (first == 0) break;
            if (first == 0xE5) { lfn.clear(); continue; }
            int attr = dir.get(off + 11);
            if (attr == 0x0F) {
                int[] slots = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
                char[] part = new char[13];
                for (int i = 0; i < 13; i++) part[i] = dir.getChar(off + slots[i]);
                lfn.put(first & 0x1F, part);
                continue;
            }
            String longName = null;
            if (!lfn.isEmpty()) {
                StringBuilder sb = new StringBuilder();
                for (char[] p : lfn.values()) for (char c : p) { if (c == 0 || c == 0xFFFF) break; sb.append(c); }
                longName = sb.toString();
                lfn.clear();
            }
            byte[] n = new byte[11];
            dir.get(off, n);
            String s = new String(n, StandardCharsets.US_ASCII);
            String shortName = s.substring(0, 8).trim() + (s.substring(8).isBlank() ? "" : "." + s.substring(8).trim());
            if ((attr & 0x08) != 0 || !(name.equals(longName) || name.equalsIgnoreCase(shortName))) continue;
            int cluster = dir.getShort(off + 26) & 0xFFFF;
            int size = dir.getInt(off + 28);
            byte[] out = new byte[size];
            int done = 0;
            while (done < size && cluster >= 2 && cluster < 0xFFF8) {
                int len = Math.min(spc * SECTOR, size - done);
                ch.read(ByteBuffer.wrap(out, done, len), base + (dataStart + (long) (cluster - 2) * spc) * SECTOR);
                done += len;
                cluster = fat.getShort(cluster * 2) & 0xFFFF;
            }
            return out;
        }
        return null;
    }
}
