package dev.lichen.store.cli;

import dev.lichen.store.addons.FirstParty;
import dev.lichen.store.catalog.Catalog;
import dev.lichen.store.catalog.CatalogServer;
import dev.lichen.store.pkg.Keys;
import dev.lichen.store.pkg.LappCodec;
import dev.lichen.store.pkg.Limits;
import dev.lichen.store.pkg.Manifest;
import dev.lichen.store.pkg.PackageException;
import dev.lichen.store.pkg.PackageVerifier;
import dev.lichen.store.pkg.Packer;
import dev.lichen.store.pkg.Signing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lichen store ...}: make keys, pack, sign, verify and publish add-ons, serve a store. */
@Command(name = "store", mixinStandardHelpOptions = true, description = "Add-on packages (.lapp) and the store that serves them.",
        subcommands = {StoreCommand.Keygen.class, StoreCommand.Pack.class, StoreCommand.Sign.class, StoreCommand.Verify.class,
                StoreCommand.Publish.class, StoreCommand.Serve.class, StoreCommand.FirstPartyCmd.class})
public final class StoreCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "keygen", description = "Make an Ed25519 publisher key: <name>.key (private) and <name>.pub.")
    static final class Keygen implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "path prefix, e.g. ./publisher") Path base;

        @Override
        public Integer call() throws Exception {
            var pair = Keys.generate();
            Keys.save(pair, base);
            System.out.println("wrote " + base + ".key and " + base + ".pub\nfingerprint: " + Keys.fingerprint(pair.getPublic()));
            return 0;
        }
    }

    @Command(name = "pack", description = "Pack a manifest, jars and resources into an unsigned .lapp.")
    static final class Pack implements Callable<Integer> {
        @Option(names = "--manifest", required = true) Path manifest;
        @Option(names = "--lib", description = "a jar for lib/ (repeat)") List<Path> libs = new ArrayList<>();
        @Option(names = "--resource", description = "icon, screenshot... stored at the package root (repeat)") List<Path> resources = new ArrayList<>();
        @Option(names = "--out", required = true) Path out;

        @Override
        public Integer call() throws Exception {
            try {
                Files.write(out, LappCodec.write(Packer.pack(Files.readAllBytes(manifest), libs, resources)));
            } catch (PackageException e) {
                return fail(e);
            }
            System.out.println("wrote " + out + " (unsigned; sign it with 'lichen store sign')");
            return 0;
        }
    }

    @Command(name = "sign", description = "Sign a .lapp with a publisher key (replaces an earlier signature).")
    static final class Sign implements Callable<Integer> {
        @Option(names = "--key", required = true, description = "the .key file; its .pub must lie beside it") Path key;
        @Parameters(paramLabel = "PACKAGE") Path pkg;

        @Override
        public Integer call() throws Exception {
            try {
                var lapp = LappCodec.read(Files.readAllBytes(pkg), Limits.DEFAULT);
                PackageVerifier.manifestOf(lapp);
                Files.write(pkg, LappCodec.write(Signing.sign(lapp, Keys.readPrivate(key), Keys.publicBeside(key))));
            } catch (PackageException e) {
                return fail(e);
            }
            System.out.println("signed " + pkg + " with " + Keys.fingerprint(Keys.publicBeside(key)));
            return 0;
        }
    }

    @Command(name = "verify", description = "Check a .lapp: safe zip, signature by a trusted key, manifest.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--trust", required = true, description = "a publisher .pub file to trust (repeat)") List<Path> trusted;
        @Parameters(paramLabel = "PACKAGE") Path pkg;

        @Override
        public Integer call() throws Exception {
            var fps = new java.util.HashSet<String>();
            for (Path p : trusted) fps.add(Keys.fingerprint(Keys.readPublic(p)));
            try {
                var v = PackageVerifier.verify(Files.readAllBytes(pkg), Limits.DEFAULT, Set.copyOf(fps), "999.0.0", null);
                Manifest m = v.manifest();
                System.out.println("OK " + m.id() + " " + m.version() + " signed by " + v.signerFingerprint());
                m.permissions().inPlainWords().forEach(p -> System.out.println("  " + p));
                return 0;
            } catch (PackageException e) {
                return fail(e);
            }
        }
    }

    @Command(name = "publish", description = "Add a signed .lapp to a store folder (created with --init-key on first use).")
    static final class Publish implements Callable<Integer> {
        @Option(names = "--dir", required = true) Path dir;
        @Option(names = "--init-key", description = "publisher .pub: creates the store when its index.json is missing") Path initKey;
        @Option(names = "--name", defaultValue = "Lichen add-ons") String name;
        @Parameters(paramLabel = "PACKAGE", arity = "0..*") List<Path> pkgs = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            var catalog = new Catalog(dir);
            if (!Files.exists(dir.resolve(Catalog.INDEX))) {
                if (initKey == null) {
                    System.err.println(dir + " has no index.json: give --init-key <publisher.pub> to create the store");
                    return 2;
                }
                catalog.init(name, Keys.readPublic(initKey));
            }
            for (Path p : pkgs) {
                try {
                    var m = catalog.publish(Files.readAllBytes(p));
                    System.out.println("published " + m.id() + " " + m.version());
                } catch (PackageException e) {
                    return fail(e);
                }
            }
            return 0;
        }
    }

    @Command(name = "serve", description = "Serve a store folder over HTTP until stopped.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--dir", required = true) Path dir;
        @Option(names = "--port", defaultValue = "8081") int port;
        @Option(names = "--host", defaultValue = "0.0.0.0") String host;

        @Override
        public Integer call() throws Exception {
            var index = new Catalog(dir).index();
            try (var server = new CatalogServer(dir, host, port)) {
                System.out.println("serving " + index.packages().size() + " add-ons from " + dir + " at " + server.url()
                        + "\npublisher key fingerprint: " + index.fingerprint());
                new CountDownLatch(1).await();
            }
            return 0;
        }
    }

    @Command(name = "first-party", description = "Pack and sign the first-party add-ons (plantcare, fridge, share) into a folder.")
    static final class FirstPartyCmd implements Callable<Integer> {
        @Option(names = "--key", required = true) Path key;
        @Option(names = "--out", required = true) Path out;

        @Override
        public Integer call() throws Exception {
            Files.createDirectories(out);
            var priv = Keys.readPrivate(key);
            var pub = Keys.publicBeside(key);
            for (String id : FirstParty.IDS) {
                var lapp = Signing.sign(FirstParty.pack(id), priv, pub);
                Path file = out.resolve(id + "-" + PackageVerifier.manifestOf(lapp).version() + ".lapp");
                Files.write(file, LappCodec.write(lapp));
                System.out.println("wrote " + file);
            }
            return 0;
        }
    }

    static int fail(PackageException e) {
        System.err.println("refused (" + e.reason() + "): " + e.getMessage());
        return 1;
    }
}
