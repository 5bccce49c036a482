package dev.lichen.armboot.debian;

import dev.lichen.armboot.BuildException;
import dev.lichen.armboot.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tukaani.xz.XZInputStream;

/**
 * A Debian suite on a mirror, for arm64: verified InRelease, then the Packages indexes it vouches
 * for, then .debs checked against them. Everything fetched is cached under {@code cache} by its
 * SHA-256, so a second build downloads nothing but the small InRelease; a cached file is
 * re-hashed before use, so a damaged cache stops the build instead of leaking into an image.
 */
public final class DebianArchive {
    public static final String ARCH = "arm64";
    private static final String[] COMPONENTS = {"main", "non-free-firmware"};

    private final URI mirror;
    private final String suite;
    private final Path cache;
    private final Path keyring;
    private final Progress progress;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(20)).build();
    private InRelease release;
    private PackageIndex index;

    public DebianArchive(URI mirror, String suite, Path cache, Path keyring, Progress progress) {
        String m = mirror.toString();
        this.mirror = URI.create(m.endsWith("/") ? m : m + "/");
        this.suite = suite;
        this.cache = cache;
        this.keyring = keyring;
        this.progress = progress;
    }

    public URI mirror() {
        return mirror;
    }

    /** Fetches and verifies InRelease, then reads the packages named (and those starting with prefixes). */
    public PackageIndex index(Set<String> names, Set<String> prefixes) {
        progress.step("Debian " + suite + " from " + mirror + ": checking the signed release file");
        byte[] signed = get(mirror.resolve("dists/" + suite + "/InRelease"), "InRelease");
        release = InRelease.verify(signed, keyring, suite);
        return readIndexes(names, prefixes);
    }

    /** Uses an InRelease given as bytes (already downloaded, or forged by a test). */
    public PackageIndex index(byte[] signedInRelease, Set<String> names, Set<String> prefixes) {
        release = InRelease.verify(signedInRelease, keyring, suite);
        return readIndexes(names, prefixes);
    }

    private PackageIndex readIndexes(Set<String> names, Set<String> prefixes) {
        java.util.List<InputStream> parts = new java.util.ArrayList<>();
        try {
            for (String component : COMPONENTS) {
                String path = component + "/binary-" + ARCH + "/Packages.xz";
                InRelease.IndexFile f = release.file(path);
                Path xz = fetch(path, f.sha256(), f.size(), "dists/" + suite + "/" + path);
                parts.add(new XZInputStream(Files.newInputStream(xz), 1 << 20));
                parts.add(new java.io.ByteArrayInputStream(new byte[] {'\n'})); // a stanza never spans two files
            }
            try (InputStream all = new java.io.SequenceInputStream(java.util.Collections.enumeration(parts))) {
                index = PackageIndex.read(all, names, prefixes);
            }
            return index;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Packages indexes", e);
        }
    }

    /** The real kernel package a metapackage such as linux-image-arm64 points at. */
    public static String kernelPackage(PackageIndex.Package meta) {
        Matcher m = Pattern.compile("(linux-image-[0-9][^ ,(]*)").matcher(meta.depends());
        if (!m.find()) throw new BuildException(meta.name() + " depends on no linux-image-<version> package: " + meta.depends());
        return m.group(1);
    }

    /** The .deb of a package, downloaded once, checked against the SHA-256 of the signed index. */
    public Path deb(PackageIndex.Package p) {
        if (index == null) throw new IllegalStateException("read the index first");
        return fetch(p.name() + "_" + p.version(), p.sha256(), p.size(), p.filename());
    }

    private Path fetch(String what, String sha256, long size, String relative) {
        Path cached = cache.resolve("sha256").resolve(sha256);
        try {
            if (Files.isRegularFile(cached)) {
                String actual = sha256(cached);
                if (!actual.equals(sha256))
                    throw new BuildException("cached " + what + " at " + cached + " is damaged (SHA-256 " + actual
                            + ", the signed index says " + sha256 + "): delete it and build again");
                return cached;
            }
            Files.createDirectories(cached.getParent());
            Path tmp = Files.createTempFile(cached.getParent(), "part-", ".tmp");
            try {
                String actual = download(mirror.resolve(relative), what, size, tmp);
                if (!actual.equals(sha256))
                    throw new BuildException(what + " from " + mirror.resolve(relative) + " has SHA-256 " + actual
                            + " but the signed index says " + sha256 + ": the mirror served a wrong file; nothing was kept");
                if (size >= 0 && Files.size(tmp) != size)
                    throw new BuildException(what + " has " + Files.size(tmp) + " bytes, the signed index says " + size);
                Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return cached;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fetch " + what, e);
        }
    }

    private byte[] get(URI uri, String what) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(1)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200)
                throw new BuildException(what + ": " + uri + " answered HTTP " + r.statusCode() + ": check the mirror and suite");
            return r.body();
        } catch (IOException e) {
            throw new BuildException("cannot reach the mirror for " + what + " (" + uri + "): " + e.getMessage()
                    + ". Check the network, or give another mirror with --mirror", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted while fetching " + uri, e);
        }
    }

    private String download(URI uri, String what, long size, Path to) throws IOException {
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200)
                    throw new BuildException(what + ": " + uri + " answered HTTP " + r.statusCode());
                MessageDigest md = sha();
                long total = size >= 0 ? size : r.headers().firstValueAsLong("content-length").orElse(-1);
                try (OutputStream out = Files.newOutputStream(to)) {
                    byte[] buf = new byte[1 << 16];
                    long done = 0;
                    for (int n; (n = in.read(buf)) > 0; ) {
                        out.write(buf, 0, n);
                        md.update(buf, 0, n);
                        done += n;
                        progress.bytes("download " + what, done, total);
                    }
                }
                return HexFormat.of().formatHex(md.digest());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted while downloading " + uri, e);
        } catch (IOException e) {
            throw new BuildException("download of " + uri + " failed: " + e.getMessage() + ". Build again to retry", e);
        }
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest md = sha();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
