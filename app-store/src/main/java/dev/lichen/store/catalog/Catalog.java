package dev.lichen.store.catalog;

import dev.lichen.store.pkg.Keys;
import dev.lichen.store.pkg.Lapp;
import dev.lichen.store.pkg.LappCodec;
import dev.lichen.store.pkg.Limits;
import dev.lichen.store.pkg.Manifest;
import dev.lichen.store.pkg.ManifestParser;
import dev.lichen.store.pkg.PackageException;
import dev.lichen.store.pkg.PackageSignature;
import dev.lichen.store.pkg.PackageVerifier;
import dev.lichen.store.pkg.Signing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A store folder: {@code index.json}, {@code packages/<id>-<version>.lapp} and {@code media/}
 * (icons and screenshots taken out of the packages so a gateway can show them before downloading).
 */
public final class Catalog {
    public static final String INDEX = "index.json";
    private final Path dir;

    public Catalog(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public CatalogIndex index() throws IOException {
        return ManifestParser.mapper().readValue(dir.resolve(INDEX).toFile(), CatalogIndex.class);
    }

    /** Creates an empty store for a publisher key (once). */
    public void init(String name, PublicKey publisher) throws IOException {
        if (Files.exists(dir.resolve(INDEX))) throw new IOException(dir.resolve(INDEX) + " exists already");
        Files.createDirectories(dir);
        write(new CatalogIndex(name, Base64.getEncoder().encodeToString(publisher.getEncoded()), Keys.fingerprint(publisher), List.of()));
    }

    /**
     * Adds a signed package: it must verify against this store's publisher key and be a new
     * version of its add-on. Returns the manifest.
     */
    public synchronized Manifest publish(byte[] zip) throws IOException, PackageException {
        CatalogIndex index = index();
        Lapp lapp = LappCodec.read(zip, Limits.DEFAULT);
        Signing.verify(lapp, Set.of(index.fingerprint()));
        Manifest m = PackageVerifier.manifestOf(lapp);
        var entries = new ArrayList<>(index.packages());
        var old = index.entry(m.id());
        if (old.isPresent() && old.get().version(m.version()).isPresent()) {
            throw new IOException(m.id() + " " + m.version() + " is in this store already; publish a new version");
        }
        String file = "packages/" + m.id() + "-" + m.version() + ".lapp";
        Files.createDirectories(dir.resolve("packages"));
        writeAtomically(dir.resolve(file), zip);
        String icon = media(m, m.icon(), lapp);
        var shots = new ArrayList<String>();
        for (String s : m.screenshots()) shots.add(media(m, s, lapp));
        var sig = ManifestParser.mapper().readValue(lapp.entries().get(Lapp.SIGNATURE), PackageSignature.class);
        var version = new CatalogIndex.Version(m.version(), file, zip.length, HexFormat.of().formatHex(Keys.sha256(zip)), sig.signature(),
                m.minGatewayVersion(), m.permissions(), m.memoryMb());
        var versions = new ArrayList<CatalogIndex.Version>();
        old.ifPresent(o -> versions.addAll(o.versions()));
        versions.add(version);
        entries.removeIf(e -> e.id().equals(m.id()));
        entries.add(new CatalogIndex.Entry(m.id(), m.name(), m.summary(), m.describe(), m.publisher(), icon, shots, versions));
        entries.sort((a, b) -> a.id().compareTo(b.id()));
        write(new CatalogIndex(index.name(), index.publisherKey(), index.fingerprint(), entries));
        return m;
    }

    private String media(Manifest m, String entry, Lapp lapp) throws IOException {
        String file = "media/" + m.id() + "-" + m.version() + "-" + entry.replace('/', '_');
        Files.createDirectories(dir.resolve("media"));
        writeAtomically(dir.resolve(file), lapp.entries().get(entry));
        return file;
    }

    private void write(CatalogIndex index) throws IOException {
        writeAtomically(dir.resolve(INDEX), ManifestParser.mapper().writeValueAsBytes(index));
    }

    private static void writeAtomically(Path target, byte[] data) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, data);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
