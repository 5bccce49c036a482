package dev.lichen.gateway.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throwaway PostgreSQL 15 cluster for tests: initdb + pg_ctl from Debian's postgresql package in
 * a temp folder, on a free loopback port. PostgreSQL refuses to run as root, so as root it runs as
 * the 'postgres' user (runuser). Fails with what to install when the binaries are missing.
 */
public final class PostgresCluster implements AutoCloseable {
    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path dir;
    private final int port;
    private final AtomicInteger dbs = new AtomicInteger();

    private PostgresCluster(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static PostgresCluster start() throws IOException, InterruptedException {
        if (!Files.isExecutable(BIN.resolve("initdb")) || !Files.isExecutable(BIN.resolve("pg_ctl"))) {
            throw new IllegalStateException("PostgreSQL 15 server binaries not found under " + BIN
                    + ": install Debian's 'postgresql' package (apt-get install postgresql)");
        }
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "lichen-pg-");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            run(List.of("chown", "postgres:postgres", dir.toString()), false);
        }
        Path data = dir.resolve("data");
        run(List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "lichen",
                "-E", "UTF8", "--no-sync"), root);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(), "-w",
                "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"), root);
        return new PostgresCluster(dir, port);
    }

    private static void run(List<String> cmd, boolean asPostgres) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) full.addAll(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(cmd);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("PostgreSQL test cluster: '" + String.join(" ", full) + "' failed:\n" + out);
        }
    }

    /** A fresh empty database; returns its JDBC URL. */
    public String newDatabase() throws SQLException {
        String name = "t" + dbs.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"))) {
            c.createStatement().execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    public String url(String db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db + "?user=lichen";
    }

    @Override
    public void close() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        run(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"), root);
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
