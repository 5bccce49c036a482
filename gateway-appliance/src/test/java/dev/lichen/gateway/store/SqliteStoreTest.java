package dev.lichen.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {
    @TempDir
    Path dir;
    Store store;

    @BeforeEach
    void open() {
        store = Store.open(dir, null);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Override
    Store store() {
        return store;
    }

    @Test
    void fileInTheDataFolderInWalModeSurvivesReopen() throws Exception {
        store.write(List.of(batch("a", "b", 0, "temperature", T0, 1, 2)), T0);
        store.adopt("a", "A", "Hall");
        store.close();
        assertTrue(Files.exists(dir.resolve("lichen.db")));
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("lichen.db"));
             var rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertEquals("wal", rs.getString(1));
        }
        store = Store.open(dir, null); // migrations run again: nothing to do
        assertEquals(2, store.readingCount("a"));
        assertEquals(DeviceState.ADOPTED, store.device("a").orElseThrow().state());
        var r = store.write(List.of(batch("a", "b", 0, "temperature", T0, 1, 2)), T0);
        assertEquals(2, r.getFirst().duplicates());
    }
}
