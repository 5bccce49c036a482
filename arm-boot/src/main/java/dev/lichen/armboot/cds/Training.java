package dev.lichen.armboot.cds;

import dev.lichen.appliance.SensorCommand;
import dev.lichen.runtime.system.Init;
import dev.lichen.runtime.system.Linux;
import dev.lichen.runtime.system.Sntp;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;

/**
 * The class-list training run, a host JVM started by {@link ClassArchive} with the image's jars
 * and {@code -XX:DumpLoadedClassList}: it loads what PID 1 loads up to the appliance's first
 * reading. Init's own classes are loaded (not run: they mount and reboot), the FFM path is
 * exercised with a call that changes nothing, then the appliance runs with the image's config on
 * the bench board against the builder's training gateway. The builder ends it through stdin,
 * once the appliance has stored its first acknowledgement: the run then loads {@link End}, whose
 * line marks the end of the list, and halts without running the appliance's shutdown hooks (what
 * they load depends on where the appliance happened to be, and PID 1 never loads it to boot).
 */
public final class Training {
    private Training() {}

    /** Loaded (never initialized) as the run ends: the class list's lines after it are not the boot's. */
    static final class End {
        private End() {}
    }

    public static void main(String[] args) throws Exception {
        Thread.ofPlatform().daemon().name("end").start(() -> {
            try {
                System.in.read(); // a line or EOF from the builder: the first reading has been acknowledged
            } catch (IOException e) {
                // the builder is gone: end too
            }
            try {
                Class.forName(End.class.getName(), false, Training.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            Runtime.getRuntime().halt(0);
        });
        loadInitClasses();
        ProcessHandle.current().pid(); // Init's PID-1 check (Machine.isInit), its first step at boot
        Linux.umask(Linux.umask(022)); // links the one downcall handle all of Init's system calls share
        failingSystemCalls();
        loadGuestAbi();
        blockOnVirtualThread();
        int rc = SensorCommand.runAppliance(Path.of(args[0]), Optional.of("arm64-virt"), new PrintWriter(System.err, true));
        if (rc != 0) System.exit(3);
    }

    /**
     * Init's kinds of system call that change nothing when they fail: a path argument and errno
     * (an unmount of a path that does not exist), an interface request (the hardware address of
     * an interface that does not exist). What they load (C strings, struct access) Init loads as
     * it mounts and brings up the network.
     */
    private static void failingSystemCalls() {
        try {
            Linux.umount("/nonexistent-lichen-training");
            throw new AssertionError("unmounted a path that does not exist");
        } catch (Linux.SyscallException e) {
            // ENOENT, as meant
        }
        try {
            new dev.lichen.runtime.system.Ipv4Interface("lichen-none0").hardwareAddress();
            throw new AssertionError("an interface that does not exist has an address");
        } catch (Linux.SyscallException e) {
            // ENODEV, as meant
        }
    }

    /**
     * The FFM linker's classes for the guest's CPU: this run links Init's downcall on the build
     * machine's CPU, whose classes the guest never loads; java.base holds every CPU's.
     */
    private static void loadGuestAbi() throws IOException, ClassNotFoundException {
        var jrt = java.nio.file.FileSystems.getFileSystem(java.net.URI.create("jrt:/"));
        Path abi = jrt.getPath("/modules/java.base/jdk/internal/foreign/abi/aarch64");
        List<String> names;
        try (var files = java.nio.file.Files.walk(abi)) {
            names = files.map(Path::toString).filter(n -> n.endsWith(".class")).sorted().toList();
        }
        for (String n : names) {
            String name = n.substring("/modules/java.base/".length(), n.length() - 6).replace('/', '.');
            Class.forName(name, false, null);
        }
    }

    /**
     * What Init's network thread loads as it waits for DHCP and SNTP answers: the SNTP client's
     * own wait (the one DHCP shares, Datagrams.receiveBefore), on a virtual thread, against a
     * loopback socket that never answers.
     */
    private static void blockOnVirtualThread() throws IOException, InterruptedException {
        try (var silent = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().name("training-poll").start(() -> {
                try {
                    Sntp.query(new java.net.InetSocketAddress(silent.getLocalAddress(), silent.getLocalPort()), java.time.Duration.ofMillis(20));
                    throw new AssertionError("nobody answers on the training's silent socket");
                } catch (java.net.SocketTimeoutException e) {
                    // the wait ran out, as meant
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).join();
        }
    }

    /**
     * A class file of Init's package itself (not package-info, not a subpackage): what this run
     * loads without running, and whose lambdas ClassArchive adds to the list. Here, not in
     * ClassArchive: loading that class would load {@link End} (its END_MARK) and end the list.
     */
    static boolean inInitPackage(String entry) {
        String p = "dev/lichen/runtime/system/";
        return entry.startsWith(p) && entry.endsWith(".class") && entry.indexOf('/', p.length()) < 0 && !entry.contains("-");
    }

    /** Every class of Init's package (dev.lichen.runtime.system), loaded without running any. */
    private static void loadInitClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path jar = Path.of(Init.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarFile j = new JarFile(jar.toFile())) {
            for (String name : j.stream().map(e -> e.getName()).filter(Training::inInitPackage).sorted().toList()) {
                Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, Training.class.getClassLoader());
            }
        }
    }
}
