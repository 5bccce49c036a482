package dev.lichen.armboot;

import dev.lichen.appliance.ConfigException;
import dev.lichen.appliance.DeviceConfig;
import dev.lichen.appliance.SensorAppliance;
import dev.lichen.armboot.cds.ClassArchive;
import dev.lichen.armboot.debian.DebianArchive;
import dev.lichen.armboot.debian.Deb;
import dev.lichen.armboot.debian.PackageIndex;
import dev.lichen.armboot.disk.DiskImage;
import dev.lichen.armboot.initramfs.Cpio;
import dev.lichen.armboot.initramfs.ImageJars;
import dev.lichen.armboot.initramfs.KernelModules;
import dev.lichen.armboot.jlink.ElfStrip;
import dev.lichen.armboot.jlink.RuntimeLinker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import com.github.luben.zstd.ZstdCompressCtx;

/**
 * Builds a sensor-appliance disk image for a board from Debian trixie's arm64 packages and the
 * appliance's jars. The image is written to a temporary file beside the output and renamed at
 * the very end, so a failed build leaves nothing at the output path.
 */
public final class ImageBuilder {
    public static final String SUITE = "trixie";
    static final String RUNTIME = "usr/lib/lichen/runtime";
    static final String APP = "usr/lib/lichen/app";
    static final String MODULES = "usr/lib/lichen/modules";
    static final String LIBDIR = "usr/lib/aarch64-linux-gnu";
    static final String DATA_DIR = "/var/lib/lichen";
    static final List<String> C_RUNTIME = List.of("ld-linux-aarch64.so.1", "libc.so.6", "libm.so.6", "libgcc_s.so.1",
            "libstdc++.so.6", "libz.so.1");
    /** Every timestamp in the image: 2025-08-09, trixie's release day (cpio needs some mtime). */
    static final long FIXED_MTIME = 1754697600L;

    /** Everything a build takes. */
    public record Request(Board board, Path config, Path output, URI mirror, Path cache, Path keyring,
                          Appliance appliance, long dataBytes, java.util.Optional<StaticAddress> address, boolean classArchive) {
        public Request(Board board, Path config, Path output, URI mirror, Path cache, Path keyring, Appliance appliance,
                       long dataBytes) {
            this(board, config, output, mirror, cache, keyring, appliance, dataBytes, java.util.Optional.empty(), true);
        }
    }

    /** A fixed IPv4 address instead of DHCP: "192.168.1.50/24" and the router. */
    public record StaticAddress(String cidr, String router) {
        public StaticAddress {
            if (!cidr.matches("(\\d{1,3}\\.){3}\\d{1,3}/([0-9]|[12][0-9]|3[0-2])"))
                throw new BuildException("--address " + cidr + ": give an IPv4 address with its prefix, e.g. 192.168.1.50/24");
            if (!router.matches("(\\d{1,3}\\.){3}\\d{1,3}"))
                throw new BuildException("--router " + router + ": give the router's IPv4 address, e.g. 192.168.1.1");
        }
    }

    /** What a build made, for the caller to print. */
    public record Result(Path image, long rawBytes, long runtimeBytes, long initramfsBytes, long kernelBytes,
                         SortedSet<String> modules, SortedMap<String, Long> bootFiles, List<String> initramfsFiles) {}

    private final Progress progress;

    public ImageBuilder(Progress progress) {
        this.progress = progress;
    }

    public Result build(Request r) throws IOException {
        Config config = checkConfig(r.config(), r.board());
        Path outDir = r.output().toAbsolutePath().getParent();
        if (outDir == null || !Files.isDirectory(outDir)) throw new BuildException("the output folder " + outDir + " does not exist");
        Path work = Files.createTempDirectory("lichen-image-");
        try {
            return build(r, config, work);
        } finally {
            deleteTree(work);
        }
    }

