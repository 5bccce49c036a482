package dev.lichen.armboot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The program an image runs: its main class, arguments and class path (jars, or class folders
 * which are jarred deterministically). The class path must hold dev.lichen.runtime.system.Init
 * (device-runtime), which runs the main as PID 1.
 */
public record Appliance(String mainClass, List<String> args, List<Path> classpath) {
    public static final String SENSOR_MAIN = "dev.lichen.runtime.system.ApplianceMain";

    /**
     * The sensor appliance as this build of Lichen has it: device-runtime, sensors and their
     * dependencies, found on the running class path by the artifact list Maven wrote at build time.
     */
    public static Appliance sensor(List<String> args) {
        Set<String> names = new TreeSet<>();
        try (InputStream in = Appliance.class.getResourceAsStream("appliance-artifacts.txt")) {
            if (in == null) throw new BuildException("arm-boot was built without its appliance-artifacts.txt: rebuild with mvn package");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] g = line.trim().split(":");
                if (g.length >= 5) names.add(g[1] + "-" + g[g.length - 2]); // artifactId-version
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Path> cp = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            String f = p.getFileName().toString();
            boolean ours = e.contains("/device-runtime/target/") || f.startsWith("device-runtime-")
                    || e.contains("/sensors/target/") || f.startsWith("sensors-");
            boolean dep = names.stream().anyMatch(n -> f.startsWith(n) && f.endsWith(".jar"));
            if (ours || dep) cp.add(p);
        }
        return new Appliance(SENSOR_MAIN, args, cp);
    }

    /**
     * The image's own first jar: slf4j-simple's settings for the appliance's log on the serial
     * console. SLF4J looks up simplelogger.properties on the class path as it starts, and a look-up
     * that finds nothing opens every jar (~0.5 s of the boot under emulation); first on the class
     * path, this jar ends the look-up at once.
     */
    public static Jar imageJar() {
        String log = """
                # the sensor appliance's log (slf4j-simple) on the serial console
                org.slf4j.simpleLogger.logFile=System.err
                org.slf4j.simpleLogger.defaultLogLevel=info
                org.slf4j.simpleLogger.showThreadName=true
                org.slf4j.simpleLogger.showLogName=true
                """;
        try {
            return new Jar(IMAGE_JAR, jar(new java.util.TreeMap<>(java.util.Map.of("simplelogger.properties", log.getBytes(StandardCharsets.UTF_8)))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static final String IMAGE_JAR = "lichen-image.jar";

    /** Each class path entry as (file name, bytes): jars as they are, folders jarred with sorted entries and fixed times. */
    public List<Jar> jars() {
        List<Jar> out = new ArrayList<>();
        for (Path p : classpath) {
            try {
                if (Files.isDirectory(p)) out.add(new Jar(jarName(p), jarFolder(p)));
                else out.add(new Jar(p.getFileName().toString(), Files.readAllBytes(p)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read class path entry " + p, e);
            }
        }
        return out;
    }

    public record Jar(String name, byte[] bytes) {}

    private static String jarName(Path dir) {
        // target/classes of module M -> M.jar
        Path module = dir.getParent() != null && dir.getParent().getParent() != null ? dir.getParent().getParent() : dir;
        return module.getFileName() + (dir.getFileName().toString().equals("test-classes") ? "-tests" : "") + ".jar";
    }

    static byte[] jarFolder(Path dir) throws IOException {
        java.util.SortedMap<String, byte[]> entries = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                entries.put(dir.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
            }
        }
        return jar(entries);
    }

    /** A jar of these entries, sorted, with fixed times: the same entries give the same bytes. */
    static byte[] jar(java.util.SortedMap<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            for (var entry : entries.entrySet()) {
                JarEntry e = new JarEntry(entry.getKey());
                e.setTimeLocal(java.time.LocalDateTime.of(1980, 1, 1, 0, 0)); // DOS time only: no zone, no extra field
                jar.putNextEntry(e);
                jar.write(entry.getValue());
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /**
     * JVM options that name each service provider the jars hold, so that the appliance at boot
     * never looks for {@code META-INF/services} files: a look-up opens every jar on the class path
     * (~0.5 s of the boot under emulation). Lichen's own services go to
     * {@code -Dlichen.providers.<service>} (read by device-runtime's {@code Providers}), SLF4J's
     * binding to {@code -Dslf4j.provider}. In class path order, as ServiceLoader would find them.
     */
    static List<String> providerOptions(List<Jar> jars) {
        java.util.SequencedMap<String, List<String>> services = new java.util.LinkedHashMap<>();
        for (Jar j : jars) {
            try (var in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(j.bytes()))) {
                for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    String n = e.getName();
                    if (!n.startsWith(SERVICES) || n.length() == SERVICES.length() || n.endsWith("/")) continue;
                    String service = n.substring(SERVICES.length());
                    if (!service.startsWith("dev.lichen.") && !service.equals(SLF4J_PROVIDER)) continue;
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                        String provider = line.replaceAll("#.*", "").strip();
                        List<String> list = services.computeIfAbsent(service, k -> new ArrayList<>());
                        if (!provider.isEmpty() && !list.contains(provider)) list.add(provider);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the jar " + j.name(), e);
            }
        }
        List<String> out = new ArrayList<>();
        services.forEach((service, providers) -> {
            if (service.equals(SLF4J_PROVIDER)) {
                // SLF4J takes one; with several it would pick the first ServiceLoader finds
                if (!providers.isEmpty()) out.add("-Dslf4j.provider=" + providers.getFirst());
            } else {
                out.add("-D" + dev.lichen.runtime.system.Providers.PROPERTY_PREFIX + service + "=" + String.join(",", providers));
            }
        });
        return out;
    }

    private static final String SERVICES = "META-INF/services/";
    private static final String SLF4J_PROVIDER = "org.slf4j.spi.SLF4JServiceProvider";
}
