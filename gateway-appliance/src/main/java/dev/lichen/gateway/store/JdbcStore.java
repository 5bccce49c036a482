package dev.lichen.gateway.store;

import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Store over JDBC, one code path for SQLite and PostgreSQL (portable SQL: ON CONFLICT,
 * RETURNING, CASE; only the DDL differs, in per-dialect migrations).
 *
 * <p>One writer connection serialised by a lock (SQLite allows one writer anyway; the pipeline
 * already funnels ingest into one group-commit thread) and a small pool of reader connections
 * (WAL readers do not block the writer). Devices, channel ids and boot keys are cached in memory
 * and published to the caches only after their transaction commits.
 *
 * <p>SQLite runs with WAL and synchronous=FULL: every commit fsyncs the WAL, so an acknowledged
 * reading survives power loss, not only a process crash; group commits amortise that fsync over
 * thousands of readings, which is also what spares an SD card.
 */
public final class JdbcStore implements Store {
    private static final int READERS = 3;

    private final String dialect;
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final BlockingQueue<Connection> readers;
    private final Map<String, Device> devices = new ConcurrentHashMap<>();
    /** Channel ids by device, then by name: the writer looks one up per reading, without building a key. */
    private final Map<String, Map<String, ChannelKey>> channels = new ConcurrentHashMap<>();
    private final Map<String, Long> boots = new ConcurrentHashMap<>();

    private record ChannelKey(long id, String deviceId, String name, String unit) {}

    @FunctionalInterface
    private interface SqlFn<T> {
        T apply(Connection c) throws SQLException;
    }

    private JdbcStore(String url, String dialect) throws SQLException {
        this.dialect = dialect;
        this.writer = connect(url);
        if (dialect.equals("sqlite")) {
            try (Statement s = writer.createStatement()) {
                // the writer touches index pages of every device in each group: keep them cached
                // (readers keep SQLite's 2 MB default; RSS matters on a Pi)
                s.execute("PRAGMA cache_size=-16000");
            }
        }
        Migrations.migrate(writer, dialect);
        writer.setAutoCommit(false);
        this.readers = new ArrayBlockingQueue<>(READERS);
        for (int i = 0; i < READERS; i++) readers.add(connect(url));
        loadCaches();
    }

    static JdbcStore open(Path dataDir, String jdbcUrl) {
        String url = jdbcUrl;
        try {
            if (url == null) {
                Files.createDirectories(dataDir);
                url = "jdbc:sqlite:" + dataDir.resolve("lichen.db").toAbsolutePath();
            }
            String dialect;
            if (url.startsWith("jdbc:sqlite:")) dialect = "sqlite";
            else if (url.startsWith("jdbc:postgresql:")) dialect = "postgresql";
            else throw new StoreException("unsupported JDBC URL " + url + ": use jdbc:sqlite:FILE or jdbc:postgresql://HOST:PORT/DB");
            return new JdbcStore(url, dialect);
        } catch (SQLException e) {
            throw new StoreException("cannot open the database " + redact(url) + ": " + e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create the data folder " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static String redact(String url) {
        return url == null ? null : url.replaceAll("password=[^&]*", "password=***");
    }

    private Connection connect(String url) throws SQLException {
        Connection c = DriverManager.getConnection(url);
        if (dialect.equals("sqlite")) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=10000");
            }
        }
        return c;
    }

    private void loadCaches() throws SQLException {
        read(c -> {
            try (Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT id, name, room, state, first_seen, last_seen, battery, signal, online FROM devices")) {
                    while (rs.next()) {
                        Device d = device(rs);
                        devices.put(d.id(), d);
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT id, device_id, name, unit FROM channels")) {
                    while (rs.next()) {
                        ChannelKey k = new ChannelKey(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4));
                        cacheChannel(k);
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT id, device_id, boot_id FROM boots")) {
                    while (rs.next()) boots.put(key(rs.getString(2), rs.getString(3)), rs.getLong(1));
                }
            }
            return null;
        });
    }

    private static String key(String a, String b) {
        return a + '\u0000' + b;
    }

    private ChannelKey cachedChannel(String deviceId, String name) {
        Map<String, ChannelKey> byName = channels.get(deviceId);
        return byName == null ? null : byName.get(name);
    }

    private void cacheChannel(ChannelKey k) {
        channels.computeIfAbsent(k.deviceId(), d -> new ConcurrentHashMap<>()).put(k.name(), k);
    }

    // ---------------------------------------------------------------- plumbing

    private <T> T read(SqlFn<T> fn) {
        Connection c;
        try {
            c = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted waiting for a database connection");
        }
        try {
            return fn.apply(c);
        } catch (SQLException e) {
            throw new StoreException("database read failed: " + e.getMessage(), e);
        } finally {
            readers.add(c);
        }
    }

