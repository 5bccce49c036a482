package dev.lichen.store.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.store.catalog.Catalog;
import dev.lichen.store.catalog.CatalogClient;
import dev.lichen.store.catalog.CatalogServer;
import dev.lichen.store.pkg.Keys;
import dev.lichen.store.pkg.PackageException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** lichen store keygen | first-party | verify | publish, then the catalog served over real HTTP. */
class StoreCommandTest {
    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        PrintStream o = System.out, e = System.err;
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int code = new CommandLine(new StoreCommand()).execute(args);
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    void keygenSignVerifyPublishServe() throws Exception {
        Path key = dir.resolve("pub");
        var k = run("keygen", key.toString());
        assertEquals(0, k.code(), k.err());
        String fp = Keys.fingerprint(Keys.readPublic(dir.resolve("pub.pub")));
        assertTrue(k.out().contains(fp));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("pub.key"))));

        assertEquals(0, run("first-party", "--key", dir.resolve("pub.key").toString(), "--out", dir.resolve("out").toString()).code());
        Path plant = dir.resolve("out/plantcare-1.0.0.lapp");
        var ok = run("verify", "--trust", dir.resolve("pub.pub").toString(), plant.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("OK plantcare 1.0.0") && ok.out().contains("May read: soil moisture in every room"), ok.out());

        var other = Keys.generate();
        Keys.save(other, dir.resolve("other"));
        var untrusted = run("verify", "--trust", dir.resolve("other.pub").toString(), plant.toString());
        assertEquals(1, untrusted.code());
        assertTrue(untrusted.err().contains("UNTRUSTED"), untrusted.err());

        Path storeDir = dir.resolve("store");
        var pub = run("publish", "--dir", storeDir.toString(), "--init-key", dir.resolve("pub.pub").toString(),
                plant.toString(), dir.resolve("out/fridge-1.0.0.lapp").toString(), dir.resolve("out/share-1.0.0.lapp").toString());
        assertEquals(0, pub.code(), pub.err());
        var again = run("publish", "--dir", storeDir.toString(), plant.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("is in this store already"), again.err());

        try (var server = new CatalogServer(storeDir, "127.0.0.1", 0)) {
            var client = new CatalogClient();
            var index = client.index(server.url());
            assertEquals(fp, index.fingerprint());
            assertEquals(3, index.packages().size());
            var v = index.entry("fridge").orElseThrow().latest();
            byte[] zip = client.download(server.url(), v, 64L << 20, n -> {});
            assertEquals(v.size(), zip.length);
            assertTrue(new String(client.media(server.url(), index.entry("fridge").orElseThrow().icon())).contains("<svg"));
            // one byte changed on the server: the download is refused against the index digest
            Path file = storeDir.resolve(v.file());
            byte[] bad = Files.readAllBytes(file);
            bad[100] ^= 1;
            Files.write(file, bad);
            var e = org.junit.jupiter.api.Assertions.assertThrows(PackageException.class, () -> client.download(server.url(), v, 64L << 20, n -> {}));
            assertEquals(PackageException.Reason.DIGEST, e.reason());
            assertEquals(404, java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(server.url() + "packages/../pub.key")).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        assertTrue(Files.exists(storeDir.resolve(Catalog.INDEX)));
    }
}
