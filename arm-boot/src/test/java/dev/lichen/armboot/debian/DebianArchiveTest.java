package dev.lichen.armboot.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.armboot.BuildException;
import dev.lichen.armboot.Progress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trust chain against the real mirror of this machine's apt sources, and against forgeries of it. */
class DebianArchiveTest {
    static final Path KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");
    static URI mirror;
    static byte[] trixie;

    @BeforeAll
    static void fetch() throws Exception {
        mirror = AptSources.debianMirror(Path.of("/etc/apt"));
        trixie = get("dists/trixie/InRelease");
    }

    static byte[] get(String path) throws Exception {
        String base = mirror.toString().endsWith("/") ? mirror.toString() : mirror + "/";
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), path);
        return r.body();
    }

    @Test
    void theGenuineReleaseFileVerifies() {
        InRelease r = InRelease.verify(trixie, KEYRING, "trixie");
        assertEquals("trixie", r.codename());
        assertTrue(r.file("main/binary-arm64/Packages.xz").sha256().matches("[0-9a-f]{64}"));
        assertTrue(r.file("non-free-firmware/binary-arm64/Packages.xz").size() > 0);
    }

    @Test
    void anAlteredReleaseFileIsRefused() {
        String text = new String(trixie, StandardCharsets.UTF_8);
        int at = text.indexOf("main/binary-arm64/Packages.xz", text.indexOf("SHA256:"));
        int line = text.lastIndexOf('\n', at) + 2; // first hex digit of that line's checksum
        char c = text.charAt(line);
        String forged = text.substring(0, line) + (c == '0' ? '1' : '0') + text.substring(line + 1);
        BuildException e = assertThrows(BuildException.class,
                () -> InRelease.verify(forged.getBytes(StandardCharsets.UTF_8), KEYRING, "trixie"));
        assertTrue(e.getMessage().contains("BAD"), e.getMessage());
    }

    @Test
    void anUnsignedReleaseFileIsRefused() {
        String body = new String(trixie, StandardCharsets.UTF_8);
        String plain = body.substring(body.indexOf("Origin:"), body.indexOf("-----BEGIN PGP SIGNATURE"));
        BuildException e = assertThrows(BuildException.class,
                () -> InRelease.verify(plain.getBytes(StandardCharsets.UTF_8), KEYRING, "trixie"));
        assertTrue(e.getMessage().contains("clear-signed") || e.getMessage().contains("signature"), e.getMessage());
    }

    @Test
    void anotherSuitesGenuineReleaseFileIsRefused() throws Exception {
        byte[] bookworm = get("dists/bookworm/InRelease");
        BuildException e = assertThrows(BuildException.class, () -> InRelease.verify(bookworm, KEYRING, "trixie"));
        assertTrue(e.getMessage().contains("'bookworm'"), e.getMessage());
    }

    @Test
    void aDamagedCachedPackageStopsTheBuild(@TempDir Path cache) throws Exception {
        DebianArchive archive = new DebianArchive(mirror, "trixie", cache, KEYRING, Progress.SILENT);
        PackageIndex index = archive.index(trixie, Set.of("zlib1g"), Set.of());
        PackageIndex.Package zlib = index.get("zlib1g");
        Path deb = archive.deb(zlib);
        assertEquals(zlib.sha256(), DebianArchive.sha256(deb));
        byte[] bytes = Files.readAllBytes(deb);
        bytes[bytes.length / 2] ^= 1;
        Files.write(deb, bytes);
        BuildException e = assertThrows(BuildException.class, () -> archive.deb(zlib));
        assertTrue(e.getMessage().contains("damaged") && e.getMessage().contains("delete it"), e.getMessage());
    }

    @Test
    void theMetapackageLeadsToTheRealKernel() throws Exception {
        DebianArchive archive = new DebianArchive(mirror, "trixie", Files.createTempDirectory("lichen-idx"), KEYRING, Progress.SILENT);
        // the index files land in the shared cache's sha256 folder when run through the builder; here a fresh one
        PackageIndex index = archive.index(trixie, Set.of("linux-image-arm64"), Set.of("linux-image-6."));
        String real = DebianArchive.kernelPackage(index.get("linux-image-arm64"));
        assertTrue(real.matches("linux-image-6\\.12\\.[0-9]+\\+deb13-arm64"), real);
        assertTrue(index.contains(real));
    }

    @Test
    void aptSourcesInBothFormatsNameTheArchiveNotTheSecurityOne(@TempDir Path apt) throws Exception {
        Files.createDirectories(apt.resolve("sources.list.d"));
        Files.writeString(apt.resolve("sources.list.d/debian.sources"), """
                Types: deb
                URIs: http://mirror.example/debian-security
                Suites: bookworm-security
                Components: main

                Types: deb
                URIs: http://mirror.example/debian
                Suites: bookworm bookworm-updates
                Components: main
                """);
        assertEquals(URI.create("http://mirror.example/debian"), AptSources.debianMirror(apt));
        Files.delete(apt.resolve("sources.list.d/debian.sources"));
        Files.writeString(apt.resolve("sources.list"), "# comment\ndeb [arch=amd64] http://other.example/debian bookworm main\n");
        assertEquals(URI.create("http://other.example/debian"), AptSources.debianMirror(apt));
        Files.delete(apt.resolve("sources.list"));
        BuildException e = assertThrows(BuildException.class, () -> AptSources.debianMirror(apt));
        assertTrue(e.getMessage().contains("--mirror"), e.getMessage());
    }
}
