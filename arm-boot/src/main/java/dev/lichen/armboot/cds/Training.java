package dev.lichen.armboot.cds;

import dev.lichen.appliance.SensorCommand;
import dev.lichen.runtime.system.Init;
import dev.lichen.runtime.system.Linux;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
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
        Linux.umask(Linux.umask(022)); // links the one downcall handle all of Init's system calls share
        int rc = SensorCommand.runAppliance(Path.of(args[0]), Optional.of("arm64-virt"), new PrintWriter(System.err, true));
        if (rc != 0) System.exit(3);
    }

    /** Every class of Init's package (dev.lichen.runtime.system), loaded without running any. */
    private static void loadInitClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path jar = Path.of(Init.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarFile j = new JarFile(jar.toFile())) {
            for (String name : j.stream().map(e -> e.getName()).filter(n -> n.startsWith("dev/lichen/runtime/system/")
                    && n.endsWith(".class") && !n.contains("-")).sorted().toList()) {
                Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, Training.class.getClassLoader());
            }
        }
    }
}
