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

    @Test
    void aVersion3DatabaseWithDataGetsTheAuditTrailOnFirstStartAndKeepsEverything() throws Exception {
        store.write(List.of(batch("a", "b", 0, "temperature", T0, 1, 2)), T0);
        store.adopt("a", "A", "Hall");
        store.putDeviceKey(new DeviceKey("a", new byte[16], T0));
        store.close();
        // what the gateway before schema V4 left on the card: no audit table, schema_version up to 3
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("lichen.db"))) {
            dropVersion6(c);
            c.createStatement().execute("DROP TABLE audit");
            c.createStatement().execute("DROP TABLE device_public_keys");
            c.createStatement().execute("DELETE FROM schema_version WHERE version >= 4");
        }
        store = Store.open(dir, null);
        assertEquals(2, store.readingCount("a"));
        assertEquals(DeviceState.ADOPTED, store.device("a").orElseThrow().state());
        assertTrue(store.deviceKey("a").isPresent());
        assertTrue(store.auditTrail(Long.MAX_VALUE, 10).isEmpty());
        store.audit(new AuditEvent(0, T0, "admin", "127.0.0.1", AuditEvent.Action.DEVICE_ADOPTED, "a", null));
        assertEquals(1, store.auditTrail(Long.MAX_VALUE, 10).size());
        assertEquals(6, schemaVersion());
    }

    @Test
    void aVersion4DatabaseWithDataGetsThePublicKeysOnFirstStartAndKeepsEverything() throws Exception {
        store.write(List.of(batch("a", "b", 0, "temperature", T0, 1, 2)), T0);
        store.adopt("a", "A", "Hall");
        store.putDeviceKey(new DeviceKey("a", new byte[16], T0));
        store.audit(new AuditEvent(0, T0, "admin", "127.0.0.1", AuditEvent.Action.DEVICE_ADOPTED, "a", null));
        store.close();
        // what the gateway of schema V4 left on the card: no device_public_keys, schema_version up to 4
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("lichen.db"))) {
            dropVersion6(c);
            c.createStatement().execute("DROP TABLE device_public_keys");
            c.createStatement().execute("DELETE FROM schema_version WHERE version >= 5");
        }
        store = Store.open(dir, null);
        assertEquals(2, store.readingCount("a"));
        assertEquals(DeviceState.ADOPTED, store.device("a").orElseThrow().state());
        assertTrue(store.deviceKey("a").isPresent());
        assertEquals(1, store.auditTrail(Long.MAX_VALUE, 10).size());
        assertTrue(store.devicePublicKeys().isEmpty());
        store.putDevicePublicKey(new DevicePublicKey("a", new byte[] {1, 2, 3}, "0102-0304-0506-0708", true, T0));
        assertEquals(List.of("a"), store.devicePublicKeys().stream().map(DevicePublicKey::deviceId).toList());
        assertEquals(6, schemaVersion());
    }

    @Test
    void aVersion5DatabaseWithDataGetsCommandsOnFirstStartAndKeepsEverything() throws Exception {
        store.write(List.of(batch("a", "b", 0, "temperature", T0, 1, 2)), T0);
        store.adopt("a", "A", "Hall");
        store.putDevicePublicKey(new DevicePublicKey("a", new byte[] {1, 2, 3}, "0102-0304-0506-0708", true, T0));
        var rule = store.createRule(new AlertRule(0, "warm", "a", "temperature", Op.GT, 30, 0, true));
        store.fireAlert(rule, 31, T0);
        store.close();
        // what the gateway of schema V5 left on the card: no commands, schema_version up to 5
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("lichen.db"))) {
            dropVersion6(c);
            c.createStatement().execute("DELETE FROM schema_version WHERE version >= 6");
        }
        assertEquals(5, schemaVersion());
        store = Store.open(dir, null);
        assertEquals(6, schemaVersion());
        assertEquals(2, store.readingCount("a"));
        assertEquals(DeviceState.ADOPTED, store.device("a").orElseThrow().state());
        assertEquals(1, store.devicePublicKeys().size());
        var alerts = store.alerts(false);
        assertEquals(1, alerts.size(), "the alert of the old gateway is kept");
        assertEquals(null, alerts.getFirst().message(), "a threshold rule's alert has no message");
        assertTrue(store.automations().isEmpty());
        String epoch = store.commandEpoch();
        var c = store.createCommand("a", "light", OutputKind.SWITCH, 1, "admin", T0, T0 + 1000);
        assertEquals(List.of(c), store.pendingCommands("a"));
        store.close();
        store = Store.open(dir, null);
        assertEquals(epoch, store.commandEpoch(), "the epoch is made once, at the migration");
    }

    /** Takes back what schema V6 added, leaving a V5 database. */
    static void dropVersion6(java.sql.Connection c) throws java.sql.SQLException {
        for (String t : List.of("commands", "device_outputs", "command_epoch", "automations", "automation_runs", "automation_timers")) {
            c.createStatement().execute("DROP TABLE " + t);
        }
        c.createStatement().execute("ALTER TABLE alerts DROP COLUMN message");
        c.createStatement().execute("ALTER TABLE device_public_keys DROP COLUMN next_key");
    }

    int schemaVersion() throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("lichen.db"));
             var rs = c.createStatement().executeQuery("SELECT MAX(version) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
