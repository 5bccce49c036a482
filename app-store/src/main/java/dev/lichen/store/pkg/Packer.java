package dev.lichen.store.pkg;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Puts a manifest, jars and resources into an unsigned {@link Lapp}; also builds jars from class folders. */
public final class Packer {
    private Packer() {}

    public static Lapp pack(byte[] manifestJson, List<Path> libs, List<Path> resources) throws IOException, PackageException {
        var entries = new TreeMap<String, byte[]>();
        entries.put(Lapp.MANIFEST, manifestJson);
        for (Path lib : libs) {
            String n = lib.getFileName().toString();
            if (!n.endsWith(".jar")) throw new IOException(lib + " is not a .jar");
            if (entries.put(Lapp.LIB + n, Files.readAllBytes(lib)) != null) throw new IOException("two jars named " + n);
        }
        for (Path r : resources) entries.put(r.getFileName().toString(), Files.readAllBytes(r));
        Lapp lapp = new Lapp(entries);
        PackageVerifier.manifestOf(lapp); // refuse to pack what a gateway would refuse
        return lapp;
    }

    /**
     * A jar of the classes and resources under {@code root} (a class folder or a jar) whose paths
     * start with one of {@code prefixes}: lets an add-on ship only its own packages.
     */
    public static byte[] jarOf(Path root, List<String> prefixes) {
        var out = new ByteArrayOutputStream();
        var mf = new java.util.jar.Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (var jar = new JarOutputStream(out, mf)) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        String name = root.relativize(f).toString().replace('\\', '/');
                        if (prefixes.stream().anyMatch(name::startsWith)) put(jar, name, Files.readAllBytes(f));
                    }
                }
            } else {
                try (var zf = new java.util.zip.ZipFile(root.toFile())) {
                    for (var e : zf.stream().filter(e -> !e.isDirectory()).sorted((a, b) -> a.getName().compareTo(b.getName())).toList()) {
                        if (prefixes.stream().anyMatch(e.getName()::startsWith)) {
                            try (var in = zf.getInputStream(e)) {
                                put(jar, e.getName(), in.readAllBytes());
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void put(JarOutputStream jar, String name, byte[] data) throws IOException {
        var e = new JarEntry(name);
        e.setLastModifiedTime(FileTime.fromMillis(315532800000L));
        jar.putNextEntry(e);
        jar.write(data);
        jar.closeEntry();
    }

    /** Where a class was loaded from: a jar or a class folder. */
    public static Path codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
