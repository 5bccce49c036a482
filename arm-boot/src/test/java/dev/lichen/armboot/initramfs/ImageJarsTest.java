package dev.lichen.armboot.initramfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/** JNA's real jar (as the appliance ships it) repacked for the arm64 image. */
class ImageJarsTest {
    @Test
    void keepsEveryClassAndOnlyTheArm64LinuxNativesAllStored() throws Exception {
        byte[] jna = Files.readAllBytes(Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        byte[] slim = ImageJars.forArm64(jna, "jna.jar");
        List<String> before = names(jna, false), after = names(slim, true);
        assertEquals(before.stream().filter(n -> n.endsWith(".class")).toList(), after.stream().filter(n -> n.endsWith(".class")).toList());
        assertEquals(List.of("com/sun/jna/linux-aarch64/libjnidispatch.so"),
                after.stream().filter(n -> n.matches(".*\\.(so|dll|jnilib|a)")).toList());
        assertTrue(before.contains("com/sun/jna/linux-x86-64/libjnidispatch.so"));
        assertTrue(slim.length < jna.length * 2, "stored, natives gone: " + slim.length + " bytes from " + jna.length);
        assertArrayEquals(slim, ImageJars.forArm64(jna, "jna.jar"), "the same input gives the same bytes");
    }

    @Test
    void aSignedJarLosesItsSignatureAndKeepsItsClasses() throws Exception {
        // Californium's jars are signed: on the image the JVM would hash every class it loads from them
        byte[] signed = Files.readAllBytes(Path.of(org.eclipse.californium.elements.Connector.class.getProtectionDomain()
                .getCodeSource().getLocation().toURI()));
        byte[] repacked = ImageJars.forArm64(signed, "element-connector.jar");
        List<String> before = names(signed, false), after = names(repacked, true);
        assertTrue(before.stream().anyMatch(n -> n.matches("META-INF/[^/]+\\.SF")), "the published jar is signed: " + before);
        assertTrue(after.stream().noneMatch(ImageJars::signatureFile), "signature files left: " + after);
        assertEquals(before.stream().filter(n -> !ImageJars.signatureFile(n)).toList(), after);
        try (var jar = new java.util.jar.JarInputStream(new ByteArrayInputStream(repacked))) {
            for (var e = jar.getNextJarEntry(); e != null; e = jar.getNextJarEntry()) {
                jar.readAllBytes();
                assertEquals(null, e.getCodeSigners(), e.getName() + " still counts as signed");
            }
        }
        assertFalse(ImageJars.signatureFile("META-INF/MANIFEST.MF"));
        assertFalse(ImageJars.signatureFile("META-INF/versions/9/module-info.class"));
    }

    @Test
    void aModularJarLosesItsDescriptorAndKeepsItsClasses() throws Exception {
        // jackson-dataformat-cbor's descriptor requires databind, which the image leaves out: jdeps could not resolve it
        byte[] cbor = Files.readAllBytes(Path.of(com.fasterxml.jackson.dataformat.cbor.CBORFactory.class.getProtectionDomain()
                .getCodeSource().getLocation().toURI()));
        List<String> before = names(cbor, false), after = names(ImageJars.forArm64(cbor, "cbor.jar"), true);
        assertTrue(before.stream().anyMatch(ImageJars::moduleDescriptor), "the published jar is modular: " + before);
        assertEquals(before.stream().filter(n -> !ImageJars.moduleDescriptor(n)).toList(), after);
        assertTrue(ImageJars.moduleDescriptor("module-info.class"));
        assertTrue(ImageJars.moduleDescriptor("META-INF/versions/11/module-info.class"));
        assertFalse(ImageJars.moduleDescriptor("com/example/module-info.class"));
        assertFalse(ImageJars.moduleDescriptor("META-INF/versions/11/com/example/Foo.class"));
    }

    @Test
    void nativeLibrariesOfOtherPlatformsAreForeign() {
        assertTrue(ImageJars.foreignNative("lib/armhf/pi4j-gpiod/libgpiod.so"));
        assertTrue(ImageJars.foreignNative("com/sun/jna/win32-aarch64/jnidispatch.dll"));
        assertFalse(ImageJars.foreignNative("lib/aarch64/pi4j-gpiod/libgpiod.so"));
        assertFalse(ImageJars.foreignNative("com/sun/jna/linux-aarch64/libjnidispatch.so"));
        assertFalse(ImageJars.foreignNative("com/sun/jna/Native.class"));
    }

    private static List<String> names(byte[] jar, boolean mustBeStored) throws Exception {
        List<String> out = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (mustBeStored) assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
                out.add(e.getName());
            }
        }
        return out;
    }
}
