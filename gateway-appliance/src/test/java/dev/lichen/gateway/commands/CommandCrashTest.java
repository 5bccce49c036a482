package dev.lichen.gateway.commands;

import static dev.lichen.gateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lichen.gateway.testing.ActingDevice;
import dev.lichen.gateway.testing.Api;
import dev.lichen.gateway.testing.GatewayProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway is killed with SIGKILL (no shutdown hook, no flush) between a command and its
 * acknowledgement, at several moments, and started again on the same data: each command ends
 * done, and the device carried each out exactly once (its own count of applied commands), though
 * the restarted gateway sends the pending set again.
 */
class CommandCrashTest {
    static final String PASSWORD = "correct horse battery";

    @TempDir
    Path dir;
    int httpPort, coapPort, coapsPort, mqttPort, mqttTlsPort;
    Api api;
    Api.Session admin;

    GatewayProcess gateway() throws Exception {
        return GatewayProcess.start(dir.resolve("gateway.log"), List.of("--data", dir.resolve("data").toString(), "--bind", "127.0.0.1",
                "--coap-port", "" + coapPort, "--coaps-port", "" + coapsPort, "--mqtt-port", "" + mqttPort,
                "--mqtt-tls-port", "" + mqttTlsPort, "--http-port", "" + httpPort, "--plain-http"));
    }

    /** The body of a GET, or null unless it answers 200. */
    JsonNode get(String path) {
        var r = admin.send("GET", path, null);
        return r.statusCode() == 200 ? Api.read(r.body()) : null;
    }

    /**
     * Over MQTT. Over CoAPS an idle device does not register its observation again within the
     * command's 30 s after such a restart (found in review, 2026-12-07; see the issue note): not yet shown here.
     */
    @Test
    void aCommandCutOffByAKilledGatewayIsCarriedOutExactlyOnce() throws Exception {
        String uplink = "mqtt";
        int[] tcp = GatewayProcess.freeTcpPorts(3);
        httpPort = tcp[0];
        mqttPort = tcp[1];
        mqttTlsPort = tcp[2];
        coapPort = GatewayProcess.freeUdpPort();
        coapsPort = GatewayProcess.freeUdpPort();
        api = new Api("http://127.0.0.1:" + httpPort);
        GatewayProcess gw = gateway();
        List<GatewayProcess> all = new ArrayList<>(List.of(gw));
        ActingDevice device = new ActingDevice(dir, "stairs", uplink, "[{\"name\": \"light\", \"kind\": \"switch\", \"pin\": 17}]");
        try {
            api.setup("admin", PASSWORD);
            admin = api.login("admin", PASSWORD);
            device.start(Files.readString(dir.resolve("data/tls/ca.crt")), uplink.equals("coaps") ? coapsPort : mqttTlsPort);
            var app = device.appliance();
            // heard, and with its key: over MQTT the status publish makes the device's row before a pack records the key
            until(Duration.ofSeconds(20), () -> {
                JsonNode d = get("/api/v1/devices/stairs");
                return d != null && d.hasNonNull("key");
            }, "the device is heard with its key");
            var adopt = admin.send("POST", "/api/v1/devices/stairs/adopt", "{\"name\":\"Stairs\",\"room\":\"Hall\",\"fingerprint\":\""
                    + device.fingerprint() + "\"}");
            assertEquals(200, adopt.statusCode(), adopt.body());
            until(Duration.ofSeconds(20), () -> get("/api/v1/devices/stairs/outputs").size() == 1, "the device announced its light");

            boolean on = false;
            // kill at once (the command may not have left the gateway), a little later (it may be on
            // the device), and later still (its acknowledgement may be on the way back)
            for (long delay : new long[] {0, 40, 150, 400}) {
                on = !on;
                long appliedBefore = app.stats().commandsApplied();
                var r = admin.send("POST", "/api/v1/devices/stairs/outputs/light", "{\"on\":" + on + "}");
                assertEquals(202, r.statusCode(), r.body());
                long id = Api.read(r.body()).get("id").asLong();
                Thread.sleep(delay);
                gw.kill();
                gw = gateway();
                all.add(gw);
                admin = api.login("admin", PASSWORD);
                until(Duration.ofSeconds(30), () -> {
                    JsonNode c = get("/api/v1/commands/" + id);
                    return c != null && c.get("state").asText().equals("done");
                }, "command " + id + " (killed after " + delay + " ms) is done: " + get("/api/v1/commands/" + id));
                assertEquals(on, device.board.level(17), "the light is as commanded (killed after " + delay + " ms)");
                assertEquals(appliedBefore + 1, app.stats().commandsApplied(), "carried out exactly once (killed after " + delay + " ms)");
            }
        } finally {
            device.close();
            for (GatewayProcess g : all) g.close();
        }
    }
}