    /** Runs fn in one transaction on the writer; afterCommit runs only when it committed. */
    private <T> T tx(SqlFn<T> fn) {
        writeLock.lock();
        try {
            try {
                T result = fn.apply(writer);
                writer.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    writer.rollback();
                } catch (SQLException re) {
                    e.addSuppressed(re);
                }
                if (e instanceof StoreException se) throw se;
                throw new StoreException("database write failed: " + e.getMessage(), e);
            }
        } finally {
            writeLock.unlock();
        }
    }

    private static Device device(ResultSet rs) throws SQLException {
        Double battery = rs.getDouble(7);
        if (rs.wasNull()) battery = null;
        Double signal = rs.getDouble(8);
        if (rs.wasNull()) signal = null;
        return new Device(rs.getString(1), rs.getString(2), rs.getString(3), DeviceState.valueOf(rs.getString(4)),
                rs.getLong(5), rs.getLong(6), battery, signal, rs.getInt(9) != 0);
    }

    private static void setNullableDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null) ps.setNull(i, Types.DOUBLE);
        else ps.setDouble(i, v);
    }

    // ---------------------------------------------------------------- ingest

    @Override
    public List<WriteResult> write(List<Batch> batches, long receivedMillis) {
        Map<String, Device> newDevices = new HashMap<>();
        Map<String, ChannelKey> newChannels = new HashMap<>();
        Map<String, Long> newBoots = new HashMap<>();
        List<WriteResult> results = tx(c -> {
            newDevices.clear();
            newChannels.clear();
            newBoots.clear();
            int n = batches.size();
            Device[] devs = new Device[n];
            long[][] chanIds = new long[n][];
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO readings (boot, seq, channel, t, value, vtext) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                for (int b = 0; b < n; b++) {
                    Batch batch = batches.get(b);
                    Device d = newDevices.get(batch.deviceId());
                    if (d == null) d = devices.get(batch.deviceId());
                    if (d == null) {
                        d = insertDevice(c, batch.deviceId(), receivedMillis);
                        newDevices.put(d.id(), d);
                    }
                    devs[b] = d;
                    if (d.state() == DeviceState.REJECTED) continue;
                    long boot = bootKey(c, batch.deviceId(), batch.bootId(), newBoots);
                    List<Reading> rs = batch.readings();
                    chanIds[b] = new long[rs.size()];
                    for (int i = 0; i < rs.size(); i++) {
                        Reading r = rs.get(i);
                        long ch = channelKey(c, batch.deviceId(), r.channel(), r.unit(), newChannels);
                        chanIds[b][i] = ch;
                        ins.setLong(1, boot);
                        ins.setLong(2, batch.firstSeq() + i);
                        ins.setLong(3, ch);
                        ins.setLong(4, r.timeMillis());
                        switch (r.value()) {
                            case Value.Number num -> { ins.setDouble(5, num.value()); ins.setNull(6, Types.VARCHAR); }
                            case Value.Bool bool -> { ins.setDouble(5, bool.value() ? 1 : 0); ins.setNull(6, Types.VARCHAR); }
                            case Value.Text text -> { ins.setNull(5, Types.DOUBLE); ins.setString(6, text.value()); }
                            case Value.Data data -> { ins.setNull(5, Types.DOUBLE); ins.setString(6, Base64.getEncoder().encodeToString(data.value())); }
                        }
                        ins.addBatch();
                    }
                }
                int[] counts = ins.executeBatch();
                return finishWrite(c, batches, devs, chanIds, counts, receivedMillis, newDevices);
            }
        });
        devices.putAll(newDevices);
        for (ChannelKey k : newChannels.values()) cacheChannel(k);
        boots.putAll(newBoots);
        return results;
    }

    private List<WriteResult> finishWrite(Connection c, List<Batch> batches, Device[] devs, long[][] chanIds, int[] counts,
                                          long now, Map<String, Device> newDevices) throws SQLException {
        List<WriteResult> results = new ArrayList<>(batches.size());
        Map<Long, StoredReading> lastPerChannel = new HashMap<>();
        Map<String, Double[]> deviceVitals = new HashMap<>(); // battery, signal
        int row = 0;
        for (int b = 0; b < batches.size(); b++) {
            Batch batch = batches.get(b);
            if (chanIds[b] == null) {
                results.add(new WriteResult(devs[b], List.of(), 0, true));
                continue;
            }
            List<StoredReading> stored = new ArrayList<>(batch.readings().size());
            int dup = 0;
            Double[] vitals = deviceVitals.computeIfAbsent(batch.deviceId(), k -> new Double[2]);
            for (int i = 0; i < batch.readings().size(); i++, row++) {
                if (counts[row] == 0) {
                    dup++;
                    continue;
                }
                Reading r = batch.readings().get(i);
                Double v = null;
                String text = null;
                switch (r.value()) {
                    case Value.Number num -> v = num.value();
                    case Value.Bool bool -> v = bool.value() ? 1.0 : 0.0;
                    case Value.Text t -> text = t.value();
                    case Value.Data d -> text = Base64.getEncoder().encodeToString(d.value());
                }
                StoredReading sr = new StoredReading(batch.deviceId(), r.channel(), batch.bootId(), batch.firstSeq() + i,
                        r.timeMillis(), v, text);
                stored.add(sr);
                StoredReading prev = lastPerChannel.get(chanIds[b][i]);
                if (prev == null || prev.timeMillis() <= sr.timeMillis()) lastPerChannel.put(chanIds[b][i], sr);
                if (v != null && r.channel().equals("battery")) vitals[0] = v;
                if (v != null && (r.channel().equals("rssi") || r.channel().equals("signal"))) vitals[1] = v;
            }
            results.add(new WriteResult(devs[b], stored, dup, false));
        }
        for (var e : lastPerChannel.entrySet()) {
            dirtyChannels.merge(e.getKey(), e.getValue(), (old, nu) -> old.timeMillis() <= nu.timeMillis() ? nu : old);
        }
        Map<String, Device> updated = new HashMap<>();
        List<String> cameOnline = new ArrayList<>();
        for (var e : deviceVitals.entrySet()) {
            Device d = newDevices.getOrDefault(e.getKey(), devices.get(e.getKey()));
            Double[] vit = e.getValue();
            if (!d.online()) cameOnline.add(d.id());
            Device nu = new Device(d.id(), d.name(), d.room(), d.state(), d.firstSeenMillis(), now,
                    vit[0] != null ? vit[0] : d.battery(), vit[1] != null ? vit[1] : d.signal(), true);
            updated.put(d.id(), nu);
            dirtyDevices.put(d.id(), nu);
        }
        if (!cameOnline.isEmpty()) {
            try (PreparedStatement up = c.prepareStatement("UPDATE devices SET online = 1 WHERE id = ?")) {
                for (String id : cameOnline) {
                    up.setString(1, id);
                    up.addBatch();
                }
                up.executeBatch();
            }
        }
        // last values and last-seen move with every pack: written at most once a second, not per
        // commit (thousands of UPDATEs per group otherwise); the readings themselves are never delayed
        if (now - lastFlushMillis >= FLUSH_MILLIS) flushDirty(c);
        newDevices.putAll(updated);
        List<WriteResult> out = new ArrayList<>(results.size());
        for (WriteResult r : results) {
            Device d = updated.getOrDefault(r.device().id(), r.device());
            out.add(new WriteResult(d, r.stored(), r.duplicates(), r.refused()));
        }
        return out;
    }

    private static final long FLUSH_MILLIS = 1000;
    /** Channel last values (by channel id) and device vitals not yet written; guarded by writeLock. */
    private final Map<Long, StoredReading> dirtyChannels = new ConcurrentHashMap<>();
    private final Map<String, Device> dirtyDevices = new ConcurrentHashMap<>();
    private long lastFlushMillis;

    private void flushDirty(Connection c) throws SQLException {
        lastFlushMillis = System.currentTimeMillis();
        if (!dirtyChannels.isEmpty()) {
            Map<Long, StoredReading> snap = new HashMap<>(dirtyChannels);
            try (PreparedStatement up = c.prepareStatement(
                    "UPDATE channels SET last_value = ?, last_text = ?, last_time = ? WHERE id = ? AND last_time <= ?")) {
                for (var e : snap.entrySet()) {
                    StoredReading r = e.getValue();
                    setNullableDouble(up, 1, r.value());
                    up.setString(2, r.text());
                    up.setLong(3, r.timeMillis());
                    up.setLong(4, e.getKey());
                    up.setLong(5, r.timeMillis());
                    up.addBatch();
                }
                up.executeBatch();
            }
            snap.forEach(dirtyChannels::remove);
        }
        if (!dirtyDevices.isEmpty()) {
            Map<String, Device> snap = new HashMap<>(dirtyDevices);
            try (PreparedStatement up = c.prepareStatement(
                    "UPDATE devices SET last_seen = ?, battery = ?, signal = ? WHERE id = ?")) {
                for (Device d : snap.values()) {
                    up.setLong(1, d.lastSeenMillis());
                    setNullableDouble(up, 2, d.battery());
                    setNullableDouble(up, 3, d.signal());
                    up.setString(4, d.id());
                    up.addBatch();
                }
                up.executeBatch();
            }
            snap.forEach(dirtyDevices::remove);
        }
    }

    private Device insertDevice(Connection c, String id, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO devices (id, state, first_seen, last_seen, online) VALUES (?, ?, ?, ?, 0) ON CONFLICT DO NOTHING")) {
            ps.setString(1, id);
            ps.setString(2, DeviceState.NEW.name());
            ps.setLong(3, now);
            ps.setLong(4, now);
            ps.executeUpdate();
        }
        return new Device(id, null, null, DeviceState.NEW, now, now, null, null, false);
    }

    private long bootKey(Connection c, String deviceId, String bootId, Map<String, Long> fresh) throws SQLException {
        String k = key(deviceId, bootId);
        Long id = boots.get(k);
        if (id == null) id = fresh.get(k);
        if (id != null) return id;
        id = insertReturningId(c, "INSERT INTO boots (device_id, boot_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                "SELECT id FROM boots WHERE device_id = ? AND boot_id = ?", deviceId, bootId);
        fresh.put(k, id);
        return id;
    }

    private long channelKey(Connection c, String deviceId, String name, String unit, Map<String, ChannelKey> fresh)
            throws SQLException {
        ChannelKey ck = cachedChannel(deviceId, name);
        if (ck != null) return ck.id();
        String k = key(deviceId, name); // one not committed yet: only a new channel gets here
        ck = fresh.get(k);
        if (ck != null) return ck.id();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO channels (device_id, name, unit) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, deviceId);
            ps.setString(2, name);
            ps.setString(3, unit);
            ps.executeUpdate();
        }
        long id = selectId(c, "SELECT id FROM channels WHERE device_id = ? AND name = ?", deviceId, name);
        fresh.put(k, new ChannelKey(id, deviceId, name, unit));
        return id;
    }

    private long insertReturningId(Connection c, String insert, String select, String a, String b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insert)) {
            ps.setString(1, a);
            ps.setString(2, b);
            ps.executeUpdate();
        }
        return selectId(c, select, a, b);
    }

    private static long selectId(Connection c, String select, String a, String b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(select)) {
            ps.setString(1, a);
            ps.setString(2, b);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new SQLException("row vanished: " + select);
                return rs.getLong(1);
            }
        }
    }

    // ---------------------------------------------------------------- devices

    @Override
    public List<Device> devices() {
        return devices.values().stream().sorted(java.util.Comparator.comparing(Device::id)).toList();
    }

    @Override
    public Optional<Device> device(String id) {
        return Optional.ofNullable(devices.get(id));
    }

    @Override
    public Device adopt(String id, String name, String room) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a device needs a name to be adopted");
        return updateDevice(id, "UPDATE devices SET state = ?, name = ?, room = ? WHERE id = ?",
                d -> new Device(d.id(), name, room, DeviceState.ADOPTED, d.firstSeenMillis(), d.lastSeenMillis(),
                        d.battery(), d.signal(), d.online()),
                ps -> {
                    ps.setString(1, DeviceState.ADOPTED.name());
                    ps.setString(2, name);
                    ps.setString(3, room);
                    ps.setString(4, id);
                });
    }

    @Override
    public Device reject(String id) {
        return updateDevice(id, "UPDATE devices SET state = ? WHERE id = ?",
                d -> new Device(d.id(), d.name(), d.room(), DeviceState.REJECTED, d.firstSeenMillis(), d.lastSeenMillis(),
                        d.battery(), d.signal(), d.online()),
                ps -> {
                    ps.setString(1, DeviceState.REJECTED.name());
                    ps.setString(2, id);
                });
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private Device updateDevice(String id, String sql, java.util.function.UnaryOperator<Device> change, Binder binder) {
        writeLock.lock();
        try {
            Device d = devices.get(id);
            if (d == null) throw new StoreException("no device '" + id + "'");
            Device next = change.apply(d);
            tx(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    binder.bind(ps);
                    ps.executeUpdate();
                }
                return null;
            });
            devices.put(id, next);
            return next;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public Device setOnline(String id, boolean online, long atMillis) {
        writeLock.lock();
        try {
            Device d = devices.get(id);
            Device next = tx(c -> {
                Device base = d != null ? d : insertDevice(c, id, atMillis);
                try (PreparedStatement ps = c.prepareStatement("UPDATE devices SET online = ? WHERE id = ?")) {
                    ps.setInt(1, online ? 1 : 0);
                    ps.setString(2, id);
                    ps.executeUpdate();
                }
                return new Device(base.id(), base.name(), base.room(), base.state(), base.firstSeenMillis(),
                        base.lastSeenMillis(), base.battery(), base.signal(), online);
            });
            devices.put(id, next);
            return next;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public boolean deleteDevice(String id) {
        writeLock.lock();
        try {
            if (!devices.containsKey(id)) return false;
            tx(c -> {
                for (String sql : List.of(
                        "DELETE FROM readings WHERE boot IN (SELECT id FROM boots WHERE device_id = ?)",
                        "DELETE FROM rollups_1m WHERE channel IN (SELECT id FROM channels WHERE device_id = ?)",
                        "DELETE FROM rollups_1h WHERE channel IN (SELECT id FROM channels WHERE device_id = ?)",
                        "DELETE FROM boots WHERE device_id = ?",
                        "DELETE FROM device_keys WHERE device_id = ?",
                        "DELETE FROM device_public_keys WHERE device_id = ?",
                        "DELETE FROM channels WHERE device_id = ?",
                        "DELETE FROM alerts WHERE device_id = ?",
                        "DELETE FROM alert_rules WHERE device_id = ?",
                        CommandRows.DELETE_DEVICE.get(0), CommandRows.DELETE_DEVICE.get(1),
                        "DELETE FROM devices WHERE id = ?")) {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setString(1, id);
                        ps.executeUpdate();
                    }
                }
                return null;
            });
            devices.remove(id);
            dirtyDevices.remove(id);
            Map<String, ChannelKey> gone = channels.remove(id);
            if (gone != null) gone.values().forEach(k -> dirtyChannels.remove(k.id()));
            boots.keySet().removeIf(k -> k.startsWith(id + '\u0000'));
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    // ---------------------------------------------------------------- CoAPS keys

    @Override
    public Optional<DeviceKey> deviceKey(String deviceId) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT psk, created FROM device_keys WHERE device_id = ?")) {
                ps.setString(1, deviceId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new DeviceKey(deviceId, Base64.getDecoder().decode(rs.getString(1)), rs.getLong(2)))
                            : Optional.<DeviceKey>empty();
                }
            }
        });
    }

    @Override
    public void putDeviceKey(DeviceKey key) {
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO device_keys (device_id, psk, created) VALUES (?, ?, ?) "
                    + "ON CONFLICT (device_id) DO UPDATE SET psk = excluded.psk, created = excluded.created")) {
                ps.setString(1, key.deviceId());
                ps.setString(2, Base64.getEncoder().encodeToString(key.key()));
                ps.setLong(3, key.createdMillis());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public java.util.Set<String> deviceKeyIds() {
        return read(c -> {
            java.util.Set<String> out = new java.util.HashSet<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT device_id FROM device_keys")) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        });
    }

    @Override
    public boolean deleteDeviceKey(String deviceId) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM device_keys WHERE device_id = ?")) {
                ps.setString(1, deviceId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    // ---------------------------------------------------------------- presented public keys

    @Override
    public List<DevicePublicKey> devicePublicKeys() {
        return read(c -> {
            List<DevicePublicKey> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT device_id, public_key, fingerprint, pinned, presented, next_key FROM device_public_keys")) {
                while (rs.next()) {
                    String next = rs.getString(6);
                    out.add(new DevicePublicKey(rs.getString(1), Base64.getDecoder().decode(rs.getString(2)), rs.getString(3),
                            rs.getInt(4) != 0, rs.getLong(5), next == null ? null : Base64.getDecoder().decode(next)));
                }
            }
            return out;
        });
    }

    @Override
    public void putDevicePublicKey(DevicePublicKey key) {
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO device_public_keys (device_id, public_key, fingerprint, pinned, presented, next_key) VALUES (?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (device_id) DO UPDATE SET public_key = excluded.public_key, fingerprint = excluded.fingerprint, "
                    + "pinned = excluded.pinned, presented = excluded.presented, next_key = excluded.next_key")) {
                ps.setString(1, key.deviceId());
                ps.setString(2, Base64.getEncoder().encodeToString(key.subjectPublicKeyInfo()));
                ps.setString(3, key.fingerprint());
                ps.setInt(4, key.pinned() ? 1 : 0);
                ps.setLong(5, key.presentedMillis());
                byte[] next = key.next();
                if (next == null) ps.setNull(6, Types.VARCHAR);
                else ps.setString(6, Base64.getEncoder().encodeToString(next));
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean deleteDevicePublicKey(String deviceId) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM device_public_keys WHERE device_id = ?")) {
                ps.setString(1, deviceId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<Channel> channels(String deviceId) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT device_id, name, unit, last_value, last_text, last_time FROM channels WHERE device_id = ? ORDER BY name")) {
                ps.setString(1, deviceId);
                List<Channel> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Double v = rs.getDouble(4);
                        if (rs.wasNull()) v = null;
                        Channel ch = new Channel(rs.getString(1), rs.getString(2), rs.getString(3), v, rs.getString(5), rs.getLong(6));
                        ChannelKey k = cachedChannel(ch.deviceId(), ch.name());
                        StoredReading newer = k == null ? null : dirtyChannels.get(k.id());
                        if (newer != null && newer.timeMillis() >= ch.lastTimeMillis()) {
                            ch = new Channel(ch.deviceId(), ch.name(), ch.unit(), newer.value(), newer.text(), newer.timeMillis());
                        }
                        out.add(ch);
                    }
                }
                return out;
            }
        });
    }

    // ---------------------------------------------------------------- readings

    @Override
    public List<StoredReading> readings(String deviceId, String channel, long fromMillis, long toMillis, int limit) {
        ChannelKey ck = cachedChannel(deviceId, channel);
        if (ck == null) return List.of();
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT b.boot_id, r.seq, r.t, r.value, r.vtext FROM readings r JOIN boots b ON b.id = r.boot"
                            + " WHERE r.channel = ? AND r.t >= ? AND r.t < ? ORDER BY r.t, r.seq LIMIT ?")) {
                ps.setLong(1, ck.id());
                ps.setLong(2, fromMillis);
                ps.setLong(3, toMillis);
                ps.setInt(4, Math.max(0, limit));
                List<StoredReading> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Double v = rs.getDouble(4);
                        if (rs.wasNull()) v = null;
                        out.add(new StoredReading(deviceId, channel, rs.getString(1), rs.getLong(2), rs.getLong(3), v, rs.getString(5)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public Series series(String deviceId, String channel, long fromMillis, long toMillis, Resolution resolution) {
        Resolution res = resolution != null ? resolution : Resolution.forRange(fromMillis, toMillis);
        ChannelKey ck = cachedChannel(deviceId, channel);
        if (ck == null) return new Series(deviceId, channel, null, res, List.of());
        List<Point> points = read(c -> {
            if (res == Resolution.RAW) {
                List<Point> out = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT t, value FROM readings WHERE channel = ? AND t >= ? AND t < ? AND value IS NOT NULL ORDER BY t")) {
                    ps.setLong(1, ck.id());
                    ps.setLong(2, fromMillis);
                    ps.setLong(3, toMillis);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            double v = rs.getDouble(2);
                            out.add(new Point(rs.getLong(1), v, v, v, 1));
                        }
                    }
                }
                return out;
            }
            // a bucketed range may span raw data (recent) and rollups (older): aggregate each and merge
            long w = res.bucketMillis();
            TreeMap<Long, Point> merged = new TreeMap<>();
            long from = Math.floorDiv(fromMillis, w) * w;
            bucketQuery(c, merged, "SELECT (t / " + w + ") * " + w + " AS b, MIN(value), MAX(value), AVG(value), COUNT(*) FROM readings"
                    + " WHERE channel = ? AND t >= ? AND t < ? AND value IS NOT NULL GROUP BY (t / " + w + ") * " + w, ck.id(), from, toMillis);
            bucketQuery(c, merged, "SELECT (bucket / " + w + ") * " + w + " AS b, MIN(vmin), MAX(vmax), SUM(vmean * n) / SUM(n), SUM(n) FROM rollups_1m"
                    + " WHERE channel = ? AND bucket >= ? AND bucket < ? GROUP BY (bucket / " + w + ") * " + w, ck.id(), from, toMillis);
            if (res == Resolution.HOUR) {
                bucketQuery(c, merged, "SELECT bucket, vmin, vmax, vmean, n FROM rollups_1h WHERE channel = ? AND bucket >= ? AND bucket < ?",
                        ck.id(), from, toMillis);
            }
            return new ArrayList<>(merged.values());
        });
        return new Series(deviceId, channel, ck.unit(), res, points);
    }

    private static void bucketQuery(Connection c, TreeMap<Long, Point> into, String sql, long channel, long from, long to)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, channel);
            ps.setLong(2, from);
            ps.setLong(3, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Point p = new Point(rs.getLong(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getLong(5));
                    into.merge(p.timeMillis(), p, JdbcStore::combine);
                }
            }
        }
    }

    static Point combine(Point a, Point b) {
        long n = a.count() + b.count();
        return new Point(a.timeMillis(), Math.min(a.min(), b.min()), Math.max(a.max(), b.max()),
                (a.mean() * a.count() + b.mean() * b.count()) / n, n);
    }

    @Override
    public long readingCount(String deviceId) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*) FROM readings WHERE boot IN (SELECT id FROM boots WHERE device_id = ?)")) {
                ps.setString(1, deviceId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    // ---------------------------------------------------------------- retention

    private static final String MERGE_SET =
            " DO UPDATE SET vmin = CASE WHEN excluded.vmin < %1$s.vmin THEN excluded.vmin ELSE %1$s.vmin END,"
                    + " vmax = CASE WHEN excluded.vmax > %1$s.vmax THEN excluded.vmax ELSE %1$s.vmax END,"
                    + " vmean = (%1$s.vmean * %1$s.n + excluded.vmean * excluded.n) / (%1$s.n + excluded.n),"
                    + " n = %1$s.n + excluded.n";

    @Override
    public RetentionReport applyRetention(long nowMillis, int rawDays, int minuteDays) {
        if (rawDays < 1 || minuteDays < rawDays) throw new IllegalArgumentException("need 1 <= rawDays <= minuteDays");
        long rawCut = Math.floorDiv(nowMillis - rawDays * 86_400_000L, 60_000L) * 60_000L;
        long minuteCut = Math.floorDiv(nowMillis - minuteDays * 86_400_000L, 3_600_000L) * 3_600_000L;
        long[] totals = new long[5];
        List<Long> ids = read(c -> {
            List<Long> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM channels")) {
                while (rs.next()) out.add(rs.getLong(1));
            }
            return out;
        });
        // one short transaction per channel, so ingest's group commits are never held up for long
        for (long ch : ids) {
            tx(c -> {
                long[] r = new long[5];
                r[0] = update(c, "INSERT INTO rollups_1m (channel, bucket, vmin, vmax, vmean, n)"
                        + " SELECT channel, (t / 60000) * 60000, MIN(value), MAX(value), AVG(value), COUNT(*) FROM readings"
                        + " WHERE channel = ? AND t < ? AND value IS NOT NULL GROUP BY channel, (t / 60000) * 60000"
                        + " ON CONFLICT (channel, bucket)" + MERGE_SET.formatted("rollups_1m"), ch, rawCut);
                r[1] = update(c, "DELETE FROM readings WHERE channel = ? AND t < ?", ch, rawCut);
                r[2] = r[0];
                r[4] = update(c, "INSERT INTO rollups_1h (channel, bucket, vmin, vmax, vmean, n)"
                        + " SELECT channel, (bucket / 3600000) * 3600000, MIN(vmin), MAX(vmax), SUM(vmean * n) / SUM(n), SUM(n)"
                        + " FROM rollups_1m WHERE channel = ? AND bucket < ? GROUP BY channel, (bucket / 3600000) * 3600000"
                        + " ON CONFLICT (channel, bucket)" + MERGE_SET.formatted("rollups_1h"), ch, minuteCut);
                r[3] = update(c, "DELETE FROM rollups_1m WHERE channel = ? AND bucket < ?", ch, minuteCut);
                for (int i = 0; i < 5; i++) totals[i] += r[i];
                return null;
            });
        }
        return new RetentionReport(totals[1], totals[1], totals[2], totals[3], totals[4]);
    }

    private static long update(Connection c, String sql, long a, long b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, a);
            ps.setLong(2, b);
            return ps.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- users and sessions

    @Override
    public long userCount() {
        return read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM users")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static final String USER_COLS = "SELECT id, username, password_hash, role, created FROM users";

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getLong(1), rs.getString(2), rs.getString(3), Role.valueOf(rs.getString(4)), rs.getLong(5));
    }

    @Override
    public List<User> users() {
        return read(c -> {
            List<User> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(USER_COLS + " ORDER BY username")) {
                while (rs.next()) out.add(user(rs));
            }
            return out;
        });
    }

    @Override
    public Optional<User> user(String username) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(USER_COLS + " WHERE username = ?")) {
                ps.setString(1, username);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(user(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Optional<User> user(long id) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(USER_COLS + " WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(user(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public User createUser(String username, String passwordHash, Role role, long nowMillis) {
        return tx(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM users WHERE username = ?")) {
                q.setString(1, username);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) throw new StoreException("the username '" + username + "' is taken");
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO users (username, password_hash, role, created) VALUES (?, ?, ?, ?) RETURNING id")) {
                ps.setString(1, username);
                ps.setString(2, passwordHash);
                ps.setString(3, role.name());
                ps.setLong(4, nowMillis);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new User(rs.getLong(1), username, passwordHash, role, nowMillis);
                }
            }
        });
    }

    @Override
    public void updatePassword(long userId, String passwordHash) {
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE users SET password_hash = ? WHERE id = ?")) {
                ps.setString(1, passwordHash);
                ps.setLong(2, userId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean deleteUser(long userId) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM sessions WHERE user_id = ?")) {
                ps.setLong(1, userId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
                ps.setLong(1, userId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void saveSession(Session s) {
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO sessions (id, user_id, csrf, created, expires) VALUES (?, ?, ?, ?, ?)"
                            + " ON CONFLICT (id) DO UPDATE SET csrf = excluded.csrf, expires = excluded.expires")) {
                ps.setString(1, s.id());
                ps.setLong(2, s.userId());
                ps.setString(3, s.csrfToken());
                ps.setLong(4, s.createdMillis());
                ps.setLong(5, s.expiresMillis());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<Session> session(String id) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, user_id, csrf, created, expires FROM sessions WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new Session(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getLong(5)))
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public void deleteSession(String id) {
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM sessions WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public int deleteExpiredSessions(long nowMillis) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM sessions WHERE expires < ?")) {
                ps.setLong(1, nowMillis);
                return ps.executeUpdate();
            }
        });
    }

    // ---------------------------------------------------------------- audit trail

    @Override
    public AuditEvent audit(AuditEvent e) {
        long id = tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO audit (at, actor, address, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
                ps.setLong(1, e.atMillis());
                ps.setString(2, e.actor());
                ps.setString(3, e.address());
                ps.setString(4, e.action().label());
                ps.setString(5, e.subject());
                ps.setString(6, e.detail());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
        return new AuditEvent(id, e.atMillis(), e.actor(), e.address(), e.action(), e.subject(), e.detail());
    }

    @Override
    public List<AuditEvent> auditTrail(long beforeId, int limit) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, at, actor, address, action, subject, detail FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?")) {
                ps.setLong(1, beforeId);
                ps.setInt(2, limit);
                List<AuditEvent> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AuditEvent(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                AuditEvent.Action.ofLabel(rs.getString(5)), rs.getString(6), rs.getString(7)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public int trimAuditTrail(int keep) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM audit WHERE id <= (SELECT COALESCE(MAX(id), 0) FROM audit) - ?")) {
                ps.setLong(1, keep);
                return ps.executeUpdate();
            }
        });
    }

    // ---------------------------------------------------------------- alert rules and alerts

    private static final String RULE_COLS = "SELECT id, name, device_id, channel, op, threshold, duration_s, enabled FROM alert_rules";

    private static AlertRule rule(ResultSet rs) throws SQLException {
        return new AlertRule(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), Op.valueOf(rs.getString(5)),
                rs.getDouble(6), rs.getLong(7), rs.getInt(8) != 0);
    }

    // ---------------------------------------------------------------- automations

    @Override
    public AutomationRow createAutomation(String name, boolean enabled, String definition, long nowMillis) {
        return tx(c -> AutomationRows.create(c, name, enabled, definition, nowMillis));
    }

    @Override
    public Optional<AutomationRow> updateAutomation(long id, String name, boolean enabled, String definition, long nowMillis) {
        return tx(c -> AutomationRows.update(c, id, name, enabled, definition, nowMillis));
    }

    @Override
    public boolean deleteAutomation(long id) {
        return tx(c -> AutomationRows.delete(c, id));
    }

    @Override
    public List<AutomationRow> automations() {
        return read(AutomationRows::all);
    }

    @Override
    public Optional<AutomationRow> automation(long id) {
        return read(c -> AutomationRows.one(c, id));
    }

    @Override
    public boolean recordAutomationRun(long id, String event, String reason, long atMillis) {
        return tx(c -> AutomationRows.recordRun(c, id, event, reason, atMillis));
    }

    @Override
    public List<AutomationRun> automationRuns(long id, int limit) {
        return read(c -> AutomationRows.runs(c, id, limit));
    }

    @Override
    public AutomationTimer putAutomationTimer(long automationId, String kind, String target, long dueMillis, String payload) {
        return tx(c -> AutomationRows.putTimer(c, automationId, kind, target, dueMillis, payload));
    }

    @Override
    public boolean deleteAutomationTimer(long id) {
        return tx(c -> AutomationRows.deleteTimer(c, id));
    }

    @Override
    public List<AutomationTimer> automationTimers() {
        return read(AutomationRows::timers);
    }

    @Override
    public Alert raiseAlert(long automationId, String deviceId, String channel, double value, String message, long atMillis) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO alerts (rule_id, device_id, channel, state, value, fired, message) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
                // an automation's alert has no threshold rule: its rule id is the automation's, negated
                ps.setLong(1, -automationId);
                ps.setString(2, deviceId);
                ps.setString(3, channel);
                ps.setString(4, AlertState.FIRING.name());
                ps.setDouble(5, value);
                ps.setLong(6, atMillis);
                ps.setString(7, message);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Alert(rs.getLong(1), -automationId, deviceId, channel, AlertState.FIRING, value, atMillis, 0, null, 0, message);
                }
            }
        });
    }

    // ---------------------------------------------------------------- commands

    @Override
    public String commandEpoch() {
        return read(CommandRows::epoch);
    }

    @Override
    public StoredCommand createCommand(String deviceId, String output, OutputKind kind, double value, String origin,
                                       long nowMillis, long expiresMillis) {
        return tx(c -> CommandRows.create(c, deviceId, output, kind, value, origin, nowMillis, expiresMillis));
    }

    @Override
    public List<StoredCommand> pendingCommands(String deviceId) {
        return read(c -> CommandRows.pending(c, deviceId));
    }

    @Override
    public List<String> devicesWithPendingCommands() {
        return read(CommandRows::devicesWithPending);
    }

    @Override
    public List<StoredCommand> commands(String deviceId, int limit) {
        return read(c -> CommandRows.recent(c, deviceId, limit));
    }

    @Override
    public Optional<StoredCommand> command(long id) {
        return read(c -> CommandRows.one(c, id));
    }

    @Override
    public Optional<StoredCommand> finishCommand(long id, String deviceId, StoredCommand.CommandState state, String detail, long atMillis) {
        return tx(c -> CommandRows.finish(c, id, deviceId, state, detail, atMillis));
    }

    @Override
    public List<StoredCommand> expireCommands(long nowMillis) {
        // looked at several times a second: the writer's lock only when something is due
        if (!read(c -> CommandRows.anyDue(c, nowMillis))) return List.of();
        return tx(c -> CommandRows.expire(c, nowMillis));
    }

    @Override
    public void putOutputs(String deviceId, List<DeviceOutput> outputs) {
        tx(c -> {
            CommandRows.putOutputs(c, deviceId, outputs);
            return null;
        });
    }

    @Override
    public List<DeviceOutput> outputs(String deviceId) {
        return read(c -> CommandRows.outputs(c, deviceId));
    }

    @Override
    public AlertRule createRule(AlertRule r) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO alert_rules (name, device_id, channel, op, threshold, duration_s, enabled) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
                bindRule(ps, r);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return r.withId(rs.getLong(1));
                }
            }
        });
    }

    @Override
    public List<AlertRule> rules() {
        return read(c -> {
            List<AlertRule> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(RULE_COLS + " ORDER BY id")) {
                while (rs.next()) out.add(rule(rs));
            }
            return out;
        });
    }

    @Override
    public Optional<AlertRule> rule(long id) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(RULE_COLS + " WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rule(rs)) : Optional.empty();
                }
            }
        });
    }

    /** The rule's fields as parameters 1..7 (name, device, channel, op, threshold, duration, enabled). */
    private static void bindRule(PreparedStatement ps, AlertRule r) throws SQLException {
        ps.setString(1, r.name());
        ps.setString(2, r.deviceId());
        ps.setString(3, r.channel());
        ps.setString(4, r.op().name());
        ps.setDouble(5, r.threshold());
        ps.setLong(6, r.durationSeconds());
        ps.setInt(7, r.enabled() ? 1 : 0);
    }

    @Override
    public Optional<AlertRule> updateRule(AlertRule r) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE alert_rules SET name = ?, device_id = ?, channel = ?, op = ?, threshold = ?, duration_s = ?, enabled = ? WHERE id = ?")) {
                bindRule(ps, r);
                ps.setLong(8, r.id());
                return ps.executeUpdate() > 0 ? Optional.of(r) : Optional.<AlertRule>empty();
            }
        });
    }

    @Override
    public boolean deleteRule(long id) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM alert_rules WHERE id = ?")) {
                ps.setLong(1, id);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Map<Long, Long> holdingSince() {
        return read(c -> {
            Map<Long, Long> out = new HashMap<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id, holding_since FROM alert_rules WHERE holding_since IS NOT NULL")) {
                while (rs.next()) out.put(rs.getLong(1), rs.getLong(2));
            }
            return out;
        });
    }

    @Override
    public void setHoldingSince(long ruleId, Long sinceMillis) {
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE alert_rules SET holding_since = ? WHERE id = ?")) {
                if (sinceMillis == null) ps.setNull(1, Types.BIGINT);
                else ps.setLong(1, sinceMillis);
                ps.setLong(2, ruleId);
                return ps.executeUpdate();
            }
        });
    }

    private static final String ALERT_COLS =
            "SELECT id, rule_id, device_id, channel, state, value, fired, acked, acked_by, cleared, message FROM alerts";

    private static Alert alert(ResultSet rs) throws SQLException {
        return new Alert(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), AlertState.valueOf(rs.getString(5)),
                rs.getDouble(6), rs.getLong(7), rs.getLong(8), rs.getString(9), rs.getLong(10), rs.getString(11));
    }

    @Override
    public List<Alert> alerts(boolean activeOnly) {
        return read(c -> {
            List<Alert> out = new ArrayList<>();
            String sql = ALERT_COLS + (activeOnly ? " WHERE state <> 'CLEARED'" : "") + " ORDER BY fired DESC, id DESC";
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) out.add(alert(rs));
            }
            return out;
        });
    }

    @Override
    public Optional<Alert> alert(long id) {
        return read(c -> alertIn(c, id));
    }

    private static Optional<Alert> alertIn(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ALERT_COLS + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(alert(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public Alert fireAlert(AlertRule rule, double value, long atMillis) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO alerts (rule_id, device_id, channel, state, value, fired) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
                ps.setLong(1, rule.id());
                ps.setString(2, rule.deviceId());
                ps.setString(3, rule.channel());
                ps.setString(4, AlertState.FIRING.name());
                ps.setDouble(5, value);
                ps.setLong(6, atMillis);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Alert(rs.getLong(1), rule.id(), rule.deviceId(), rule.channel(), AlertState.FIRING, value,
                            atMillis, 0, null, 0, null);
                }
            }
        });
    }

    @Override
    public Optional<Alert> acknowledgeAlert(long id, String username, long atMillis) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE alerts SET state = 'ACKNOWLEDGED', acked = ?, acked_by = ? WHERE id = ? AND state = 'FIRING'")) {
                ps.setLong(1, atMillis);
                ps.setString(2, username);
                ps.setLong(3, id);
                ps.executeUpdate();
            }
            return alertIn(c, id);
        });
    }

    @Override
    public Optional<Alert> clearAlert(long id, long atMillis) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE alerts SET state = 'CLEARED', cleared = ? WHERE id = ? AND state <> 'CLEARED'")) {
                ps.setLong(1, atMillis);
                ps.setLong(2, id);
                ps.executeUpdate();
            }
            return alertIn(c, id);
        });
    }

    @Override
    public String dialect() {
        return dialect;
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            try {
                tx(c -> {
                    flushDirty(c);
                    return null;
                });
            } catch (StoreException e) {
                System.getLogger(JdbcStore.class.getName()).log(System.Logger.Level.WARNING, "last values not saved at close", e);
            }
            for (Connection c : readers) closeQuietly(c);
            closeQuietly(writer);
        } finally {
            writeLock.unlock();
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
    }
}
