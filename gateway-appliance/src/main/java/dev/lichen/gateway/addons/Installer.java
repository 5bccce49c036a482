package dev.lichen.gateway.addons;

import dev.lichen.store.catalog.CatalogClient;
import dev.lichen.store.catalog.CatalogIndex;
import dev.lichen.store.pkg.Manifest;
import dev.lichen.store.pkg.PackageException;
import dev.lichen.store.pkg.PackageVerifier;
import dev.lichen.store.pkg.Permissions;
import dev.lichen.store.pkg.Semver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Installs, updates (with rollback) and uninstalls add-ons: download from a trusted store, verify
 * digest, signature and manifest against the grant, unpack into a fresh folder, make the AOT
 * cache, then prove the add-on starts and answers its health check before it counts as installed.
 */
final class Installer {
    private static final System.Logger LOG = System.getLogger(Installer.class.getName());
    private final AddonHost host;
    private final CatalogClient catalog = new CatalogClient();

    Installer(AddonHost host) {
        this.host = host;
    }

    /** Runs one install/update job to its end; every refusal leaves the previous state untouched. */
    void run(InstallJob job, String storeUrl, CatalogIndex.Entry entry, CatalogIndex.Version v, Permissions grant) {
        Path staging = null;
        try {
            var store = host.trust().store(storeUrl).filter(TrustStore.StoreEntry::trusted)
                    .orElseThrow(() -> new PackageException(PackageException.Reason.UNTRUSTED,
                            "store " + storeUrl + " is not trusted: accept its publisher key fingerprint first"));
            if (!v.permissions().within(grant)) {
                throw new PackageException(PackageException.Reason.PERMISSION, entry.id() + " asks for permissions the administrator did not grant: "
                        + String.join("; ", v.permissions().missingFrom(grant)) + ". Nothing was installed.");
            }
            job.phase(InstallJob.Phase.DOWNLOADING, "downloading " + v.size() + " bytes");
            byte[] zip = catalog.download(storeUrl, v, host.config().limits().maxPackageBytes(), job::received);
            job.phase(InstallJob.Phase.VERIFYING, "checking digest, signature and manifest");
            var verified = PackageVerifier.verify(zip, host.config().limits(), Set.of(store.acceptedFingerprint()), AddonHost.GATEWAY_VERSION, grant);
            Manifest m = verified.manifest();
            if (!m.id().equals(entry.id()) || !m.version().equals(v.version())) {
                throw new PackageException(PackageException.Reason.MANIFEST, "the store lists " + entry.id() + " " + v.version()
                        + " but the package is " + m.id() + " " + m.version());
            }
            var current = host.installed(m.id());
            if (current != null && Semver.parse(m.version()).compareTo(Semver.parse(current.version())) <= 0) {
                throw new PackageException(PackageException.Reason.VERSION, m.id() + " " + current.version() + " is installed; "
                        + m.version() + " is not newer. Uninstall first to go back to an older version.");
            }
            job.phase(InstallJob.Phase.UNPACKING, "unpacking");
            Path versions = host.addonDir(m.id()).resolve("versions");
            staging = versions.resolve(".staging-" + UUID.randomUUID());
            PackageVerifier.unpack(verified.lapp(), staging);
            Path target = versions.resolve(m.version());
            deleteTree(target);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
            var installed = new Installed(m.id(), m.version(), current == null ? null : current.version(), storeUrl, grant,
                    current == null ? secret() : current.token(), current == null ? secret() : current.proxySecret(), System.currentTimeMillis(), null);
            if (host.config().aotCache()) {
                job.phase(InstallJob.Phase.PREPARING, "making the AOT cache for a fast start");
                train(installed, m, target);
            }
            job.phase(InstallJob.Phase.HEALTH_CHECK, "starting it once to check it works");
            host.activate(installed, m);
            String problem = host.healthCheck(m.id());
            if (problem == null) {
                host.supervisor().stop(m.id(), "installed; it starts again when needed");
                pruneVersions(m.id(), installed);
                job.phase(InstallJob.Phase.DONE, (current == null ? "installed " : "updated to ") + m.name() + " " + m.version());
                return;
            }
            String why = m.name() + " " + m.version() + " failed its health check (" + problem + ")";
            if (current != null) {
                host.activate(current.withNote(why + "; rolled back to " + current.version()), host.manifest(current));
                deleteTree(target);
                job.phase(InstallJob.Phase.ROLLED_BACK, why + "; rolled back to " + current.version());
            } else {
                host.forget(m.id());
                job.phase(InstallJob.Phase.FAILED, why + "; nothing was installed");
            }
        } catch (PackageException e) {
            job.phase(InstallJob.Phase.FAILED, "refused: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "install of " + entry.id() + " failed", e);
            job.phase(InstallJob.Phase.FAILED, "failed: " + e.getMessage());
        } finally {
            if (staging != null) deleteTree(staging);
        }
    }

    /**
     * The AOT training run (JDK 25 JEP 514/515): the add-on starts with -XX:AOTCacheOutput, serves
     * its pages once to itself and exits, leaving app.aot; later starts map it with -XX:AOTCache.
     */
    private void train(Installed inst, Manifest m, Path versionDir) {
        Path work;
        try {
            work = Files.createTempDirectory(host.addonDir(m.id()), ".training");
            // the training run is the add-on's own code: it runs as the add-on's user, like every start
            host.isolation().prepare(m.id(), host.addonDir(m.id()), host.addonDir(m.id()).resolve("work"));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "no AOT cache for " + m.id() + ": " + e.getMessage());
            return;
        }
        var spec = host.spec(inst, m, versionDir);
        var env = new java.util.HashMap<>(spec.env());
        env.put(dev.lichen.store.sdk.AddonContext.ENV_TRAINING, "1");
        env.put(dev.lichen.store.sdk.AddonContext.ENV_TOKEN, "");
        Path output = work.resolve("app.aot"); // written where the add-on may write, then sealed beside its code
        try {
            var pb = new ProcessBuilder(host.isolation().wrap(m.id(), spec.command("-XX:AOTCacheOutput=" + output), spec.network() ? -1 : 0))
                    .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("training.log").toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                LOG.log(System.Logger.Level.WARNING, "AOT training of " + m.id() + " timed out; it will start without a cache");
            } else if (Files.isRegularFile(output)) {
                Path aot = versionDir.resolve("app.aot");
                Files.move(output, aot, StandardCopyOption.REPLACE_EXISTING);
                host.isolation().seal(m.id(), aot);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "AOT training of " + m.id() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            host.isolation().ended(m.id());
            deleteTree(work);
        }
    }

    private void pruneVersions(String id, Installed keep) throws IOException {
        Path versions = host.addonDir(id).resolve("versions");
        try (Stream<Path> dirs = Files.list(versions)) {
            for (Path d : dirs.toList()) {
                String n = d.getFileName().toString();
                if (!n.equals(keep.version()) && !n.equals(keep.previousVersion())) deleteTree(d);
            }
        }
    }

    static void deleteTree(Path p) {
        if (p == null || !Files.exists(p)) return;
        try (Stream<Path> all = Files.walk(p)) {
            for (Path f : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete " + p + ": " + e.getMessage());
        }
    }

    private static String secret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
