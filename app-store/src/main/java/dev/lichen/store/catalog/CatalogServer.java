package dev.lichen.store.catalog;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * Serves a store folder read-only over HTTP: {@code /index.json}, {@code /packages/...},
 * {@code /media/...}. The JDK's own server: the store needs nothing more and starts in milliseconds.
 */
public final class CatalogServer implements AutoCloseable {
    private static final Pattern FILE = Pattern.compile("/(index\\.json|(packages|media)/[A-Za-z0-9][A-Za-z0-9._-]{0,200})");
    private final HttpServer server;
    private final Path dir;

    public CatalogServer(Path dir, String host, int port) throws IOException {
        this.dir = dir.toRealPath();
        server = HttpServer.create(new InetSocketAddress(host, port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + port() + "/";
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                send(ex, 405, "text/plain", "only GET\n".getBytes());
                return;
            }
            if (path.equals("/")) path = "/index.json";
            Path file = FILE.matcher(path).matches() && !path.contains("..") ? dir.resolve(path.substring(1)).normalize() : null;
            if (file == null || !file.startsWith(dir) || !Files.isRegularFile(file)) {
                send(ex, 404, "text/plain", ("no such file: " + path + "\n").getBytes());
                return;
            }
            ex.getResponseHeaders().set("Cache-Control", path.equals("/index.json") ? "no-cache" : "max-age=3600");
            send(ex, 200, type(path), Files.readAllBytes(file));
        }
    }

    private static String type(String path) {
        if (path.endsWith(".json")) return "application/json";
        if (path.endsWith(".svg")) return "image/svg+xml";
        if (path.endsWith(".png")) return "image/png";
        if (path.endsWith(".lapp")) return "application/zip";
        return "application/octet-stream";
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
