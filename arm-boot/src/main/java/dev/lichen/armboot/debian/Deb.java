package dev.lichen.armboot.debian;

import dev.lichen.armboot.BuildException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Unpacks a .deb (an ar archive holding data.tar.xz/.gz) without dpkg and without root: regular
 * files and symbolic links only, never outside the target folder. Unpacked trees are cached
 * beside the .deb, keyed by its checksum and the selection, and made visible by an atomic rename.
 */
public final class Deb {
    private Deb() {}

    /** The tree of {@code deb} limited to the paths {@code wanted} accepts, unpacked once under {@code cache}. */
    public static Path unpack(Path deb, String sha256, String selection, Predicate<String> wanted, Path cache) {
        Path dest = cache.resolve("unpacked").resolve(sha256.substring(0, 32) + "-" + selection);
        if (Files.isDirectory(dest)) return dest;
        try {
            Files.createDirectories(dest.getParent());
            Path tmp = Files.createTempDirectory(dest.getParent(), "part-");
            try {
                extract(deb, tmp, wanted);
                Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                if (Files.exists(tmp)) deleteTree(tmp);
            }
            return dest;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + deb, e);
        }
    }

    static void extract(Path deb, Path dest, Predicate<String> wanted) throws IOException {
        try (ArArchiveInputStream ar = new ArArchiveInputStream(new BufferedInputStream(Files.newInputStream(deb), 1 << 16))) {
            for (ArArchiveEntry e; (e = ar.getNextEntry()) != null; ) {
                String name = e.getName();
                if (!name.startsWith("data.tar")) continue;
                InputStream data = switch (name) {
                    case "data.tar.xz" -> new XZInputStream(ar, 1 << 20);
                    case "data.tar.gz" -> new GZIPInputStream(ar, 1 << 16);
                    case "data.tar" -> ar;
                    default -> throw new BuildException(deb.getFileName() + " holds " + name
                            + ", a compression the builder does not read (xz, gz)");
                };
                untar(data, dest, wanted);
                return;
            }
        }
        throw new BuildException(deb.getFileName() + " has no data.tar member: not a Debian package");
    }

    private static void untar(InputStream data, Path dest, Predicate<String> wanted) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(data, 1 << 16));
        for (TarArchiveEntry t; (t = tar.getNextEntry()) != null; ) {
            String path = t.getName().replaceFirst("^\\./", "");
            if (path.isEmpty() || t.isDirectory() || !wanted.test(path)) continue;
            Path out = dest.resolve(path).normalize();
            if (!out.startsWith(dest)) throw new BuildException("package entry escapes its folder: " + t.getName());
            Files.createDirectories(out.getParent());
            if (t.isSymbolicLink()) {
                Files.createSymbolicLink(out, Path.of(t.getLinkName()));
            } else if (t.isLink()) {
                Path target = dest.resolve(t.getLinkName().replaceFirst("^\\./", "")).normalize();
                if (!target.startsWith(dest)) throw new BuildException("package hard link escapes its folder: " + t.getName());
                if (Files.exists(target)) Files.copy(target, out);
            } else if (t.isFile()) {
                Files.copy(tar, out);
            }
        }
    }

    public static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
