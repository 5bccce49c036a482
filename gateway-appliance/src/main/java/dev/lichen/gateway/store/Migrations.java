package dev.lichen.gateway.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned schema migrations: {@code db/migration/<dialect>/V<n>.sql} on the class path, applied
 * in order from n = 1, each in its own transaction, recorded in {@code schema_version}. A tiny
 * runner rather than Flyway: Flyway's SQLite support lives in a separate community module, it adds
 * megabytes and start time to a Pi appliance, and we need exactly "apply numbered files once".
 */
public final class Migrations {
    private Migrations() {}

    /** Applies the pending migrations; returns the schema version now in force. */
    public static int migrate(Connection c, String dialect) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied BIGINT NOT NULL)");
            }
            c.commit();
            int current = 0;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                if (rs.next()) current = rs.getInt(1);
            }
            for (int v = current + 1; ; v++) {
                String sql = resource("db/migration/" + dialect + "/V" + v + ".sql");
                if (sql == null) break;
                try (Statement s = c.createStatement()) {
                    for (String stmt : statements(sql)) s.execute(stmt);
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_version (version, applied) VALUES (?, ?)")) {
                        ps.setInt(1, v);
                        ps.setLong(2, System.currentTimeMillis());
                        ps.executeUpdate();
                    }
                    c.commit();
                    current = v;
                } catch (SQLException e) {
                    c.rollback();
                    throw new SQLException("schema migration V" + v + " (" + dialect + ") failed: " + e.getMessage(), e);
                }
            }
            if (resource("db/migration/" + dialect + "/V" + (current + 1) + ".sql") == null
                    && resource("db/migration/" + dialect + "/V1.sql") == null) {
                throw new SQLException("no migrations found for dialect " + dialect);
            }
            return current;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Splits a migration file into statements at ';' ending a line; "--" comment lines are dropped. */
    static List<String> statements(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : sql.split("\n")) {
            String t = line.strip();
            if (t.startsWith("--") || t.isEmpty()) continue;
            cur.append(line).append('\n');
            if (t.endsWith(";")) {
                String s = cur.toString().strip();
                out.add(s.substring(0, s.length() - 1));
                cur.setLength(0);
            }
        }
        if (!cur.toString().isBlank()) out.add(cur.toString().strip());
        return out;
    }

    private static String resource(String name) {
        try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StoreException("cannot read " + name, e);
        }
    }
}
