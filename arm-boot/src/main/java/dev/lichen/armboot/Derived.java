package dev.lichen.armboot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files the builder makes from its inputs and keeps in the build cache ({@code <cache>/derived/}),
 * named by a hash of those inputs: made once, read by every later build of the same inputs.
 */
public final class Derived {
    /** Makes the bytes; may take long (a compression, a dump under emulation). */
    @FunctionalInterface
    public interface Maker {
        byte[] make() throws IOException, InterruptedException;
    }

    private Derived() {}

    /** The cached file's path, whether or not it exists yet. */
    public static Path path(Path cache, String name) {
        return cache.resolve("derived").resolve(name);
    }

    /** The cached bytes, or those {@code maker} makes, stored first (atomically: a build killed midway leaves no half file). */
    public static byte[] get(Path cache, String name, Maker maker) throws IOException, InterruptedException {
        Path f = path(cache, name);
        if (Files.isRegularFile(f)) return Files.readAllBytes(f);
        byte[] bytes = maker.make();
        Files.createDirectories(f.getParent());
        Path tmp = Files.createTempFile(f.getParent(), "part-", ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return bytes;
    }
}
