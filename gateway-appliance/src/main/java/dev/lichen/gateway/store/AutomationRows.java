package dev.lichen.gateway.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SQL of automations, their runs and timers, for {@link JdbcStore}; the same in both dialects. */
final class AutomationRows {
    private AutomationRows() {}

    private static final String COLS = "SELECT id, name, enabled, definition, created, updated, last_run, last_reason FROM automations";
    /** Runs kept per automation: enough to show its history and to know a replayed event. */
    static final int RUNS_KEPT = 200;

    static AutomationRow create(Connection c, String name, boolean enabled, String definition, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO automations (name, enabled, definition, created, updated)"
                + " VALUES (?, ?, ?, ?, ?) RETURNING id")) {
            ps.setString(1, name);
            ps.setInt(2, enabled ? 1 : 0);
            ps.setString(3, definition);
            ps.setLong(4, now);
            ps.setLong(5, now);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new AutomationRow(rs.getLong(1), name, enabled, definition, now, now, 0, null);
            }
        }
    }

    static Optional<AutomationRow> update(Connection c, long id, String name, boolean enabled, String definition, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE automations SET name = ?, enabled = ?, definition = ?, updated = ? WHERE id = ?")) {
            ps.setString(1, name);
            ps.setInt(2, enabled ? 1 : 0);
            ps.setString(3, definition);
            ps.setLong(4, now);
            ps.setLong(5, id);
            if (ps.executeUpdate() == 0) return Optional.empty();
        }
        return one(c, id);
    }

    static boolean delete(Connection c, long id) throws SQLException {
        for (String sql : List.of("DELETE FROM automation_runs WHERE automation_id = ?", "DELETE FROM automation_timers WHERE automation_id = ?")) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM automations WHERE id = ?")) {
            ps.setLong(1, id);
            return ps.executeUpdate() > 0;
        }
    }

    static List<AutomationRow> all(Connection c) throws SQLException {
        List<AutomationRow> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(COLS + " ORDER BY id")) {
            while (rs.next()) out.add(row(rs));
        }
        return out;
    }

    static Optional<AutomationRow> one(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COLS + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    /** Records a run once per event; false when this event ran the automation already. */
    static boolean recordRun(Connection c, long id, String event, String reason, long at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO automation_runs (automation_id, event, at, reason) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT DO NOTHING")) {
            ps.setLong(1, id);
            ps.setString(2, event);
            ps.setLong(3, at);
            ps.setString(4, reason);
            if (ps.executeUpdate() == 0) return false;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE automations SET last_run = ?, last_reason = ? WHERE id = ?")) {
            ps.setLong(1, at);
            ps.setString(2, reason);
            ps.setLong(3, id);
            ps.executeUpdate();
        }
        // the oldest runs go: an event that old is not replayed
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM automation_runs WHERE automation_id = ? AND at < "
                + "(SELECT MIN(at) FROM (SELECT at FROM automation_runs WHERE automation_id = ? ORDER BY at DESC LIMIT " + RUNS_KEPT + ") newest)")) {
            ps.setLong(1, id);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
        return true;
    }

    static List<AutomationRun> runs(Connection c, long id, int limit) throws SQLException {
        List<AutomationRun> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT at, event, reason FROM automation_runs WHERE automation_id = ? ORDER BY at DESC, event DESC LIMIT ?")) {
            ps.setLong(1, id);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new AutomationRun(rs.getLong(1), rs.getString(2), rs.getString(3)));
            }
        }
        return out;
    }

    /** Keeps a timer, replacing the automation's timer of the same kind and target. */
    static AutomationTimer putTimer(Connection c, long automationId, String kind, String target, long due, String payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM automation_timers WHERE automation_id = ? AND kind = ? AND target = ?")) {
            ps.setLong(1, automationId);
            ps.setString(2, kind);
            ps.setString(3, target);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO automation_timers (automation_id, kind, target, due, payload)"
                + " VALUES (?, ?, ?, ?, ?) RETURNING id")) {
            ps.setLong(1, automationId);
            ps.setString(2, kind);
            ps.setString(3, target);
            ps.setLong(4, due);
            ps.setString(5, payload);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new AutomationTimer(rs.getLong(1), automationId, kind, target, due, payload);
            }
        }
    }

    static boolean deleteTimer(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM automation_timers WHERE id = ?")) {
            ps.setLong(1, id);
            return ps.executeUpdate() > 0;
        }
    }

    static List<AutomationTimer> timers(Connection c) throws SQLException {
        List<AutomationTimer> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, automation_id, kind, target, due, payload FROM automation_timers ORDER BY due, id")) {
            while (rs.next()) out.add(new AutomationTimer(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getString(6)));
        }
        return out;
    }

    private static AutomationRow row(ResultSet rs) throws SQLException {
        return new AutomationRow(rs.getLong(1), rs.getString(2), rs.getInt(3) != 0, rs.getString(4), rs.getLong(5), rs.getLong(6),
                rs.getLong(7), rs.getString(8));
    }
}
