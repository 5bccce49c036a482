package dev.lichen.runtime.storage;

import java.io.IOException;
import java.util.Optional;

/** A small durable map on flash (boot counter, calibration, credentials). Writes are atomic. */
public interface KeyValueStore {
    Optional<String> get(String key) throws IOException;

    void put(String key, String value) throws IOException;

    void remove(String key) throws IOException;
}
