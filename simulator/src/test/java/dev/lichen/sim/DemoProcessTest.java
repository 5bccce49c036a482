package dev.lichen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lichen demo} as a user runs it: a separate process; the admin account made through the
 * setup API; readings read through the REST API; Ctrl-C (SIGINT) ends it with exit 0 and a
 * consistent SQLite file; a second start reuses the data.
 */
class DemoProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void demoRunsShowsReadingsStopsCleanlyOnCtrlCAndRestartsOnItsData() throws Exception {
        Path data = dir.resolve("lichen-data");
        int http = freeTcp();
        int mqtt = freeTcp();
        int coap = freeUdp();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        long t0 = System.nanoTime();
        String since = "?from=" + (System.currentTimeMillis() - 3_600_000);
        Process demo = start(data, http, coap, mqtt, dir.resolve("run1.log"));
        long readings;
        try {
            awaitOutput(dir.resolve("run1.log"), STOP_LINE, demo);
            assertTrue(Files.readString(dir.resolve("run1.log")).contains("Open http://127.0.0.1:" + http + "/"));
            assertTrue(Files.readString(dir.resolve("run1.log")).contains("First run: the page asks you to create the admin account"));
            String base = "http://127.0.0.1:" + http;
            HttpResponse<String> setup = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/setup"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"demo-password-123\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, setup.statusCode(), setup.body());
            String cookie = setup.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];

            JsonNode devices = get(client, base + "/api/v1/devices", cookie);
            assertEquals(13, devices.size(), devices.toString());
            for (JsonNode d : devices) {
                assertEquals("adopted", d.get("state").asText(), d.toString());
                assertTrue(!d.get("room").isNull(), "in a room: " + d);
                assertTrue(d.at("/key/pinned").asBoolean(), "adopted with its own key pinned: " + d);
            }
            // the first reading visible through the API, timed from the command
            long firstReading = -1;
            long deadline = System.nanoTime() + 90_000_000_000L;
            while (System.nanoTime() < deadline && firstReading < 0) {
                if (get(client, base + "/api/v1/devices/kitchen-climate/readings" + since, cookie).size() > 0) {
                    firstReading = (System.nanoTime() - t0) / 1_000_000;
                } else {
                    Thread.sleep(200);
                }
            }
            assertTrue(firstReading > 0, "a kitchen reading arrives");
            System.out.println("demo: first reading visible through the API " + firstReading + " ms after the command");
            // a few more seconds of a living home: climate, plants, fridge and doors all report
            Thread.sleep(6_000);
            readings = 0;
            List<String> silent = new ArrayList<>();
            for (JsonNode d : devices) {
                String id = d.get("id").asText();
                int n = get(client, base + "/api/v1/devices/" + id + "/readings" + since, cookie).size();
                if (n == 0 && !id.contains("motion") && !id.contains("door")) silent.add(id);
                readings += n;
            }
            assertTrue(silent.isEmpty(), "every polled device reported: silent " + silent);
            // the demo's devices are commissioned and encrypted: CoAPS with keys of their own, MQTT over TLS
            List<String> clear = new ArrayList<>();
            for (JsonNode d : get(client, base + "/api/v1/devices", cookie)) {
                if (!d.get("encrypted").isNull() && !d.get("encrypted").asBoolean()) clear.add(d.get("id").asText() + " " + d.get("link"));
                if (!d.get("link").isNull()) assertTrue(List.of("coaps", "mqtts").contains(d.get("link").asText()), d.toString());
            }
            assertTrue(clear.isEmpty(), "devices sending in the clear: " + clear);
            assertTrue(get(client, base + "/api/v1/devices/kitchen-climate", cookie).get("encrypted").asBoolean(),
                    "the kitchen (which has reported) came encrypted");
        } finally {
            interrupt(demo, dir.resolve("run1.log"));
        }
        assertTrue(demo.waitFor(60, TimeUnit.SECONDS), "the demo stops within a minute of Ctrl-C");
        String log1 = Files.readString(dir.resolve("run1.log"));
        assertEquals(0, demo.exitValue(), "exit 0 after Ctrl-C:\n" + tail(log1));
        assertTrue(log1.contains("stopped cleanly"), tail(log1));

        long stored;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("lichen.db"));
             var st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertEquals("ok", rs.getString(1));
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM readings")) {
                rs.next();
                stored = rs.getLong(1);
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM devices WHERE state = 'ADOPTED'")) {
                rs.next();
                assertEquals(13, rs.getLong(1));
            }
        }
        assertTrue(stored >= readings && readings > 0, "nothing the API showed was lost: " + stored + " >= " + readings);

        // a second start reuses the data: the account exists, the readings are still there
        Process again = start(data, http, coap, mqtt, dir.resolve("run2.log"));
        try {
            awaitOutput(dir.resolve("run2.log"), STOP_LINE, again);
            String log2 = Files.readString(dir.resolve("run2.log"));
            assertTrue(log2.contains("Log in with the account you created"), tail(log2));
            assertTrue(!log2.contains("adopted into their rooms"), "nothing to adopt again: " + tail(log2));
        } finally {
            interrupt(again, dir.resolve("run2.log"));
        }
        assertTrue(again.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, again.exitValue(), tail(Files.readString(dir.resolve("run2.log"))));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("lichen.db"));
             var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM readings")) {
            rs.next();
            assertTrue(rs.getLong(1) >= stored, "the second run kept the first run's readings");
        }
    }

    private static Process start(Path data, int http, int coap, int mqtt, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "dev.lichen.sim.demo.DemoCommand",
                "--data", data.toString(), "--http-port", "" + http, "--coap-port", "" + coap, "--mqtt-port", "" + mqtt)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Ctrl-C, as a terminal sends it. */
    /**
     * Whether this JVM started with SIGINT ignored (run as a script's background job, `cmd &`): the
     * demo it starts inherits that, so Ctrl-C cannot be tested here, and the demo says to use kill.
     */
    static final boolean SIGINT_IGNORED = sigintIgnored();
    static final String STOP_LINE = SIGINT_IGNORED ? "(SIGTERM): it was started with Ctrl-C (SIGINT) ignored" : "Press Ctrl-C to stop.";

    private static boolean sigintIgnored() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0; // bit of signal 2
            }
        } catch (IOException e) {
            // no /proc: assume the usual foreground run
        }
        return false;
    }

    /** Ctrl-C (SIGTERM where it is ignored); a demo still running a minute later leaves its threads in the log (it then fails the exit check). */
    private static void interrupt(Process p, Path log) throws Exception {
        if (SIGINT_IGNORED) System.out.println("DemoProcessTest: this JVM ignores SIGINT (a background job): stopping the demo with SIGTERM");
        if (p.isAlive()) new ProcessBuilder("kill", SIGINT_IGNORED ? "-TERM" : "-INT", Long.toString(p.pid())).start().waitFor();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            new ProcessBuilder(jcmd, Long.toString(p.pid()), "Thread.print").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start().waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }

    private static void awaitOutput(Path log, String text, Process p) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            String s = Files.exists(log) ? Files.readString(log) : "";
            if (s.contains(text)) return;
            if (!p.isAlive()) fail("the demo exited " + p.exitValue() + ":\n" + tail(s));
            Thread.sleep(100);
        }
        fail("the demo did not print \"" + text + "\" within 2 minutes:\n" + tail(Files.readString(log)));
    }

    private static JsonNode get(HttpClient client, String url, String cookie) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookie).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /** The log's end, or from the thread dump of a demo that did not stop on. */
    private static String tail(String s) {
        int dump = s.indexOf("Full thread dump");
        if (dump >= 0) return s.substring(Math.max(0, dump - 2000));
        return s.length() < 4000 ? s : s.substring(s.length() - 4000);
    }

    private static int freeTcp() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static int freeUdp() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }
}
