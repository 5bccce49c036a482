package dev.lichen.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileKeyValueStoreTest {
    @TempDir Path dir;

    @Test
    void put_get_overwrite_remove_and_reopen() throws Exception {
        var kv = new FileKeyValueStore(dir);
        assertEquals(Optional.empty(), kv.get("boot.counter"));
        kv.put("boot.counter", "41");
        kv.put("boot.counter", "42");
        kv.put("calibration", "{\"dry\":2.8}");
        var again = new FileKeyValueStore(dir);
        assertEquals(Optional.of("42"), again.get("boot.counter"));
        assertEquals(Optional.of("{\"dry\":2.8}"), again.get("calibration"));
        again.remove("calibration");
        assertEquals(Optional.empty(), kv.get("calibration"));
    }

    @Test
    void an_interrupted_put_leaves_the_old_value_and_its_temp_file_is_cleaned() throws Exception {
        var kv = new FileKeyValueStore(dir);
        kv.put("psk", "old");
        Files.writeString(dir.resolve("psk.tmp"), "half-writ"); // a crash between write and rename
        var reopened = new FileKeyValueStore(dir);
        assertEquals(Optional.of("old"), reopened.get("psk"));
        assertFalse(Files.exists(dir.resolve("psk.tmp")));
    }

    @Test
    void keys_that_are_not_plain_file_names_are_refused() {
        assertThrows(IllegalArgumentException.class, () -> new FileKeyValueStore(dir).put("../etc/passwd", "x"));
        assertThrows(IllegalArgumentException.class, () -> new FileKeyValueStore(dir).put("a.tmp", "x"));
        assertThrows(IllegalArgumentException.class, () -> new FileKeyValueStore(dir).get(""));
    }
}
