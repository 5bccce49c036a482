package dev.lichen.armboot.jlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.armboot.BuildException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeLinkerTest {
    @Test
    void jdepsFindsTheModulesAndARuntimeLackingOneIsRefusedBeforeLinking(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("uses-sql.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            String name = "dev/lichen/armboot/testapp2/UsesSql.class";
            out.putNextEntry(new JarEntry(name));
            out.write(Files.readAllBytes(Path.of("target/test-classes").resolve(name)));
        }
        SortedSet<String> modules = RuntimeLinker.modulesFor(List.of(jar));
        assertEquals(List.of("java.base", "java.sql"), List.copyOf(modules));
        Path jmods = Files.createDirectories(dir.resolve("jmods"));
        Files.write(jmods.resolve("java.base.jmod"), new byte[0]); // a runtime with java.base only
        Path out = dir.resolve("runtime");
        BuildException e = assertThrows(BuildException.class, () -> RuntimeLinker.link(jmods, modules, out));
        assertTrue(e.getMessage().contains("[java.sql]"), e.getMessage());
        assertFalse(Files.exists(out));
    }
}
