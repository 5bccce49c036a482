package dev.lichen.armboot.cds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.armboot.initramfs.Cpio;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of the class archive's making that do not need the arm64 JVM (the dump itself is
 * run, twice, by ImageEndToEndTest's two builds, and used by the guests it boots).
 */
class ClassArchiveTest {
    @Test
    void theClassListDependsOnWhichClassesNotOnTheirOrder() {
        List<String> run = List.of(
                "# NOTE: Do not modify this file.",
                "java/lang/String id: 3",
                "com/fasterxml/jackson/databind/ObjectMapper id: 812",
                "java/lang/Object id: 0",
                "@lambda-proxy dev/lichen/appliance/SensorAppliance run ()Ljava/lang/Runnable; ()V",
                "@lambda-form-invoker [LF_RESOLVE] java.lang.invoke.DirectMethodHandle$Holder invokeStatic L_L",
                "dev/lichen/armboot/cds/Training id: 900",
                "jdk/proxy1/$Proxy7 id: 901 super: 0 interfaces: 902 source: jrt:/java.base",
                "java/lang/String id: 3");
        assertEquals(List.of(
                "com/fasterxml/jackson/databind/ObjectMapper", "java/lang/Object", "java/lang/String",
                "@lambda-proxy dev/lichen/appliance/SensorAppliance run ()Ljava/lang/Runnable; ()V",
                "@lambda-form-invoker [LF_RESOLVE] java.lang.invoke.DirectMethodHandle$Holder invokeStatic L_L"), ClassArchive.normalize(run));
        assertEquals(ClassArchive.normalize(run), ClassArchive.normalize(run.reversed()), "the order of loading does not matter");
    }

