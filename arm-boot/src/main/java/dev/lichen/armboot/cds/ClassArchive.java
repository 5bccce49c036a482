package dev.lichen.armboot.cds;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lichen.armboot.BuildException;
import dev.lichen.armboot.Derived;
import dev.lichen.armboot.Progress;
import dev.lichen.armboot.initramfs.Cpio;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;

/**
 * The image's static AppCDS archive: the JDK's and the appliance's classes that PID 1 loads up to
 * the first reading, parsed, verified and laid out by the arm64 JVM itself, so the guest maps them
 * instead of loading ~3,000 classes under emulation.
 *
 * <p>Two steps. The class list comes from a {@link Training} run on the build machine's own JVM
 * (the same Java release, the image's jars, the same flags): class names do not depend on the CPU,
 * and it takes seconds where the arm64 JVM under emulation takes a minute. The archive is dumped
 * by the image's own arm64 runtime under Debian's qemu-user, in the staged initramfs tree (its
 * C runtime through {@code -L}, the jars by PID 1's class path, relative to its working folder), so
 * the jar paths, sizes and mtimes it records are the ones the guest has, and with PID 1's flags:
 * CDS refuses an archive whose class path or flags differ.
 */
public final class ClassArchive {
    /** Where the guest finds the archive. */
    public static final String GUEST_PATH = "/usr/lib/lichen/app.jsa";
    static final long TRAINING_SECONDS = 40;
    static final long QUIET_MS = 400;
    /**
     * What the dump would otherwise take from the build machine, and which changes the archive's
     * bytes: heap size (1/4 of its memory), processor count; and the JIT's timing.
     */
    static final List<String> DUMP_FLAGS = List.of("-Xms128m", "-Xmx128m", "-XX:ActiveProcessorCount=1", "-Xint");
    /** The training run's last line: it loads this class as it ends (see {@link Training}). */
    static final String END_MARK = Training.End.class.getName().replace('.', '/') + " ";
    /** A class every training run that ended as meant (at a reading or the start line) has loaded. */
    private static final String APPLIANCE_CLASS = "dev/lichen/appliance/SensorAppliance";

    private ClassArchive() {}

