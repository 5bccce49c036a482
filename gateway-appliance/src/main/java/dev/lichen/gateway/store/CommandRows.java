package dev.lichen.gateway.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SQL of commands and announced outputs, for {@link JdbcStore}; the same in both dialects. */
final class CommandRows {
    private CommandRows() {}

    private static final String COLS = "SELECT id, device_id, output, kind, value, state, detail, origin, created, expires, finished FROM commands";

    static String epoch(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT epoch FROM command_epoch")) {
            if (!rs.next()) throw new SQLException("command_epoch holds no row: the schema migration V6 did not finish");
            return rs.getString(1);
        }
    }

    static StoredCommand create(Connection c, String deviceId, String output, OutputKind kind, double value, String origin,
                                long now, long expires) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO commands (device_id, output, kind, value, state, origin, created, expires)"
                + " VALUES (?, ?, ?, ?, 'PENDING', ?, ?, ?) RETURNING id")) {
            ps.setString(1, deviceId);
            ps.setString(2, output);
            ps.setString(3, kind.name());
            ps.setDouble(4, value);
            ps.setString(5, origin);
            ps.setLong(6, now);
            ps.setLong(7, expires);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new StoredCommand(rs.getLong(1), deviceId, output, kind, value, StoredCommand.CommandState.PENDING, null,
                        origin, now, expires, null);
            }
        }
    }

    static List<StoredCommand> pending(Connection c, String deviceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COLS + " WHERE device_id = ? AND state = 'PENDING' ORDER BY id")) {
            ps.setString(1, deviceId);
            return list(ps);
        }
    }

    static List<String> devicesWithPending(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT DISTINCT device_id FROM commands WHERE state = 'PENDING' ORDER BY device_id")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    static List<StoredCommand> recent(Connection c, String deviceId, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COLS + " WHERE device_id = ? ORDER BY id DESC LIMIT ?")) {
            ps.setString(1, deviceId);
            ps.setInt(2, limit);
            return list(ps);
        }
    }

    static Optional<StoredCommand> one(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COLS + " WHERE id = ?")) {
            ps.setLong(1, id);
            List<StoredCommand> l = list(ps);
            return l.isEmpty() ? Optional.empty() : Optional.of(l.getFirst());
        }
    }

    /**
     * Finishes a pending command of the device, or an expired one the device still carried out (its
     * acknowledgement came late: the output did change); empty when there is no such command or it
     * was finished already (an acknowledgement is taken once).
     */
    static Optional<StoredCommand> finish(Connection c, long id, String deviceId, StoredCommand.CommandState state, String detail,
                                          long at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE commands SET state = ?, detail = ?, finished = ?"
                + " WHERE id = ? AND device_id = ? AND (state = 'PENDING' OR state = 'EXPIRED')")) {
            ps.setString(1, state.name());
            if (detail == null || detail.isEmpty()) ps.setNull(2, Types.VARCHAR);
            else ps.setString(2, detail);
            ps.setLong(3, at);
            ps.setLong(4, id);
            ps.setString(5, deviceId);
            if (ps.executeUpdate() == 0) return Optional.empty();
        }
        return one(c, id);
    }

    static boolean anyDue(Connection c, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM commands WHERE state = 'PENDING' AND expires <= ? LIMIT 1")) {
            ps.setLong(1, now);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static List<StoredCommand> expire(Connection c, long now) throws SQLException {
        List<StoredCommand> due;
        try (PreparedStatement ps = c.prepareStatement(COLS + " WHERE state = 'PENDING' AND expires <= ? ORDER BY id")) {
            ps.setLong(1, now);
            due = list(ps);
        }
        if (due.isEmpty()) return due;
        try (PreparedStatement ps = c.prepareStatement("UPDATE commands SET state = 'EXPIRED', finished = ? WHERE id = ? AND state = 'PENDING'")) {
            for (StoredCommand d : due) {
                ps.setLong(1, now);
                ps.setLong(2, d.id());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        List<StoredCommand> out = new ArrayList<>(due.size());
        for (StoredCommand d : due) {
            out.add(new StoredCommand(d.id(), d.deviceId(), d.output(), d.kind(), d.value(), StoredCommand.CommandState.EXPIRED,
                    d.detail(), d.origin(), d.createdMillis(), d.expiresMillis(), now));
        }
        return out;
    }

    static void putOutputs(Connection c, String deviceId, List<DeviceOutput> outputs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM device_outputs WHERE device_id = ?")) {
            ps.setString(1, deviceId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO device_outputs (device_id, name, kind) VALUES (?, ?, ?)")) {
            for (DeviceOutput o : outputs) {
                ps.setString(1, deviceId);
                ps.setString(2, o.name());
                ps.setString(3, o.kind().name());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static List<DeviceOutput> outputs(Connection c, String deviceId) throws SQLException {
        List<DeviceOutput> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name, kind FROM device_outputs WHERE device_id = ? ORDER BY name")) {
            ps.setString(1, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new DeviceOutput(deviceId, rs.getString(1), OutputKind.valueOf(rs.getString(2))));
            }
        }
        return out;
    }

    /** A removed device's commands and outputs go with it. */
    static final List<String> DELETE_DEVICE = List.of(
            "DELETE FROM commands WHERE device_id = ?",
            "DELETE FROM device_outputs WHERE device_id = ?");

    private static List<StoredCommand> list(PreparedStatement ps) throws SQLException {
        List<StoredCommand> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long finished = rs.getLong(11);
                Long fin = rs.wasNull() ? null : finished;
                out.add(new StoredCommand(rs.getLong(1), rs.getString(2), rs.getString(3), OutputKind.valueOf(rs.getString(4)),
                        rs.getDouble(5), StoredCommand.CommandState.valueOf(rs.getString(6)), rs.getString(7), rs.getString(8),
                        rs.getLong(9), rs.getLong(10), fin));
            }
        }
        return out;
    }
}
