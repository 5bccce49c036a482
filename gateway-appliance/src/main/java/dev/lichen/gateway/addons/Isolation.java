package dev.lichen.gateway.addons;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Keeps add-ons apart at the OS level. When the gateway runs as root, each add-on runs under a
 * user of its own (uid = gid = 61000 + n, allocated at install and kept in {@code uids.json}),
 * with no capabilities and no_new_privs (util-linux's setpriv, which execs, so the pid the
 * supervisor watches is the JVM's). Its folder is open to that user only; the gateway's own files
 * (database, keys, tokens) are closed to everyone else. So an add-on cannot open the database,
 * read another add-on's files, or read another add-on's token from /proc/pid/environ.
 * Without root the gateway cannot switch users; add-ons then share its user, and {@link #describe}
 * says so on the add-ons page.
 */
final class Isolation {
    static final int FIRST_UID = 61000;
    static final int LAST_UID = 61999;
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PASS_THROUGH = PosixFilePermissions.fromString("rwx--x--x");
    private static final Set<PosixFilePermission> GROUP_READ_DIR = PosixFilePermissions.fromString("rwxr-x---");
    private static final Set<PosixFilePermission> GROUP_READ_FILE = PosixFilePermissions.fromString("rw-r-----");
    private static final System.Logger LOG = System.getLogger(Isolation.class.getName());

    private final Path dataDir;
    private final Path addonsRoot;
    private final boolean enabled;
    private final String why;
    private final JsonFile<Map<String, Integer>> uids;
    private final AddonNetwork network;
    private volatile String blocked;

    private Isolation(Path dataDir, Path addonsRoot, boolean enabled, String why) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.addonsRoot = addonsRoot.toAbsolutePath().normalize();
        this.enabled = enabled;
        this.why = why;
        this.network = AddonNetwork.detect(enabled, addonsRoot);
        this.uids = new JsonFile<>(addonsRoot.resolve("uids.json"), new TypeReference<>() {}, Map.of());
    }

    /** Own users per add-on when this process is root and setpriv is installed; shared otherwise. */
    static Isolation detect(Path dataDir, Path addonsRoot) {
        long euid = effectiveUid();
        if (euid != 0) {
            return new Isolation(dataDir, addonsRoot, false, "add-ons run as the gateway's own user (uid " + euid
                    + "): start the gateway as root so that each add-on gets a user of its own and cannot read the database or other add-ons' files");
        }
        if (!Files.isExecutable(SETPRIV)) {
            return new Isolation(dataDir, addonsRoot, false, SETPRIV + " is missing (Debian package util-linux): add-ons run as root."
                    + " Install it and restart the gateway so that each add-on gets a user of its own");
        }
        return new Isolation(dataDir, addonsRoot, true, "each add-on runs as a user of its own (uid " + FIRST_UID + "-" + LAST_UID
                + "), without capabilities, and can read only its own folder");
    }

    boolean enabled() {
        return enabled;
    }

    /** Enabled and not blocked by a folder that add-on users cannot pass through. */
    boolean active() {
        return enabled && blocked == null;
    }

    /** One sentence for the add-ons page: how add-ons are kept apart, or why they are not. */
    String describe() {
        String b = blocked;
        if (b != null) return b;
        return network.enabled() ? why + "; each has a network of its own that reaches only the gateway's web server"
                : enabled ? why + "; " + network.unavailable() : why;
    }

    /** Its own network namespace, when the gateway can make one. */
    boolean ownNetwork() {
        return network.enabled();
    }

    /** Effective uid from /proc/self/status (-1 when unknown). */
    static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return Long.parseLong(line.split("\\s+")[2]);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The uid (= gid) of an add-on, allocated on first use: the lowest free one not in /etc/passwd. */
    synchronized int uid(String id) {
        Integer u = uids.read().get(id);
        if (u != null) return u;
        Set<Integer> taken = new HashSet<>(uids.read().values());
        taken.addAll(systemUids());
        for (int c = FIRST_UID; c <= LAST_UID; c++) {
            if (!taken.contains(c)) {
                var all = new HashMap<>(uids.read());
                all.put(id, c);
                uids.write(all);
                return c;
            }
        }
        throw new IllegalStateException("no free add-on uid left in " + FIRST_UID + "-" + LAST_UID + ": uninstall add-ons you no longer use");
    }

    synchronized void release(String id) {
        var all = new HashMap<>(uids.read());
        if (all.remove(id) != null) uids.write(all);
    }

    private static Set<Integer> systemUids() {
        var out = new HashSet<Integer>();
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length > 2) out.add(Integer.parseInt(f[2]));
            }
        } catch (IOException | NumberFormatException e) {
            LOG.log(System.Logger.Level.WARNING, "could not read /etc/passwd: " + e.getMessage());
        }
        return out;
    }

    /**
     * The command that starts {@code cmd} as the add-on's user, inside a network of its own when
     * the gateway can make one (with the way to the gateway's web server on gatewayHttpPort when
     * that is > 0; in the gateway's network when it is < 0: the add-on was granted the network);
     * {@code cmd} itself when isolation is off. Call {@link #ended} when it exits.
     */
    List<String> wrap(String id, List<String> cmd, int gatewayHttpPort) throws IOException {
        if (!enabled) return cmd;
        String b = blocked;
        if (b != null) throw new IOException(b);
        int u = uid(id);
        var out = new ArrayList<String>(gatewayHttpPort < 0 ? List.of() : network.enter(id, gatewayHttpPort));
        out.addAll(List.of(SETPRIV.toString(), "--reuid=" + u, "--regid=" + u, "--clear-groups",
                "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"));
        out.addAll(cmd);
        return out;
    }

    /** Where the gateway reaches the add-on's server that listens on {@code port} (inside its network). */
    int reach(String id, int port) throws IOException {
        return network.proxyTo(id, port);
    }

    /** The add-on's process ended: its network goes. */
    void ended(String id) {
        network.leave(id);
    }

    /**
     * Closes the gateway's data folder to other users: the folder itself and the folders down to
     * the add-ons folder may only be passed through (no listing), and the gateway's own files in
     * it (the database with its WAL, the broker's folder, the add-on registry with its tokens) are
     * the gateway's alone. Only those: the data folder may hold a person's other files.
     * Folders above the data folder are not ours to change: when one of them cannot be passed
     * through, add-ons cannot reach their files, and starting one says which folder to fix.
     */
    void lockDown() throws IOException {
        if (!enabled) return;
        for (Path p = addonsRoot.getParent(); p != null; p = p.getParent()) {
            if (p.startsWith(dataDir) || !Files.isDirectory(p)) continue;
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                blocked = "add-ons run as users of their own and cannot reach " + addonsRoot + " because " + p
                        + " is closed to other users: run `chmod o+x " + p + "` (search only, no listing) or give the gateway a data folder elsewhere";
                LOG.log(System.Logger.Level.WARNING, blocked);
                break;
            }
        }
        Files.createDirectories(addonsRoot);
        for (Path p = addonsRoot; p.startsWith(dataDir); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PASS_THROUGH);
            if (p.equals(dataDir)) break;
        }
        if (!addonsRoot.startsWith(dataDir)) Files.setPosixFilePermissions(addonsRoot, PASS_THROUGH);
        try (Stream<Path> top = Files.list(dataDir)) {
            for (Path p : top.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith("lichen.db") || n.equals("mqtt") || n.equals("ingest-journal")) closeTree(p);
            }
        }
        try (Stream<Path> top = Files.list(addonsRoot)) {
            for (Path p : top.toList()) {
                if (Files.isRegularFile(p, NOFOLLOW)) Files.setPosixFilePermissions(p, OWNER_ONLY);
            }
        }
    }

    private static void closeTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                if (!Files.isSymbolicLink(p)) Files.setPosixFilePermissions(p, Files.isDirectory(p, NOFOLLOW) ? OWNER_DIR : OWNER_ONLY);
            }
        }
    }

    /**
     * Gives an add-on's folder to its user: the folder and its unpacked versions readable by the
     * add-on's group only (root owns them, so the add-on cannot change its own code), its work
     * folder (and the training folder, when given) writable by the add-on alone.
     */
    void prepare(String id, Path addonDir, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        if (!enabled) return;
        int u = uid(id);
        try (Stream<Path> all = Files.walk(addonDir)) {
            for (Path p : all.toList()) {
                if (Files.isSymbolicLink(p)) continue;
                boolean dir = Files.isDirectory(p, NOFOLLOW);
                Path rel = addonDir.relativize(p);
                boolean own = p.startsWith(workDir) || rel.getName(0).toString().startsWith(".training");
                Files.setAttribute(p, "unix:uid", own ? u : 0, NOFOLLOW);
                Files.setAttribute(p, "unix:gid", u, NOFOLLOW);
                Files.setPosixFilePermissions(p, own ? (dir ? OWNER_DIR : OWNER_ONLY) : (dir ? GROUP_READ_DIR : GROUP_READ_FILE));
            }
        }
    }

    /** After a training run: a file the add-on wrote becomes root's and read-only to the add-on. */
    void seal(String id, Path file) throws IOException {
        if (!enabled || !Files.exists(file)) return;
        Files.setAttribute(file, "unix:uid", 0, NOFOLLOW);
        Files.setAttribute(file, "unix:gid", uid(id), NOFOLLOW);
        Files.setPosixFilePermissions(file, GROUP_READ_FILE);
    }
}