    private Result build(Request r, Config checked, Path work) throws IOException {
        byte[] config = checked.bytes();
        Board board = r.board();
        // before any download: a build that cannot make the class archive stops at once
        Path qemuUser = r.classArchive() ? ClassArchive.qemuUser(System.getenv("PATH")) : null;
        // 1. the appliance's modules, before any download: a missing module fails fast. The jars are
        // analysed as the image carries them (ImageJars), first among them the image's own
        List<Appliance.Jar> jars = new ArrayList<>(List.of(Appliance.imageJar()));
        for (Appliance.Jar j : r.appliance().jars()) jars.add(new Appliance.Jar(j.name(), ImageJars.forArm64(j.bytes(), j.name())));
        Path jarDir = Files.createDirectories(work.resolve("jars"));
        List<Path> jarFiles = new ArrayList<>();
        for (Appliance.Jar j : jars) jarFiles.add(Files.write(jarDir.resolve(j.name()), j.bytes()));
        SortedSet<String> modules = RuntimeLinker.modulesFor(jarFiles);
        progress.step("appliance " + r.appliance().mainClass() + ": " + jars.size() + " jars, Java modules " + modules);

        // 2. Debian packages, verified and cached
        DebianArchive archive = new DebianArchive(r.mirror(), SUITE, r.cache(), r.keyring(), progress);
        Set<String> wanted = Set.of("linux-image-arm64", "libc6", "libgcc-s1", "libstdc++6", "zlib1g",
                "openjdk-25-jdk-headless", "raspi-firmware");
        PackageIndex index = archive.index(wanted, Set.of("linux-image-6."));
        PackageIndex.Package kernel = index.get(DebianArchive.kernelPackage(index.get("linux-image-arm64")));
        List<PackageIndex.Package> pkgs = new ArrayList<>(List.of(kernel, index.get("libc6"), index.get("libgcc-s1"),
                index.get("libstdc++6"), index.get("zlib1g"), index.get("openjdk-25-jdk-headless")));
        if (board.isRaspberryPi()) pkgs.add(index.get("raspi-firmware"));
        Map<String, Path> trees = new TreeMap<>();
        for (PackageIndex.Package p : pkgs) {
            Path deb = archive.deb(p);
            String selection = switch (p.name()) {
                case "openjdk-25-jdk-headless" -> "jmods";
                default -> p.name().startsWith("linux-image") ? "kernel" : "all";
            };
            progress.step("unpacking " + p.name() + " " + p.version());
            trees.put(p.name().startsWith("linux-image") ? "kernel" : p.name(), Deb.unpack(deb, p.sha256(), selection,
                    path -> switch (selection) {
                        case "jmods" -> path.contains("/jmods/");
                        case "kernel" -> path.startsWith("boot/vmlinuz") || path.contains("/modules/")
                                || (path.contains("/broadcom/") && path.endsWith(".dtb"));
                        default -> !path.startsWith("usr/share/doc") && !path.startsWith("usr/share/lintian");
                    }, r.cache()));
        }

        // 3. the runtime, linked down
        Path jmods = find(trees.get("openjdk-25-jdk-headless"), "jmods", true);
        Path runtime = work.resolve("runtime");
        progress.step("jlink: " + String.join(",", modules));
        RuntimeLinker.link(jmods, modules, runtime);

        // 4. the initramfs
        Cpio cpio = new Cpio();
        for (String d : List.of("proc", "sys", "dev", "tmp", "run", "var/lib/lichen", "etc/lichen")) cpio.dir(d);
        cpio.charDevice("dev/console", 0600, 5, 1).charDevice("dev/null", 0666, 1, 3);
        // the appliance starts before init mounts devtmpfs on /dev, and Java's SecureRandom (Californium's
        // tokens, DTLS) looks for these once: without them it fell back to a seed from thread-timing jitter
        cpio.charDevice("dev/random", 0666, 1, 8).charDevice("dev/urandom", 0666, 1, 9);
        cpio.symlink("lib", "usr/lib");
        addTree(cpio, runtime, RUNTIME);
        // without /proc mounted, the launcher cannot find libjli through $ORIGIN: the system library path can
        cpio.symlink(LIBDIR + "/libjli.so", "/" + RUNTIME + "/lib/libjli.so");
        for (String lib : C_RUNTIME) cpio.file(LIBDIR + "/" + lib, ElfStrip.strip(cRuntimeLib(trees, lib)), 0755);
        cpio.symlink("usr/lib/ld-linux-aarch64.so.1", "aarch64-linux-gnu/ld-linux-aarch64.so.1");
        List<String> cp = new ArrayList<>();
        for (Appliance.Jar j : jars) {
            cpio.file(APP + "/" + j.name(), j.bytes(), 0644);
            // relative to "/", PID 1's working folder: the class archive is dumped with the staged tree as the working
            // folder, as qemu-user's -L does not redirect the stat calls Java's jar opening makes (QEMU 7.2, statx)
            cp.add(APP + "/" + j.name());
        }
        Path modRoot = find(trees.get("kernel"), "modules", true);
        List<String> wantedModules = new ArrayList<>(board.modules);
        wantedModules.addAll(Board.COMMON_MODULES);
        // two lists, each in dependency order, loaded side by side by init (a module in both loads once)
        SequencedMap<String, byte[]> netKos = KernelModules.resolve(modRoot, board.networkModules);
        SequencedMap<String, byte[]> otherKos = KernelModules.resolve(modRoot, wantedModules);
        SequencedMap<String, byte[]> kos = new java.util.LinkedHashMap<>(netKos);
        otherKos.forEach(kos::putIfAbsent);
        Map<String, String> modulePath = new java.util.HashMap<>();
        int i = 0;
        for (Map.Entry<String, byte[]> m : kos.entrySet()) {
            String path = String.format("%s/%02d-%s.ko", MODULES, i++, m.getKey());
            cpio.file(path, m.getValue(), 0644);
            modulePath.put(m.getKey(), "/" + path);
        }
        cpio.file("etc/lichen/device.json", config, 0644);
        if (checked.ca().isPresent()) cpio.file(IMAGE_CA.substring(1), checked.ca().get(), 0644);
        DeviceConfig.Gateway gateway = checked.parsed().gateway();
        cpio.file("etc/lichen/system.properties", systemProperties(board, netKos.keySet().stream().map(modulePath::get).toList(),
                otherKos.keySet().stream().map(modulePath::get).toList(), gateway.host(), r.appliance(), r.address()), 0644);
        List<String> jvm = new ArrayList<>(jvmOptions());
        jvm.addAll(Appliance.providerOptions(jars));
        boolean archived = false;
        if (r.classArchive()) {
            try {
                cpio.file(ClassArchive.GUEST_PATH, ClassArchive.build(qemuUser, cpio, RUNTIME, runtime, jvm, cp, config, FIXED_MTIME,
                        Files.createDirectories(work.resolve("cds")), r.cache(), progress), 0644);
                archived = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BuildException("interrupted while dumping the class archive");
            }
        } else {
            progress.step("class archive: LEFT OUT (--no-class-archive): the appliance will load every class at boot, "
                    + "which made the boot to the first reading ~11 s instead of ~8.7 s in QEMU");
        }
        cpio.file("etc/lichen/java.args", javaArgs(jvm, cp, archived), 0644);
        long t0 = System.nanoTime();
        byte[] initramfs = zstd(out -> cpio.write(out, FIXED_MTIME));
        progress.step("initramfs: " + Progress.mib(cpio.contentBytes()) + " of files, " + Progress.mib(initramfs.length) + " zstd ("
                + (System.nanoTime() - t0) / 1_000_000 + " ms)");

        // 5. the boot partition
        SortedMap<String, byte[]> boot = new TreeMap<>();
        Path vmlinuz;
        try (Stream<Path> s = Files.list(trees.get("kernel").resolve("boot"))) {
            vmlinuz = s.filter(p -> p.getFileName().toString().startsWith("vmlinuz")).findFirst()
                    .orElseThrow(() -> new BuildException("the kernel package has no boot/vmlinuz"));
        }
        byte[] kernelGz = cachedGzip(vmlinuz, r.cache(), kernel.sha256());
        boot.put("vmlinuz", kernelGz);
        boot.put("initrd.img", initramfs);
        String cmdline = board.console + " panic=10 quiet " + String.join(" ", kernelOptions(gateway))
                + " rdinit=/" + RUNTIME + "/bin/java -- @/etc/lichen/java.args";
        boot.put("cmdline.txt", (cmdline + "\n").getBytes(StandardCharsets.US_ASCII));
        if (board.isRaspberryPi()) {
            Path fw = trees.get("raspi-firmware").resolve("usr/lib/raspi-firmware");
            for (String f : board.firmware) boot.put(f, Files.readAllBytes(fw.resolve(f)));
            Path dtbs;
            try (Stream<Path> s = Files.list(trees.get("kernel").resolve("usr/lib"))) {
                dtbs = s.filter(d -> d.getFileName().toString().startsWith("linux-image-")).findFirst()
                        .orElseThrow(() -> new BuildException("the kernel package has no usr/lib/linux-image-*/ device trees"))
                        .resolve("broadcom");
            }
            for (String d : board.deviceTrees) boot.put(d, Files.readAllBytes(dtbs.resolve(d)));
            boot.put("config.txt", piConfig().getBytes(StandardCharsets.US_ASCII));
        }

        // 6. the disk, written beside the output and renamed into place
        DiskImage.Layout layout = DiskImage.layout(boot, 256 << 10, r.dataBytes());
        int diskId = contentId(boot);
        Path tmp = r.output().toAbsolutePath().resolveSibling("." + r.output().getFileName() + ".part");
        Files.deleteIfExists(tmp);
        try {
            DiskImage.write(tmp, layout, diskId, boot);
            Files.move(tmp, r.output(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        SortedMap<String, Long> bootSizes = new TreeMap<>();
        boot.forEach((k, v) -> bootSizes.put(k, (long) v.length));
        List<String> listing = cpio.entries().stream().map(e -> "/" + e.path()).toList();
        progress.step("image " + r.output() + ": " + Progress.mib(layout.totalBytes()) + " (boot partition "
                + Progress.mib(layout.bootSectors() * 512) + ", data partition " + Progress.mib(layout.dataSectors() * 512) + ")");
        return new Result(r.output(), layout.totalBytes(), treeSize(runtime), initramfs.length, kernelGz.length,
                modules, bootSizes, listing);
    }

    /**
     * Kernel options that keep the initramfs unpacking beside the kernel's other start-up work.
     * The kernel unpacks it on a worker while its init calls go on, but an init call that asks for
     * a module (request_module, for a crypto algorithm) waits until the whole initramfs is
     * unpacked, ~0.9 s under emulation, and everything after it waits too. Three built-in init
     * calls do: the SP800-108 KDF's self-test and the encrypted-key type (both unused here: the
     * appliance keeps no kernel keys), and IPv6's segment-routing HMAC set-up. IPv6 stays on when
     * the gateway is given as an IPv6 address; the appliance's own network set-up is IPv4.
     */
    static List<String> kernelOptions(DeviceConfig.Gateway gateway) {
        List<String> options = new ArrayList<>(List.of("initcall_blacklist=crypto_kdf108_init,init_encrypted"));
        if (!gateway.hostIsIpv6Address()) options.add("ipv6.disable=1");
        return options;
    }

    /**
     * A device config as its bytes (copied into the image as they are, but for a gateway CA file:
     * the CA goes into the image at {@link #IMAGE_CA} and the config names it there) and as the
     * appliance reads it.
     */
    record Config(byte[] bytes, DeviceConfig parsed, java.util.Optional<byte[]> ca) {}

    /** Where an image keeps the gateway CA its device.json's caFile named on the build machine. */
    static final String IMAGE_CA = "/etc/lichen/gateway-ca.crt";

    /** The device config must pass the appliance's own validation (DeviceConfig) and name this board. */
    static Config checkConfig(Path config, Board board) throws IOException {
        if (!Files.isRegularFile(config)) throw new BuildException("config " + config + " does not exist");
        byte[] bytes = Files.readAllBytes(config);
        DeviceConfig c;
        try {
            c = DeviceConfig.parse(config.toString(), bytes, SensorAppliance.chips(SensorAppliance.installedFactories()),
                    config.toAbsolutePath().getParent());
        } catch (ConfigException e) {
            throw new BuildException("config " + e.getMessage());
        }
        if (!c.board().equals(board.id))
            throw new BuildException("config " + config + " is for board '" + c.board() + "', the build for '" + board.id
                    + "': make them agree");
        if (!c.dataDir().toString().equals(DATA_DIR))
            throw new BuildException("config " + config + ": dataDir must be " + DATA_DIR + " on an image (the data partition), not "
                    + c.dataDir());
        if (c.gateway().ca().isPresent()) {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            var root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(bytes);
            ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("gateway")).put("caFile", IMAGE_CA);
            byte[] pem;
            try {
                pem = ("-----BEGIN CERTIFICATE-----\n"
                        + java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                                .encodeToString(c.gateway().ca().get().certificate().getEncoded())
                        + "\n-----END CERTIFICATE-----\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new BuildException("config " + config + ": the gateway CA cannot be encoded: " + e.getMessage());
            }
            return new Config(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root), c, java.util.Optional.of(pem));
        }
        return new Config(bytes, c, java.util.Optional.empty());
    }

    static String piConfig() {
        return """
                # written by lichen image build
                arm_64bit=1
                enable_uart=1
                upstream_kernel=1
                kernel=vmlinuz
                initramfs initrd.img followkernel
                disable_splash=1
                # the cut-down firmware (start_cd.elf / start4cd.elf): the only way to select it is 16 MB for the GPU
                gpu_mem=16
                """;
    }

    private static byte[] systemProperties(Board board, List<String> netModules, List<String> modules, String gatewayHost, Appliance app,
                                           java.util.Optional<StaticAddress> address) {
        SortedMap<String, String> p = new TreeMap<>();
        p.put("modules", String.join(",", modules));
        p.put("net.modules", String.join(",", netModules));
        p.put("data.device", board.dataDevice);
        p.put("data.label", "LICHEN-DATA");
        p.put("data.dir", "/var/lib/lichen");
        p.put("data.fstype", "vfat");
        p.put("data.options", "flush,errors=remount-ro");
        p.put("net.interface", "eth0");
        p.put("net.mode", address.isPresent() ? "static" : "dhcp");
        address.ifPresent(a -> {
            p.put("net.address", a.cidr());
            p.put("net.gateway", a.router());
        });
        p.put("sntp.server", gatewayHost);
        p.put("watchdog", "/dev/watchdog");
        p.put("main.class", app.mainClass());
        p.put("main.args", String.join(" ", app.args()));
        StringBuilder b = new StringBuilder("# PID 1 settings, read by dev.lichen.runtime.system.Init\n");
        p.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** More JVM options for PID 1, set only by BootBenchmark's profile runs (flag experiments). */
    static volatile List<String> experimentJvmOptions = List.of();

    /** PID 1's JVM options, which the class archive is dumped with too (CDS refuses an archive made with other flags). */
    static List<String> jvmOptions() {
        // -Xmn24m: the boot allocates ~15 MB up to the first reading; with the default young generation
        // (a third of 1/64 of the memory) that was six stop-the-world collections, ~0.1 s under emulation.
        // -XX:-UsePerfData: no hsperfdata file and no sampler thread waking every 50 ms; the image has
        // no jstat or jcmd to read them.
        // -XX:+AOTClassLinking: the archive holds its classes linked and the constant-pool entries of its
        // class list's @cp lines resolved, lambdas' call sites included (JEP 483).
        // -XX:CompileThresholdScaling=10: the boot's code runs once or a few times, and compiling it took the
        // two emulated CPUs from the boot (4 rounds: 2.84x against 2.99x; -Xint 2.76x); what stays hot, the
        // appliance's loop, is still compiled, after ten times the usual calls. RSS 63 -> 57 MB
        List<String> args = new ArrayList<>(List.of(
                "-XX:+AOTClassLinking", "-XX:CompileThresholdScaling=10", "-XX:+UseSerialGC", "-Xmn24m", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-Xss512k", "-XX:+UseCompactObjectHeaders",
                "--enable-native-access=ALL-UNNAMED", "-Djava.net.preferIPv4Stack=true"));
        args.addAll(experimentJvmOptions);
        return args;
    }

    /**
     * -Xshare:auto, not :on: an archive the JVM cannot use (it never should) costs boot time,
     * not the machine; the image tests check the guest's JVM reports sharing.
     */
    private static byte[] javaArgs(List<String> jvm, List<String> classpath, boolean archived) {
        List<String> args = new ArrayList<>(jvm);
        args.add("-Xshare:auto");
        if (archived) args.add("-XX:SharedArchiveFile=" + ClassArchive.GUEST_PATH);
        args.addAll(List.of("-cp", String.join(":", classpath), "dev.lichen.runtime.system.Init", "/etc/lichen/system.properties"));
        return (String.join("\n", args) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] cRuntimeLib(Map<String, Path> trees, String name) throws IOException {
        for (String pkg : List.of("libc6", "libgcc-s1", "libstdc++6", "zlib1g")) {
            Path dir = trees.get(pkg).resolve(LIBDIR);
            Path f = dir.resolve(name);
            if (Files.exists(f)) return Files.readAllBytes(f.toRealPath());
        }
        throw new BuildException("the C runtime file " + name + " is in none of libc6, libgcc-s1, libstdc++6, zlib1g");
    }

    /** Runtime files an appliance never uses: it spawns no processes and generates no CDS archive. */
    static final Set<String> RUNTIME_OMIT = Set.of("bin/keytool", "lib/jexec", "lib/jspawnhelper", "lib/classlist", "lib/jrt-fs.jar");

    private static void addTree(Cpio cpio, Path root, String at) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.sorted().toList()) {
                String rel = root.relativize(f).toString();
                if (rel.isEmpty() || RUNTIME_OMIT.contains(rel)) continue;
                String path = at + "/" + rel;
                if (Files.isSymbolicLink(f)) cpio.symlink(path, Files.readSymbolicLink(f).toString());
                else if (Files.isDirectory(f)) cpio.dir(path);
                else cpio.file(path, ElfStrip.strip(Files.readAllBytes(f)), Files.isExecutable(f) ? 0755 : 0644);
            }
        }
    }

    private static Path find(Path root, String dirName, boolean dir) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().equals(dirName) && Files.isDirectory(p) == dir).findFirst()
                    .orElseThrow(() -> new BuildException("no " + dirName + " in " + root));
        }
    }

    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * zstd level 12, single-threaded (the same input gives the same bytes), as the kernel's
     * initramfs unpacker takes it (CONFIG_RD_ZSTD=y in Debian's kernel). Not xz: the guest unpacks
     * the ~70 MB of files before it runs init, and xz's decoder took 4.4 s of the boot under QEMU's
     * emulation where zstd's takes well under one (6.6x faster on this host). Level 12: 19.9 MB in
     * 3 s (xz preset 1: 18.0 MB in 4 s; zstd 15: 19.8 MB in 11 s; 19: 17.6 MB in 39 s).
     */
    static final int ZSTD_LEVEL = 12;

    static byte[] zstd(Writer w) throws IOException {
        ByteArrayOutputStream cpio = new ByteArrayOutputStream(1 << 26);
        w.write(cpio);
        try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            ctx.setLevel(ZSTD_LEVEL).setChecksum(true).setContentSize(true).setWorkers(0);
            return ctx.compress(cpio.toByteArray());
        }
    }

    /** gzip with a fixed header (mtime 0, no name), as Java's GZIPOutputStream writes it. */
    static byte[] gzip(Writer w) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 24);
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 1 << 16) {
            { def.setLevel(Deflater.BEST_COMPRESSION); }
        }) {
            w.write(gz);
        }
        return bytes.toByteArray();
    }

    /** The kernel's gzip, kept beside the unpacked package: it depends only on the package. */
    private static byte[] cachedGzip(Path vmlinuz, Path cache, String sha) throws IOException {
        try {
            return Derived.get(cache, sha.substring(0, 32) + "-vmlinuz.gz", () -> gzip(out -> Files.copy(vmlinuz, out)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted while compressing the kernel");
        }
    }

    private static int contentId(SortedMap<String, byte[]> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            files.forEach((k, v) -> {
                md.update(k.getBytes(StandardCharsets.UTF_8));
                md.update(v);
            });
            byte[] d = md.digest();
            return ((d[0] & 0xFF) << 24) | ((d[1] & 0xFF) << 16) | ((d[2] & 0xFF) << 8) | (d[3] & 0xFF);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static long treeSize(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    static void deleteTree(Path root) {
        try {
            Deb.deleteTree(root);
        } catch (IOException e) {
            // a temp folder left behind is harmless
        }
    }

}
