package dev.lichen.armboot.initramfs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A file tree written as a cpio "newc" archive, the format the kernel unpacks into its initial
 * root. Built in memory, not from disk, so the builder needs no root to make device nodes and
 * owns every byte: entries sorted by path (parents first), owner root, one fixed mtime, inode
 * numbers by position. Same tree in, same bytes out.
 */
public final class Cpio {
    private static final int S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFCHR = 0020000;

    /** One entry; data is the content of a file or the target of a link. */
    public record Entry(String path, int mode, byte[] data, int rdevMajor, int rdevMinor) {}

    private final SortedMap<String, Entry> entries = new TreeMap<>(Comparator.naturalOrder());

    public Cpio dir(String path) {
        String p = clean(path);
        if (p.contains("/")) dir(p.substring(0, p.lastIndexOf('/')));
        entries.putIfAbsent(p, new Entry(p, S_IFDIR | 0755, new byte[0], 0, 0));
        return this;
    }

    public Cpio file(String path, byte[] data, int perm) {
        String p = clean(path);
        parent(p);
        entries.put(p, new Entry(p, S_IFREG | (perm & 07777), data, 0, 0));
        return this;
    }

    public Cpio symlink(String path, String target) {
        String p = clean(path);
        parent(p);
        entries.put(p, new Entry(p, S_IFLNK | 0777, target.getBytes(StandardCharsets.UTF_8), 0, 0));
        return this;
    }

    public Cpio charDevice(String path, int perm, int major, int minor) {
        String p = clean(path);
        parent(p);
        entries.put(p, new Entry(p, S_IFCHR | (perm & 07777), new byte[0], major, minor));
        return this;
    }

    public boolean contains(String path) {
        return entries.containsKey(clean(path));
    }

    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** Total bytes of file contents. */
    public long contentBytes() {
        return entries.values().stream().mapToLong(e -> e.data().length).sum();
    }

    private void parent(String p) {
        if (p.contains("/")) dir(p.substring(0, p.lastIndexOf('/')));
    }

    private static String clean(String path) {
        String p = path.replaceAll("^/+", "").replaceAll("/+$", "");
        if (p.isEmpty() || p.contains("//") || List.of(p.split("/")).contains(".."))
            throw new IllegalArgumentException("bad archive path: " + path);
        return p;
    }

    /** Writes the archive with the given mtime (seconds since 1970) on every entry. */
    public void write(OutputStream out, long mtime) throws IOException {
        int ino = 1;
        long[] written = {0};
        // sorted by path, a parent ("a") sorts before its children ("a/b"), which the kernel needs
        for (Entry e : entries.values()) {
            header(out, written, ino++, e.mode(), (e.mode() & S_IFDIR) == S_IFDIR ? 2 : 1, mtime,
                    e.data().length, e.rdevMajor(), e.rdevMinor(), e.path());
            out.write(e.data());
            written[0] += e.data().length;
            pad(out, written);
        }
        header(out, written, 0, 0, 1, 0, 0, 0, 0, "TRAILER!!!");
        // the kernel reads the archive in 512-byte multiples: pad the end
        int tail = (int) ((512 - written[0] % 512) % 512);
        out.write(new byte[tail]);
    }

    private static void header(OutputStream out, long[] written, int ino, int mode, int nlink, long mtime,
                               long size, int rmaj, int rmin, String name) throws IOException {
        byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
        String h = "070701" + hex(ino) + hex(mode) + hex(0) + hex(0) + hex(nlink) + hex(mtime) + hex(size)
                + hex(0) + hex(0) + hex(rmaj) + hex(rmin) + hex(n.length) + hex(0);
        out.write(h.getBytes(StandardCharsets.US_ASCII));
        out.write(n);
        written[0] += 110 + n.length;
        pad(out, written);
    }

    private static void pad(OutputStream out, long[] written) throws IOException {
        int p = (int) ((4 - written[0] % 4) % 4);
        out.write(new byte[p]);
        written[0] += p;
    }

    private static String hex(long v) {
        return String.format("%08x", v);
    }
}
