package dev.lichen.gateway.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.appliance.DeviceConfig;
import dev.lichen.appliance.SensorAppliance;
import dev.lichen.gateway.testing.GatewayProcess;
import dev.lichen.gateway.web.RequestGuard;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.storage.FileKeyValueStore;
import dev.lichen.runtime.storage.FileOutbox;
import dev.lichen.runtime.uplink.UplinkPump;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway is killed with SIGKILL (no shutdown hook, no flush) between a command and its
 * acknowledgement, at several moments, and started again on the same data: each command ends
 * done, and the device carried each out exactly once (its own count of applied commands), though
 * the restarted gateway sends the pending set again.
 */
class CommandCrashTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PASSWORD = "correct horse battery";

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();
    int httpPort, coapPort, coapsPort, mqttPort, mqttTlsPort;
    String cookie, csrf;

    GatewayProcess gateway() throws Exception {
        return GatewayProcess.start(dir.resolve("gateway.log"), List.of("--data", dir.resolve("data").toString(), "--bind", "127.0.0.1",
                "--coap-port", "" + coapPort, "--coaps-port", "" + coapsPort, "--mqtt-port", "" + mqttPort,
                "--mqtt-tls-port", "" + mqttTlsPort, "--http-port", "" + httpPort, "--plain-http"));
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (cookie != null) b.header("Cookie", RequestGuard.SESSION_COOKIE + "=" + cookie).header(RequestGuard.CSRF_HEADER, csrf);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    void login() throws Exception {
        cookie = null;
        var r = send("POST", "/api/v1/session", "{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(RequestGuard.SESSION_COOKIE + "="))
                .findFirst().orElseThrow().split(";")[0].substring(RequestGuard.SESSION_COOKIE.length() + 1);
        csrf = JSON.readTree(r.body()).get("csrfToken").asText();
    }

    JsonNode get(String path) throws Exception {
        var r = send("GET", path, null);
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    static void await(Duration within, java.util.concurrent.Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + within.toSeconds() + " s: " + what);
            Thread.sleep(50);
        }
    }

    @Test
    void aCommandCutOffByAKilledGatewayIsCarriedOutExactlyOnce() throws Exception {
        httpPort = GatewayProcess.freeTcpPort();
        mqttPort = GatewayProcess.freeTcpPort();
        mqttTlsPort = GatewayProcess.freeTcpPort();
        coapPort = GatewayProcess.freeUdpPort();
        coapsPort = GatewayProcess.freeUdpPort();
        GatewayProcess gw = gateway();
        List<GatewayProcess> all = new ArrayList<>(List.of(gw));
        Path data = dir.resolve("device");
        Files.createDirectories(data);
        SensorAppliance app = null;
        FileOutbox outbox = null;
        dev.lichen.runtime.uplink.Uplink uplink = null;
        try {
            assertEquals(201, send("POST", "/api/v1/setup", "{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}").statusCode());
            login();
            String json = """
                    {"deviceId": "stairs", "gateway": {"uplink": "mqtt", "host": "127.0.0.1", "port": %d, "caFile": "%s"},
                     "board": "sim", "dataDir": "%s", "sensors": [], "outputs": [{"name": "light", "kind": "switch", "pin": 17}]}
                    """.formatted(mqttTlsPort, dir.resolve("data/tls/ca.crt"), data);
            var config = DeviceConfig.parse("device.json", json.getBytes(StandardCharsets.UTF_8), Set.of());
            var store = new FileKeyValueStore(data.resolve("state"));
            var identity = dev.lichen.runtime.identity.DeviceIdentity.loadOrCreate(store);
            uplink = SensorAppliance.openUplink(config, Optional.of(identity));
            outbox = FileOutbox.open(data.resolve("outbox"), DeviceConfig.DEFAULT_OUTBOX_BUDGET);
            var board = new SimBoard("sim");
            app = new SensorAppliance(config, board, Clock.SYSTEM, outbox, uplink, List.of(), Optional.of(store),
                    new UplinkPump.Options(50, Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofMillis(200))).start();
            await(Duration.ofSeconds(20), () -> get("/api/v1/devices/stairs") != null, "the device is heard");
            var adopt = send("POST", "/api/v1/devices/stairs/adopt", "{\"name\":\"Stairs\",\"room\":\"Hall\",\"fingerprint\":\""
                    + identity.fingerprint() + "\"}");
            assertEquals(200, adopt.statusCode(), adopt.body());
            await(Duration.ofSeconds(20), () -> get("/api/v1/devices/stairs/outputs").size() == 1, "the device announced its light");

            boolean on = false;
            // kill at once (the command may not have left the gateway), a little later (it may be on
            // the device), and later still (its acknowledgement may be on the way back)
            for (long delay : new long[] {0, 40, 150, 400}) {
                on = !on;
                long appliedBefore = app.stats().commandsApplied();
                var r = send("POST", "/api/v1/devices/stairs/outputs/light", "{\"on\":" + on + "}");
                assertEquals(202, r.statusCode(), r.body());
                long id = JSON.readTree(r.body()).get("id").asLong();
                Thread.sleep(delay);
                gw.kill();
                gw = gateway();
                all.add(gw);
                login();
                await(Duration.ofSeconds(30), () -> {
                    JsonNode c = get("/api/v1/commands/" + id);
                    return c != null && c.get("state").asText().equals("done");
                }, "command " + id + " (killed after " + delay + " ms) is done: " + get("/api/v1/commands/" + id));
                assertEquals(on, board.level(17), "the light is as commanded (killed after " + delay + " ms)");
                assertEquals(appliedBefore + 1, app.stats().commandsApplied(), "carried out exactly once (killed after " + delay + " ms)");
            }
        } finally {
            if (app != null) app.close();
            if (uplink != null) uplink.close();
            if (outbox != null) outbox.close();
            for (GatewayProcess g : all) g.close();
        }
    }
}
