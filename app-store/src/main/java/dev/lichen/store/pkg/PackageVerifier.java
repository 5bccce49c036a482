package dev.lichen.store.pkg;

import static dev.lichen.store.pkg.PackageException.Reason.MANIFEST;
import static dev.lichen.store.pkg.PackageException.Reason.PERMISSION;
import static dev.lichen.store.pkg.PackageException.Reason.UNSAFE_PATH;
import static dev.lichen.store.pkg.PackageException.Reason.VERSION;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/** Every check a package passes before a gateway installs it, in the order that gives the clearest refusal. */
public final class PackageVerifier {
    /** A package that passed: safe to unpack. */
    public record Verified(Manifest manifest, Lapp lapp, String signerFingerprint) {}

    private PackageVerifier() {}

    /** Zip safety and limits, then signature and trust, then the manifest (and the grant when given). */
    public static Verified verify(byte[] zip, Limits limits, Set<String> trusted, String gatewayVersion, Permissions granted)
            throws PackageException {
        Lapp lapp = LappCodec.read(zip, limits);
        String signer = Signing.verify(lapp, trusted);
        Manifest m = manifestOf(lapp);
        if (Semver.parse(gatewayVersion).compareTo(Semver.parse(m.minGatewayVersion())) < 0) {
            throw new PackageException(VERSION, m.id() + " " + m.version() + " needs gateway " + m.minGatewayVersion()
                    + " or newer; this gateway is " + gatewayVersion + ". Update the gateway first.");
        }
        if (granted != null && !m.permissions().within(granted)) {
            throw new PackageException(PERMISSION, m.id() + " asks for permissions the administrator did not grant: "
                    + String.join("; ", m.permissions().missingFrom(granted)) + ". Nothing was installed; grant them to install it.");
        }
        return new Verified(m, lapp, signer);
    }

    /** Parses the manifest and checks it against the package's entries. */
    public static Manifest manifestOf(Lapp lapp) throws PackageException {
        byte[] raw = lapp.entries().get(Lapp.MANIFEST);
        if (raw == null) throw new PackageException(MANIFEST, "package has no manifest.json at its root");
        Manifest m = ManifestParser.parse(raw);
        if (!lapp.entries().containsKey(m.icon())) throw new PackageException(MANIFEST, "manifest.json: icon '" + m.icon() + "' is not in the package");
        for (String s : m.screenshots()) {
            if (!lapp.entries().containsKey(s)) throw new PackageException(MANIFEST, "manifest.json: screenshot '" + s + "' is not in the package");
        }
        if (lapp.entries().keySet().stream().noneMatch(n -> n.startsWith(Lapp.LIB) && n.endsWith(".jar"))) {
            throw new PackageException(MANIFEST, "package has no jars under lib/; pack the add-on's jars with --lib");
        }
        return m;
    }

    /** Writes every entry below {@code dir} (which must not exist yet), never following links or leaving it. */
    public static void unpack(Lapp lapp, Path dir) throws PackageException, IOException {
        Files.createDirectories(dir.getParent());
        Files.createDirectory(dir);
        Path root = dir.toRealPath();
        for (var e : lapp.entries().entrySet()) {
            LappCodec.checkName(e.getKey());
            Path target = root.resolve(e.getKey()).normalize();
            if (!target.startsWith(root) || target.equals(root)) {
                throw new PackageException(UNSAFE_PATH, "zip entry '" + e.getKey() + "' would land outside " + root);
            }
            Files.createDirectories(target.getParent());
            if (!target.getParent().toRealPath().startsWith(root) || Files.isSymbolicLink(target.getParent())) {
                throw new PackageException(UNSAFE_PATH, "zip entry '" + e.getKey() + "' goes through a link");
            }
            Files.write(target, e.getValue(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
    }
}
