package dev.lichen.runtime.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@link KeyValueStore} with one file a key in a directory. A put writes a temporary file,
 * fsyncs it, renames it over the key's file and fsyncs the directory, so after a crash or power
 * cut a key holds either its old or its new value, never a torn one. Leftover temporary files
 * from an interrupted put are removed on open.
 */
public final class FileKeyValueStore implements KeyValueStore {
    /** Keys become file names: keep them short and plain. */
    public static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final String TMP_SUFFIX = ".tmp";
    private static final int MAX_VALUE_BYTES = 1 << 20;

    private final Path dir;

    public FileKeyValueStore(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, "*" + TMP_SUFFIX)) {
            for (Path p : leftovers) Files.deleteIfExists(p);
        }
    }

    @Override
    public Optional<String> get(String key) throws IOException {
        try {
            return Optional.of(Files.readString(file(key), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public synchronized void put(String key, String value) throws IOException {
        Path target = file(key);
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_VALUE_BYTES)
            throw new IllegalArgumentException("value for " + key + " has " + bytes.length + " bytes; at most " + MAX_VALUE_BYTES);
        Path tmp = dir.resolve(key + TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system under " + dir + " cannot rename atomically; put the data folder on ext4/f2fs", e);
        }
        // vfat (an image's data partition) writes a renamed file's new directory entry with size 0 and
        // fills it in only when the file's inode is written back: without this fsync of the file under
        // its new name, a power cut left every key empty (seen after every cut in the boot benchmark)
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        syncDirectory(dir);
    }

    @Override
    public synchronized void remove(String key) throws IOException {
        if (Files.deleteIfExists(file(key))) syncDirectory(dir);
    }

    private Path file(String key) {
        if (key == null || !KEY.matcher(key).matches() || key.endsWith(TMP_SUFFIX))
            throw new IllegalArgumentException("key " + key + " must match " + KEY.pattern() + " and not end in " + TMP_SUFFIX);
        return dir.resolve(key);
    }

    /** Makes a rename, create or delete in dir durable (fsync on the directory). */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