    /** qemu-aarch64 on the PATH, or a build error saying what to install. */
    public static Path qemuUser(String pathVariable) {
        for (String dir : (pathVariable == null ? "" : pathVariable).split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, "qemu-aarch64");
            if (Files.isExecutable(p)) return p;
        }
        throw new BuildException("qemu-aarch64 is not on the PATH: the image's class archive (AppCDS: a quarter of the boot "
                + "time under QEMU) is dumped by the arm64 JVM under qemu-user. Install Debian's qemu-user package "
                + "(apt-get install qemu-user), or build without the archive with --no-class-archive");
    }

    /**
     * Makes the archive. {@code tree} is the staged initramfs (runtime, C runtime, jars at their
     * guest paths); {@code jvmOptions} and {@code classpath} are exactly PID 1's.
     *
     * <p>The archive is kept in {@code cache} under a hash of everything the dump reads (the
     * tree, the class list, the flags, the class path) and reused by a build of the same inputs:
     * CI saw two dumps of the same inputs differ (on a machine busy with other tests; never
     * reproduced here in ~20 dumps under load), so a second build takes the first's archive
     * instead of trusting a second dump to give the same bytes.
     */
    public static byte[] build(Path qemu, Cpio tree, String runtimeDir, Path runtime, List<String> jvmOptions, List<String> classpath,
                               byte[] config, long mtime, Path work, Path cache, Progress progress) throws IOException, InterruptedException {
        Path root = Files.createDirectories(work.resolve("root"));
        stage(tree, root, mtime);
        List<String> classes = new ArrayList<>(classList(root, modules(runtime), jvmOptions, classpath, config, work, progress));
        int listed = (int) classes.stream().filter(l -> !l.startsWith("@")).count();
        classes.addAll(resolvable(classes, runtime, root, classpath));
        Path list = Files.write(work.resolve("classlist"), classes);
        String name = inputsKey(tree, classes, jvmOptions, classpath, mtime) + "-app.jsa";
        boolean reused = Files.isRegularFile(Derived.path(cache, name));
        long t0 = System.nanoTime();
        byte[] bytes = Derived.get(cache, name, () -> dump(qemu, root, runtimeDir, jvmOptions, classpath, list, work, listed, progress));
        keepForDiagnosis(work, root);
        progress.step("class archive: " + listed + " classes listed, " + Progress.mib(bytes.length) + (reused
                ? ", made by an earlier build of the same inputs (" + Derived.path(cache, name) + ")"
                : " (" + (System.nanoTime() - t0) / 1_000_000 + " ms under qemu-aarch64)"));
        return bytes;
    }

    /** The dump itself: the image's arm64 JVM under qemu-user, in the staged tree. */
    private static byte[] dump(Path qemu, Path root, String runtimeDir, List<String> jvmOptions, List<String> classpath, Path list,
                               Path work, int classes, Progress progress) throws IOException, InterruptedException {
        Path archive = work.resolve("app.jsa");
        List<String> cmd = new ArrayList<>(List.of(qemu.toString(), "-L", root.toString(),
                root.resolve(runtimeDir).resolve("bin/java").toString(), "-Xshare:dump"));
        cmd.addAll(DUMP_FLAGS);
        cmd.addAll(List.of("-XX:SharedClassListFile=" + list, "-XX:SharedArchiveFile=" + archive));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", String.join(":", classpath)));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("dump.log").toFile()).start();
        while (!p.waitFor(10, TimeUnit.SECONDS))
            progress.step("  class archive: the arm64 JVM is dumping " + classes + " classes under qemu-aarch64, "
                    + (System.nanoTime() - t0) / 1_000_000_000 + " s");
        if (p.exitValue() != 0 || !Files.isRegularFile(archive))
            throw new BuildException("the class archive dump failed (exit " + p.exitValue() + "): " + tail(Files.readString(work.resolve("dump.log"))));
        return Files.readAllBytes(archive);
    }

    /** With -Dlichen.cds.keep=DIR, the class list, the logs and the staged tree are kept there. */
    private static void keepForDiagnosis(Path work, Path root) throws IOException {
        String keep = System.getProperty("lichen.cds.keep");
        if (keep == null) return;
        for (String f : List.of("classlist", "dump.log", "training.log", "training.classlist"))
            if (Files.exists(work.resolve(f)))
                Files.copy(work.resolve(f), Files.createDirectories(Path.of(keep)).resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        if (!Files.exists(Path.of(keep, "root"))) Files.move(root, Path.of(keep, "root"));
    }

    /** SHA-256 (hex) of what the dump reads: the staged tree, the class list, the flags and class path, the mtime. */
    static String inputsKey(Cpio tree, List<String> classes, List<String> jvmOptions, List<String> classpath, long mtime) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            java.util.function.Consumer<String> text = t -> {
                byte[] b = t.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                md.update(java.nio.ByteBuffer.allocate(4).putInt(b.length).array());
                md.update(b);
            };
            text.accept("lichen-cds-1 " + String.join(" ", DUMP_FLAGS) + " mtime " + mtime);
            jvmOptions.forEach(text);
            classpath.forEach(text);
            classes.forEach(text);
            for (Cpio.Entry e : tree.entries()) {
                text.accept(e.path() + " " + e.mode() + " " + e.rdevMajor() + ":" + e.rdevMinor());
                md.update(java.nio.ByteBuffer.allocate(4).putInt(e.data().length).array());
                md.update(e.data());
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The initramfs tree as files, every mtime the cpio's (CDS checks the jars' mtimes); absolute links made relative to root. */
    static void stage(Cpio tree, Path root, long mtime) throws IOException {
        FileTime t = FileTime.from(mtime, TimeUnit.SECONDS);
        List<Path> dirs = new ArrayList<>();
        for (Cpio.Entry e : tree.entries()) {
            Path p = root.resolve(e.path());
            switch (e.mode() & 0170000) {
                case 0040000 -> dirs.add(Files.createDirectories(p));
                case 0100000 -> {
                    Files.write(p, e.data());
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString((e.mode() & 0111) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
                    Files.setLastModifiedTime(p, t);
                }
                case 0120000 -> {
                    String target = new String(e.data(), java.nio.charset.StandardCharsets.UTF_8);
                    Files.createSymbolicLink(p, Path.of(target.startsWith("/") ? root + target : target));
                }
                default -> { } // device nodes: the dump opens none
            }
        }
        for (Path d : dirs) Files.setLastModifiedTime(d, t);
    }

    /**
     * The classes loaded up to the first reading, by a training run on this machine's JVM. Sorted
     * and stripped of the run's ids, so the list (and the dump) depends on which classes, not on
     * the order threads happened to load them in.
     */
    /** The device.json's gateway as the training run uses it: this machine's training gateway, on coapPort. */
    static void trainAgainst(ObjectNode g, int coapPort) {
        if (!g.path("uplink").asText().equals("mqtt")) {
            // coaps trains as coap: the DTLS handshake's classes load as the appliance first connects
            g.put("uplink", "coap").put("host", "127.0.0.1").put("port", coapPort);
            g.remove("psk");
            g.remove("caFile"); // the image's CA path is not on this machine, and plain coap takes none
        } else {
            g.put("host", "127.0.0.1").put("port", 9); // the discard port: nobody answers; the list ends at the start line
            // the image's CA path is not on this machine; the run never gets past connecting anyway
            if (g.has("caFile")) {
                g.remove("caFile");
                g.put("tls", true);
            }
        }
    }

    static List<String> classList(Path root, List<String> modules, List<String> jvmOptions, List<String> classpath, byte[] config,
                                  Path work, Progress progress) throws IOException, InterruptedException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = (ObjectNode) json.readTree(config);
        Path data = Files.createDirectories(work.resolve("training-data"));
        c.put("dataDir", data.toString());
        CountDownLatch firstReading = new CountDownLatch(1);
        CoapServer gateway = trainingGateway(firstReading);
        try {
            ObjectNode g = (ObjectNode) c.path("gateway");
            boolean coap = !g.path("uplink").asText().equals("mqtt");
            trainAgainst(g, gateway.getEndpoints().getFirst().getAddress().getPort());
            Path cfg = Files.write(work.resolve("training.json"), json.writeValueAsBytes(c));
            Path list = work.resolve("training.classlist");
            String self = Path.of(ClassArchive.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            List<String> cp = new ArrayList<>();
            for (String j : classpath) cp.add(root.resolve(j).toString());
            cp.add(self);
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xshare:off", "-XX:DumpLoadedClassList=" + list));
            // the image's modules only, so the JDK takes the paths it takes there (e.g. without jdk.net,
            // other socket-option classes)
            cmd.addAll(List.of("--limit-modules", String.join(",", modules)));
            cmd.addAll(jvmOptions);
            cmd.addAll(List.of("-cp", String.join(File.pathSeparator, cp), Training.class.getName(), cfg.toString()));
            Path log = work.resolve("training.log");
            long t0 = System.nanoTime();
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            // PID 1's environment (the kernel's: HOME, TERM; no locale), so the run picks the charsets PID 1 does
            pb.environment().clear();
            pb.environment().putAll(java.util.Map.of("HOME", "/", "TERM", "linux"));
            Process p = pb.start();
            boolean reading = false;
            long end = t0 + TimeUnit.SECONDS.toNanos(TRAINING_SECONDS);
            while (p.isAlive() && System.nanoTime() < end) {
                if (firstReading.await(200, TimeUnit.MILLISECONDS)) {
                    // the acknowledgement's way back through the uplink to the outbox, which stores it
                    Path acked = data.resolve("outbox").resolve("acked");
                    while (p.isAlive() && !Files.exists(acked) && System.nanoTime() < end) Thread.sleep(20);
                    reading = Files.exists(acked);
                    awaitQuiet(list, p, end);
                    break;
                }
                if (!coap && Files.readString(log).contains(" starting: boot ")) {
                    awaitQuiet(list, p, end);
                    break;
                }
            }
            try (OutputStream in = p.getOutputStream()) {
                in.write('\n');
            } catch (IOException e) {
                // it ended already
            }
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BuildException("the class-list training run did not end: " + tail(Files.readString(log)));
            }
            if (p.exitValue() != 0) // e.g. a chip without a bench model: the list holds what loaded until then
                progress.step("class list: THE TRAINING RUN ENDED EARLY (exit " + p.exitValue() + "), the archive holds what it "
                        + "loaded until then; its log:\n" + tail(Files.readString(log)));
            // Init's lambdas first: the run's list ends at the training's end mark
            List<String> run = new ArrayList<>();
            for (String j : classpath) run.addAll(initLambdas(root.resolve(j)));
            if (Files.exists(list)) run.addAll(Files.readAllLines(list));
            List<String> classes = normalize(run);
            // the list ends at the training's end mark: a class loaded early that loads the mark too
            // (one whose static state names Training.End) would cut it to a fraction, silently
            if (p.exitValue() == 0 && !classes.contains(APPLIANCE_CLASS))
                throw new BuildException("the class list of the training run lacks " + APPLIANCE_CLASS + " (" + classes.size()
                        + " entries): it was cut short; keep it with -Dlichen.cds.keep=DIR and look for " + END_MARK.strip());
            progress.step("class list: " + classes.size() + " classes loaded up to " + (reading ? "the first reading" : "the start line")
                    + " in a training run on this machine (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");
            return classes;
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        } finally {
            gateway.destroy();
        }
    }

    /**
     * Waits until the training run has loaded no class for {@link #QUIET_MS} (the JVM writes the
     * list a line per class as it loads): on a busy build machine the appliance's sampler can still
     * be in its first round when the first acknowledgement is stored, and what it loads next
     * belongs to the boot as much as what it loaded before.
     */
    private static void awaitQuiet(Path list, Process p, long endNanos) throws IOException, InterruptedException {
        long size = -1;
        long since = System.nanoTime();
        while (p.isAlive() && System.nanoTime() < endNanos) {
            long now = Files.exists(list) ? Files.size(list) : 0;
            if (now != size) {
                size = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= TimeUnit.MILLISECONDS.toNanos(QUIET_MS)) {
                return;
            }
            Thread.sleep(25);
        }
    }

    /** The Java modules of a linked runtime, from its release file (MODULES="java.base ..."). */
    static List<String> modules(Path runtime) throws IOException {
        for (String l : Files.readAllLines(runtime.resolve("release"))) {
            if (l.startsWith("MODULES=")) return List.of(l.substring("MODULES=".length()).replace("\"", "").trim().split(" +"));
        }
        throw new BuildException("the linked runtime's release file names no MODULES: " + runtime.resolve("release"));
    }

    /**
     * {@code @cp} lines for the listed classes: each one's constant-pool entries of the kinds a dump
     * with -XX:+AOTClassLinking resolves ahead of time (classes, fields, methods, invokedynamic),
     * read from the image's own class files (the linked runtime's modules through its jrt-fs.jar,
     * then the jars in class-path order). The JVM resolves only those whose resolution is the same
     * at every run (targets archived and loaded by the built-in loaders; lambdas only) and skips the
     * rest, so the archive holds the call sites linked and the boot does not link them one by one
     * (0.4-0.7 s of the boot to the first reading in QEMU). All entries rather than the training
     * run's own {@code @cp} lines: which entries a run resolves varies between runs (a lock's
     * contended path, a hash table's growth), and so did the archive; the training JVM's JDK is
     * also not the image's build, so its indices do not all fit.
     */
    static List<String> resolvable(List<String> classList, Path runtime, Path root, List<String> classpath) throws IOException {
        List<java.util.zip.ZipFile> jars = new ArrayList<>();
        try (var jrt = java.nio.file.FileSystems.newFileSystem(java.net.URI.create("jrt:/"), java.util.Map.of("java.home", runtime.toString()))) {
            List<Path> modules;
            try (var s = Files.list(jrt.getPath("/modules"))) {
                modules = s.sorted().toList();
            }
            for (String j : classpath) jars.add(new java.util.zip.ZipFile(root.resolve(j).toFile()));
            List<String> out = new ArrayList<>();
            for (String name : classList) {
                if (name.startsWith("@")) continue;
                byte[] bytes = classBytes(name + ".class", modules, jars);
                if (bytes == null) continue; // made at run time (SystemModules$default...): nothing to resolve ahead
                StringBuilder line = new StringBuilder("@cp ").append(name);
                int n = 0;
                for (var e : java.lang.classfile.ClassFile.of().parse(bytes).constantPool()) {
                    if (e instanceof java.lang.classfile.constantpool.ClassEntry || e instanceof java.lang.classfile.constantpool.MemberRefEntry
                            || e instanceof java.lang.classfile.constantpool.InvokeDynamicEntry) {
                        line.append(' ').append(e.index());
                        n++;
                    }
                }
                if (n > 0) out.add(line.toString());
            }
            return out;
        } finally {
            for (var z : jars) z.close();
        }
    }

    private static byte[] classBytes(String file, List<Path> modules, List<java.util.zip.ZipFile> jars) throws IOException {
        for (Path m : modules) {
            Path p = m.resolve(file);
            if (Files.isRegularFile(p)) return Files.readAllBytes(p);
        }
        for (var z : jars) {
            var e = z.getEntry(file);
            if (e != null) try (var in = z.getInputStream(e)) {
                return in.readAllBytes();
            }
        }
        return null;
    }

    /**
     * The lambdas of Init's package ({@code dev.lichen.runtime.system}) as class-list lines, read
     * from a jar's class files: the training loads those classes but cannot run them (they mount,
     * load modules, reboot), so without these lines each of their lambdas was spun at boot (19 in
     * a boot with class loading logged, ~20 ms each under emulation, most on Init's own thread).
     * Only LambdaMetafactory.metafactory call sites: the form the JVM writes for them.
     */
    static List<String> initLambdas(Path jar) throws IOException {
        List<String> out = new ArrayList<>();
        try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
            for (var e : zip.stream().filter(e -> Training.inInitPackage(e.getName())).toList()) {
                java.lang.classfile.ClassModel c;
                try (var in = zip.getInputStream(e)) {
                    c = java.lang.classfile.ClassFile.of().parse(in.readAllBytes());
                }
                for (java.lang.classfile.MethodModel m : c.methods()) {
                    if (m.code().isEmpty()) continue;
                    for (java.lang.classfile.CodeElement ce : m.code().get()) {
                        if (ce instanceof java.lang.classfile.instruction.InvokeDynamicInstruction indy) {
                            lambdaLine(c.thisClass().asInternalName(), indy).ifPresent(out::add);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static java.util.Optional<String> lambdaLine(String caller, java.lang.classfile.instruction.InvokeDynamicInstruction indy) {
        var bsm = indy.bootstrapMethod();
        List<java.lang.constant.ConstantDesc> args = indy.bootstrapArgs();
        if (!bsm.owner().descriptorString().equals("Ljava/lang/invoke/LambdaMetafactory;") || !bsm.methodName().equals("metafactory")
                || args.size() != 3 || !(args.get(1) instanceof java.lang.constant.DirectMethodHandleDesc impl)) {
            return java.util.Optional.empty();
        }
        String owner = impl.owner().descriptorString();
        return java.util.Optional.of(String.join(" ", "@lambda-proxy", caller, indy.name().stringValue(),
                indy.typeSymbol().descriptorString(), ((java.lang.constant.MethodTypeDesc) args.get(0)).descriptorString(),
                "REF_" + java.lang.invoke.MethodHandleInfo.referenceKindToString(impl.refKind()), owner.substring(1, owner.length() - 1),
                impl.methodName(), impl.lookupDescriptor(), ((java.lang.constant.MethodTypeDesc) args.get(2)).descriptorString()));
    }

    /**
     * Class names of the built-in loaders, sorted, without ids, then the lambda proxies they use
     * (sorted): the lambdas' classes are made at dump time, not spun in the guest; then the
     * lambda-form invokers the run used, so that the dump pre-generates those forms into the JDK's
     * holder classes (a boot with class loading logged spun 97 lambda forms without them, 39 with
     * them). The training's own classes and other loaders' classes are left out. (The run's own
     * {@code @cp} lines are not used: which entries a run resolves varies from run to run.)
     */
    static List<String> normalize(List<String> lines) {
        TreeSet<String> names = new TreeSet<>();
        TreeSet<String> lambdas = new TreeSet<>();
        TreeSet<String> invokers = new TreeSet<>();
        for (String l : lines) {
            if (l.startsWith(END_MARK)) break;
            if (l.contains("dev/lichen/armboot/") || l.contains(" source: ")) continue;
            if (l.startsWith("@lambda-proxy ")) lambdas.add(l.strip());
            else if (l.startsWith("@lambda-form-invoker ")) invokers.add(l.strip());
            else if (!l.isBlank() && !l.startsWith("#") && !l.startsWith("@")) names.add(l.split(" ")[0]);
        }
        List<String> out = new ArrayList<>(names);
        out.addAll(lambdas); // after the classes they name
        out.addAll(invokers);
        return out;
    }

    /** A CoAP gateway on the loopback that acknowledges the training run's readings. */
    private static CoapServer trainingGateway(CountDownLatch firstReading) {
        Configuration cfg = Configuration.createStandardWithoutFile();
        CoapServer server = new CoapServer(cfg);
        server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(cfg).setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build());
        server.add(new CoapResource("r") {
            @Override
            public void handlePOST(CoapExchange exchange) {
                exchange.respond(CoAP.ResponseCode.CHANGED);
                firstReading.countDown();
            }
        });
        server.start();
        return server;
    }

    private static String tail(String log) {
        String[] lines = log.strip().split("\n");
        return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 15), lines.length));
    }
}