    @Test
    void aTrainingRunTakesEveryKindOfGatewayAsAValidConfig() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String gateway : List.of(
                "{\"uplink\": \"coaps\", \"host\": \"10.0.2.2\", \"caFile\": \"/etc/lichen/gateway-ca.crt\"}",
                "{\"uplink\": \"coaps\", \"host\": \"10.0.2.2\", \"psk\": {\"identity\": \"den\", \"key\": \"MDEyMzQ1Njc4OWFiY2RlZg==\"}}",
                "{\"uplink\": \"mqtt\", \"host\": \"gw\", \"caFile\": \"/etc/lichen/gateway-ca.crt\"}",
                "{\"uplink\": \"coap\", \"host\": \"gw\"}")) {
            var doc = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree("""
                    {"deviceId": "den", "board": "arm64-virt", "gateway": %s,
                     "sensors": [{"chip": "pir", "pin": 4, "channels": {"motion": "event"}}]}""".formatted(gateway));
            ClassArchive.trainAgainst((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("gateway"), 5683);
            var c = dev.lichen.appliance.DeviceConfig.parse("training.json", json.writeValueAsBytes(doc), java.util.Set.of("pir"));
            assertEquals("127.0.0.1", c.gateway().host(), gateway);
        }
    }

    @Test
    void theListEndsWhereTheTrainingRunMarkedItsEnd() {
        List<String> run = List.of(
                "java/lang/Object id: 0",
                "dev/lichen/appliance/SensorAppliance id: 700",
                ClassArchive.END_MARK + "id: 901",
                "java/util/IdentityHashMap$KeyIterator id: 902", // what a shutdown would load: not the boot's
                "@lambda-proxy dev/lichen/appliance/SensorCommand lambda ()Ljava/lang/Runnable; ()V",
                "@cp dev/lichen/appliance/SensorAppliance 3 5 8"); // what the run resolved, written at its exit: varies by run
        assertEquals(List.of("dev/lichen/appliance/SensorAppliance", "java/lang/Object"), ClassArchive.normalize(run));
        assertEquals("dev/lichen/armboot/cds/Training$End ", ClassArchive.END_MARK);
    }

    @Test
    void theCachedArchiveIsKeyedByEverythingTheDumpReads() {
        Cpio a = new Cpio().file("usr/lib/lichen/app/a.jar", new byte[] {1, 2, 3}, 0644);
        Cpio sameAsA = new Cpio().file("usr/lib/lichen/app/a.jar", new byte[] {1, 2, 3}, 0644);
        Cpio otherJar = new Cpio().file("usr/lib/lichen/app/a.jar", new byte[] {1, 2, 4}, 0644);
        List<String> opts = List.of("-XX:+UseSerialGC");
        List<String> cp = List.of("usr/lib/lichen/app/a.jar");
        List<String> classes = List.of("java/lang/Object");
        String key = ClassArchive.inputsKey(a, classes, opts, cp, 1L);
        assertEquals(64, key.length());
        assertEquals(key, ClassArchive.inputsKey(sameAsA, classes, opts, cp, 1L));
        assertTrue(java.util.stream.Stream.of(
                ClassArchive.inputsKey(otherJar, classes, opts, cp, 1L),
                ClassArchive.inputsKey(a, List.of("java/lang/Object", "java/lang/String"), opts, cp, 1L),
                ClassArchive.inputsKey(a, classes, List.of("-XX:+UseG1GC"), cp, 1L),
                ClassArchive.inputsKey(a, classes, opts, List.of("usr/lib/lichen/app/b.jar"), 1L),
                ClassArchive.inputsKey(a, classes, opts, cp, 2L)).noneMatch(key::equals));
    }

    @Test
    void theStagedTreeHasTheCpiosMtimesAndItsLinksPointInsideIt(@TempDir Path dir) throws Exception {
        Cpio cpio = new Cpio();
        cpio.file("usr/lib/lichen/app/a.jar", "jar".getBytes(StandardCharsets.UTF_8), 0644);
        cpio.file("usr/lib/lichen/runtime/bin/java", new byte[] {1}, 0755);
        cpio.symlink("lib", "usr/lib");
        cpio.symlink("usr/lib/aarch64-linux-gnu/libjli.so", "/usr/lib/lichen/runtime/bin/java");
        cpio.charDevice("dev/console", 0600, 5, 1);
        Path root = dir.resolve("root");
        ClassArchive.stage(cpio, root, 1754697600L);
        Path jar = root.resolve("usr/lib/lichen/app/a.jar");
        assertEquals(1754697600L, Files.getLastModifiedTime(jar).to(TimeUnit.SECONDS), "CDS checks each jar's mtime");
        assertTrue(Files.isExecutable(root.resolve("usr/lib/lichen/runtime/bin/java")));
        assertEquals(root.resolve("usr/lib/lichen/runtime/bin/java").toRealPath(),
                root.resolve("usr/lib/aarch64-linux-gnu/libjli.so").toRealPath(), "an absolute link resolves inside the tree");
        assertTrue(Files.isDirectory(root.resolve("lib/lichen/app")), "a relative link stays relative");
        assertTrue(Files.notExists(root.resolve("dev/console"), LinkOption.NOFOLLOW_LINKS), "no device nodes (no root needed)");
    }

    /**
     * Init's lambdas, read from class files, give the very lines the JVM writes when it runs them:
     * the dump archives a lambda only for a line that matches its call site.
     */
    @Test
    void initsLambdasReadFromTheClassFilesAreTheLinesTheJvmWrites(@TempDir Path dir) throws Exception {
        Class<?> fixture = dev.lichen.runtime.system.LambdaFixture.class;
        String entry = fixture.getName().replace('.', '/') + ".class";
        byte[] classBytes;
        try (var in = fixture.getClassLoader().getResourceAsStream(entry)) {
            classBytes = in.readAllBytes();
        }
        Path jar = dir.resolve("fixture.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry(entry));
            out.write(classBytes);
            out.closeEntry();
        }
        List<String> read = ClassArchive.initLambdas(jar);
        assertTrue(Training.inInitPackage(entry));
        assertTrue(java.util.stream.Stream.of("dev/lichen/runtime/system/package-info.class", "dev/lichen/runtime/system/x/Y.class",
                "dev/lichen/runtime/Other.class", "dev/lichen/runtime/system/Init.java").noneMatch(Training::inInitPackage));
        assertEquals(6, read.size(), String.join("\n", read));

        Path list = dir.resolve("classlist");
        String cp = Path.of(fixture.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:off",
                "-XX:DumpLoadedClassList=" + list, "-cp", cp, fixture.getName()).inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        List<String> written = Files.readAllLines(list).stream()
                .filter(l -> l.startsWith("@lambda-proxy dev/lichen/runtime/system/LambdaFixture ")).sorted().toList();
        assertEquals(written, read.stream().sorted().toList());
    }

    @Test
    void everyResolvableEntryOfTheListedClassesIsNamedFromTheImagesOwnClassFiles(@TempDir Path root) throws Exception {
        Class<?> fixture = dev.lichen.runtime.system.LambdaFixture.class;
        String name = fixture.getName().replace('.', '/');
        byte[] classBytes;
        try (var in = fixture.getClassLoader().getResourceAsStream(name + ".class")) {
            classBytes = in.readAllBytes();
        }
        Path jar = Files.createDirectories(root.resolve("app")).resolve("a.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry(name + ".class"));
            out.write(classBytes);
            out.closeEntry();
        }
        // the runtime: here the test JVM's own (lib/modules read through its lib/jrt-fs.jar, as the builder reads the image's)
        Path runtime = Path.of(System.getProperty("java.home"));
        List<String> lines = ClassArchive.resolvable(List.of("java/lang/Object", name, "not/There", "@lambda-proxy x"), runtime, root,
                List.of("app/a.jar"));
        assertEquals(2, lines.size(), String.join("\n", lines));

        // the fixture's line: the indices of its class, field, method and invokedynamic entries, by their tags in the class file
        var pool = java.lang.classfile.ClassFile.of().parse(classBytes).constantPool();
        List<Integer> expected = new java.util.ArrayList<>();
        for (int i = 1; i < pool.size(); i += pool.entryByIndex(i).width()) {
            int tag = pool.entryByIndex(i).tag();
            if (tag == 7 || tag == 9 || tag == 10 || tag == 11 || tag == 18) expected.add(i);
        }
        assertTrue(expected.size() > 5);
        assertEquals("@cp " + name + " " + String.join(" ", expected.stream().map(String::valueOf).toList()), lines.get(1));
        assertTrue(lines.getFirst().startsWith("@cp java/lang/Object "), lines.getFirst());
        assertEquals(lines, ClassArchive.resolvable(List.of("java/lang/Object", name), runtime, root, List.of("app/a.jar")),
                "the same classes give the same lines");
    }
}
