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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes); Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                String name = dir.relativize(f).toString().replace('\\', '/');
                JarEntry e = new JarEntry(name);
                e.setTimeLocal(java.time.LocalDateTime.of(1980, 1, 1, 0, 0)); // DOS time only: no zone, no extra field
                jar.putNextEntry(e);
                jar.write(Files.readAllBytes(f));
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
