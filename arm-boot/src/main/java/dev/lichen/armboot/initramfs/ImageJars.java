package dev.lichen.armboot.initramfs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * An appliance jar as the arm64 image carries it: native libraries for other platforms left out
 * (JNA ships ~30, Pi4J armhf ones beside aarch64: 5.7 MB the image never loads), and every entry
 * stored rather than deflated, so that the initramfs's xz compresses the classes across files
 * (better than per-entry deflate) and the JVM reads them without inflating. Entries keep their
 * order; times are fixed, so the result depends only on the input. Signature files are left out
 * ({@link #signatureFile}).
 */
public final class ImageJars {
    private static final List<String> NATIVE = List.of(".so", ".dll", ".jnilib", ".dylib", ".a");
    private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    private ImageJars() {}

    /** Whether an entry is a native library for some platform other than linux-aarch64. */
    static boolean foreignNative(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (NATIVE.stream().noneMatch(n::endsWith)) return false;
        for (String segment : n.split("/")) if (segment.equals("linux-aarch64") || segment.equals("aarch64")) return false;
        return true;
    }

    /**
     * A jar signature's files (Californium's jars are signed). Left out: on the class path a
     * signature proves nothing (no trust root is checked), yet the JVM then hashes every class it
     * loads from the jar and parses the certificates, seconds under emulation. The image as a whole
     * is what is trusted.
     */
    static boolean signatureFile(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        return n.startsWith("META-INF/") && n.indexOf('/', 9) < 0
                && (n.endsWith(".SF") || n.endsWith(".RSA") || n.endsWith(".DSA") || n.endsWith(".EC") || n.startsWith("META-INF/SIG-"));
    }

    /**
     * A module descriptor (top level or multi-release). Left out: the image runs its jars on the
     * class path, where no descriptor is read, and one that requires a jar the image leaves out
     * (jackson-dataformat-cbor requires databind) would make jdeps stop resolving modules.
     */
    static boolean moduleDescriptor(String name) {
        return name.equals("module-info.class") || name.matches("META-INF/versions/[0-9]+/module-info\\.class");
    }

    public static byte[] forArm64(byte[] jar, String name) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(jar.length * 2);
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar)); ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (foreignNative(e.getName()) || signatureFile(e.getName()) || moduleDescriptor(e.getName())) continue;
                byte[] data = in.readAllBytes();
                ZipEntry s = new ZipEntry(e.getName());
                s.setMethod(ZipEntry.STORED);
                s.setSize(data.length);
                s.setCompressedSize(data.length);
                CRC32 crc = new CRC32();
                crc.update(data);
                s.setCrc(crc.getValue());
                s.setTimeLocal(FIXED_TIME); // DOS time only: no zone, no extra field
                out.putNextEntry(s);
                out.write(data);
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot repack " + name + " for the image: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }
}
