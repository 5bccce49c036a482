package dev.lichen.armboot.jlink;

import dev.lichen.armboot.BuildException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Links the appliance's Java runtime for arm64: jdeps (of the JDK running the build) names the
 * modules the appliance's jars use, and that JDK's jlink links them from Debian's arm64 jmods,
 * which jlink accepts because both are release 25. Debug files are left out: Debian's jmods carry
 * separate .debuginfo files larger than the runtime itself.
 */
public final class RuntimeLinker {
    /** Modules the init layer and a headless appliance always need, whatever jdeps sees. */
    public static final Set<String> ALWAYS = Set.of("java.base");
    /**
     * Modules that these libraries reference but an appliance never runs, so their references do
     * not count: java.desktop (JNA's AWT window handles; Jackson's java.beans lookups, which it
     * guards), java.security.jgss (Kerberos, for JSch's SSH, which Pi4J's linuxfs plugin drags in),
     * java.sql and java.xml (Jackson's optional java.sql.Date and DOM support: databind's
     * module-info says "requires static") and java.prefs (only Paho's MQTT-over-WebSocket code;
     * the appliance's MQTT uplink is tcp or ssl): 11.5 MB of lib/modules. Any other jar that uses
     * one of these modules still gets it. The QEMU tests run the sensor appliance (CoAP) without
     * them; its MQTT uplink was run on the host with --limit-modules java.base,java.logging.
     */
    public static final Set<String> NEVER = Set.of("java.desktop", "java.security.jgss", "java.sql", "java.prefs", "java.xml");
    private static final List<String> OPTIONAL_USERS = List.of("jna-", "jackson-databind-", "jsch-", "org.eclipse.paho.");

    private RuntimeLinker() {}

    /** The modules the jars need (jdeps --list-deps), plus {@link #ALWAYS}. */
    public static SortedSet<String> modulesFor(List<Path> jars) {
        SortedSet<String> modules = new TreeSet<>(ALWAYS);
        for (String m : jdepsModules(jars, jars)) if (!NEVER.contains(m)) modules.add(m);
        List<Path> others = jars.stream().filter(j -> OPTIONAL_USERS.stream().noneMatch(j.getFileName().toString()::startsWith)).toList();
        if (!others.isEmpty()) modules.addAll(jdepsModules(others, jars));
        return modules;
    }

    /**
     * jdeps --list-deps of {@code targets}, their dependencies resolved on {@code path}: every module
     * used, not the reduced list of --print-module-deps, which leaves out what a module it lists
     * requires transitively (java.logging behind java.sql) and so would lose it with java.sql.
     */
    private static List<String> jdepsModules(List<Path> targets, List<Path> path) {
        String cp = path.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator));
        // modular jars (Pi4J) are read as modules: their requires resolve on the module path
        List<String> args = new ArrayList<>(List.of("--multi-release", "25", "--ignore-missing-deps", "--list-deps",
                "--module-path", cp, "--class-path", cp));
        targets.forEach(j -> args.add(j.toString()));
        // one module per indented line, after any warnings (split packages); internal-API lines hold a '/';
        // the jars' own modules (Pi4J, Jackson...) are listed too: only the JDK's go to jlink
        var jdk = java.lang.module.ModuleFinder.ofSystem();
        return run("jdeps", args).lines().filter(l -> l.startsWith("   ")).map(String::trim)
                .filter(m -> !m.contains("/") && jdk.find(m).isPresent()).toList();
    }

    /** Module names in a folder of .jmod files. */
    public static SortedSet<String> available(Path jmods) {
        try (Stream<Path> s = Files.list(jmods)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jmod"))
                    .map(n -> n.substring(0, n.length() - 5)).collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + jmods, e);
        }
    }

    /**
     * Links the modules into {@code output} (which must not exist), or names the modules the jmods lack.
     * lib/modules is left uncompressed: the initramfs's xz compresses the class files far better
     * than jlink's per-resource zip (measured: 37.5 MB raw, 16.3 MB zip-6, 8.5 MB xz preset 1),
     * and the JVM then reads classes without inflating them.
     */
    public static void link(Path jmods, SortedSet<String> modules, Path output) {
        SortedSet<String> missing = new TreeSet<>(modules);
        missing.removeAll(available(jmods));
        if (!missing.isEmpty())
            throw new BuildException("the appliance needs Java module(s) " + missing + " which the arm64 runtime ("
                    + jmods + ") does not have: remove that dependency from the appliance");
        runProcess("jlink", List.of("--module-path", jmods.toString(), "--add-modules", String.join(",", modules),
                "--output", output.toString(), "--strip-java-debug-attributes", "--no-header-files", "--no-man-pages",
                "--exclude-files=**.debuginfo", "--compress=zip-0"));
    }

    /**
     * jlink runs in its own process: run twice inside one JVM it wrote different lib/modules
     * headers (measured), which would break reproducible images.
     */
    private static void runProcess(String tool, List<String> args) {
        Path exe = Path.of(System.getProperty("java.home"), "bin", tool);
        if (!Files.isExecutable(exe))
            throw new BuildException(tool + " is not in " + System.getProperty("java.home") + ": build images with a full JDK 25 (for example Temurin 25)");
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int rc = p.waitFor();
            if (rc != 0) throw new BuildException(tool + " failed (exit " + rc + "): " + out.strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + exe, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted while running " + tool, e);
        }
    }

    private static String run(String tool, List<String> args) {
        ToolProvider t = ToolProvider.findFirst(tool).orElseThrow(() ->
                new BuildException(tool + " is not in this JDK: build images with a full JDK 25 (for example Temurin 25)"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = t.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
        if (rc != 0) throw new BuildException(tool + " failed (exit " + rc + "): " + (err + out.toString()).strip());
        return out.toString();
    }
}
