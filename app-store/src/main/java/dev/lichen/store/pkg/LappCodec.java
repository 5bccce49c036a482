package dev.lichen.store.pkg;

import static dev.lichen.store.pkg.PackageException.Reason.MALFORMED;
import static dev.lichen.store.pkg.PackageException.Reason.TOO_LARGE;
import static dev.lichen.store.pkg.PackageException.Reason.UNSAFE_PATH;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/** Zip bytes to and from a {@link Lapp}, reading defensively: nothing here trusts the archive. */
public final class LappCodec {
    private static final long RATIO_FLOOR = 1L << 20; // small entries may compress very well legitimately
    private static final FileTime EPOCH = FileTime.fromMillis(315532800000L); // 1980-01-01: reproducible zips

    private LappCodec() {}

    /** Reads every entry within {@code limits}; refuses unsafe names, links, duplicates and bombs. */
    public static Lapp read(byte[] zip, Limits limits) throws PackageException {
        if (zip.length > limits.maxPackageBytes()) {
            throw new PackageException(TOO_LARGE, "package is " + zip.length + " bytes, over the limit of " + limits.maxPackageBytes() + " bytes");
        }
        var entries = new TreeMap<String, byte[]>();
        long total = 0;
        int count = 0;
        try (var zf = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
            var seen = new HashSet<String>();
            for (var it = zf.getEntries(); it.hasMoreElements(); ) {
                ZipArchiveEntry e = it.nextElement();
                String name = e.getName();
                checkName(name);
                if (!seen.add(name)) throw new PackageException(MALFORMED, "zip entry '" + name + "' appears twice");
                if (e.isUnixSymlink()) throw new PackageException(UNSAFE_PATH, "zip entry '" + name + "' is a symbolic link; packages may hold only plain files");
                if (e.isDirectory()) continue;
                if (++count > limits.maxEntries()) throw new PackageException(TOO_LARGE, "package has more than " + limits.maxEntries() + " entries");
                byte[] data;
                try (InputStream in = zf.getInputStream(e)) {
                    data = readBounded(in, name, Math.min(limits.maxEntryBytes(), limits.maxTotalBytes() - total));
                }
                total += data.length;
                long packed = Math.max(1, e.getCompressedSize());
                if (data.length > RATIO_FLOOR && data.length / packed > limits.maxRatio()) {
                    throw new PackageException(TOO_LARGE, "zip entry '" + name + "' expands " + (data.length / packed)
                            + ":1, over the " + limits.maxRatio() + ":1 limit (a zip bomb?)");
                }
                entries.put(name, data);
            }
        } catch (IOException e) {
            throw new PackageException(MALFORMED, "not a readable zip (.lapp): " + e.getMessage(), e);
        }
        return new Lapp(entries);
    }

    /** Refuses names that could land outside the add-on folder once unpacked. */
    static void checkName(String name) throws PackageException {
        String why = null;
        if (name.isEmpty() || name.length() > 255) why = "has an empty or over-long name";
        else if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) why = "is an absolute path";
        else if (name.contains("\\")) why = "contains a backslash";
        else if (name.indexOf('\0') >= 0 || name.chars().anyMatch(c -> c < 0x20)) why = "contains control characters";
        else {
            for (String seg : name.split("/", -1)) {
                if (seg.equals("..")) { why = "climbs out of the package folder with '..'"; break; }
                if (seg.equals(".")) { why = "contains a '.' segment"; break; }
            }
        }
        if (why != null) {
            throw new PackageException(UNSAFE_PATH, "zip entry '" + printable(name) + "' " + why + "; refusing the whole package");
        }
    }

    private static String printable(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    private static byte[] readBounded(InputStream in, String name, long max) throws IOException, PackageException {
        var out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        long n = 0;
        for (int r; (r = in.read(buf)) > 0; ) {
            n += r;
            if (n > max) throw new PackageException(TOO_LARGE, "zip entry '" + name + "' unpacks past the size limit (" + max + " bytes left)");
            out.write(buf, 0, r);
        }
        return out.toByteArray();
    }

    /** A reproducible zip: sorted entries, fixed timestamps. */
    public static byte[] write(Lapp lapp) {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            for (var e : lapp.entries().entrySet()) {
                var ze = new ZipEntry(e.getKey());
                ze.setLastModifiedTime(EPOCH);
                zip.putNextEntry(ze);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new IllegalStateException("in-memory zip failed", e);
        }
        return bytes.toByteArray();
    }
}
