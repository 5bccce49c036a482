package dev.lichen.gateway.addons;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.lichen.store.pkg.ManifestParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small JSON state file written atomically (write beside, then rename), read strictly. Only this
 * gateway writes it, so its content is read from disk once and then kept: it is asked on hot paths
 * (every live reading checks the installed add-ons' subscriptions). Callers treat what {@link
 * #read} returns as read-only and {@link #write} a new value.
 */
final class JsonFile<T> {
    private final Path file;
    private final TypeReference<T> type;
    private final T empty;
    private T cached;

    JsonFile(Path file, TypeReference<T> type, T empty) {
        this.file = file;
        this.type = type;
        this.empty = empty;
    }

    synchronized T read() {
        if (cached != null) return cached;
        try {
            cached = Files.exists(file) ? ManifestParser.mapper().readValue(file.toFile(), type) : empty;
            return cached;
        } catch (IOException e) {
            throw new UncheckedIOException(file + " is unreadable: " + e.getMessage() + " (fix or remove it)", e);
        }
    }

    synchronized void write(T value) {
        try {
            Files.createDirectories(file.getParent());
            // these files hold add-on tokens: the gateway's alone, whoever else shares the machine
            dev.lichen.gateway.files.PrivateFile.write(file, ManifestParser.mapper().writeValueAsBytes(value));
            cached = value;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
