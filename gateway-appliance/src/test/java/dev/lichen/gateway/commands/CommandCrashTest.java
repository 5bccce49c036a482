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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway is killed with SIGKILL (no shutdown hook, no flush) between a command and its
 * acknowledgement, at several moments (surely between: from the device's pin listener, as it
 * switches, before its acknowledgement can leave), and started again on the same data: each command
 * ends done, and the device carried each out exactly once (its own count of applied commands),
 * though the restarted gateway sends the pending set again.
 */
class CommandCrashTest {
    static final String PASSWORD = "correct horse battery";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;
    int httpPort, coapPort, coapsPort, mqttPort, mqttTlsPort;
    Api api;
    Api.Session admin;

    int starts;

    /** Each start logs to its own file (gateway-1.log, ...), kept when the test fails. */
    GatewayProcess gateway() throws Exception {
        return GatewayProcess.start(dir.resolve("gateway-" + ++starts + ".log"), List.of("--data", dir.resolve("data").toString(), "--bind", "127.0.0.1",
                "--coap-port", "" + coapPort, "--coaps-port", "" + coapsPort, "--mqtt-port", "" + mqttPort,
                "--mqtt-tls-port", "" + mqttTlsPort, "--http-port", "" + httpPort, "--plain-http"));
    }

    /** The body of a GET, or null unless it answers 200. */
    JsonNode get(String path) {
        var r = admin.send("GET", path, null);
        return r.statusCode() == 200 ? Api.read(r.body()) : null;
    }

    /** Over MQTT/TLS and over CoAPS, each with the device's own key; the device has no sensors, so it is idle between commands. */
    @ParameterizedTest
    @ValueSource(strings = {"mqtt", "coaps"})
    void aCommandCutOffByAKilledGatewayIsCarriedOutExactlyOnce(String uplink) throws Exception {
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

            // the moment of the kill: as the device switches the pin (the command is on the device,
            // its acknowledgement not yet sent: the new gateway sends it again), or a delay after the
            // REST call (the command may not have left the gateway yet, or the ack be on its way)
            var holder = new Object() { volatile GatewayProcess current; volatile boolean killOnSwitch; volatile boolean killedOnSwitch;
                volatile java.util.concurrent.CountDownLatch posted; };
            holder.current = gw;
            device.board.onOutput(change -> {
                if (change.pin() == 17 && holder.killOnSwitch) {
                    holder.killOnSwitch = false;
                    try {
                        // the REST call's answer first (the device can be quicker), then the kill
                        holder.posted.await(10, java.util.concurrent.TimeUnit.SECONDS);
                        holder.current.kill(); // synchronous: the device's runner waits, so no ack leaves first
                        holder.killedOnSwitch = true;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            boolean on = false;
            for (Moment moment : List.of(Moment.ON_SWITCH, Moment.after(0), Moment.ON_SWITCH, Moment.after(40), Moment.after(150), Moment.after(400))) {
                on = !on;
                long appliedBefore = app.stats().commandsApplied();
                holder.killedOnSwitch = false;
                holder.posted = new java.util.concurrent.CountDownLatch(1);
                holder.killOnSwitch = moment.onSwitch();
                var r = admin.send("POST", "/api/v1/devices/stairs/outputs/light", "{\"on\":" + on + "}");
                holder.posted.countDown();
                assertEquals(202, r.statusCode(), r.body());
                long id = Api.read(r.body()).get("id").asLong();
                if (moment.onSwitch()) {
                    until(Duration.ofSeconds(10), () -> holder.killedOnSwitch, "the gateway killed as the device switches the light");
                } else {
                    Thread.sleep(moment.delayMs());
                    gw.kill();
                }
                gw = gateway();
                holder.current = gw;
                all.add(gw);
                admin = api.login("admin", PASSWORD);
                long restarted = System.nanoTime();
                String what = "command " + id + " (killed " + moment + ")";
                until(Duration.ofSeconds(30), () -> {
                    JsonNode c = get("/api/v1/commands/" + id);
                    return c != null && c.get("state").asText().equals("done");
                }, what + " is done: " + get("/api/v1/commands/" + id));
                System.out.printf("%s: %s done %.1f s after the restart%n", uplink, what, (System.nanoTime() - restarted) / 1e9);
                assertEquals(on, device.board.level(17), "the light is as commanded: " + what);
                assertEquals(appliedBefore + 1, app.stats().commandsApplied(), "carried out exactly once: " + what);
            }
        } finally {
            device.close();
            for (GatewayProcess g : all) g.close();
        }
    }

    /** When the gateway is killed: from the device's pin listener, or a delay after the REST call. */
    record Moment(boolean onSwitch, long delayMs) {
        static final Moment ON_SWITCH = new Moment(true, 0);

        static Moment after(long ms) {
            return new Moment(false, ms);
        }

        @Override
        public String toString() {
            return onSwitch ? "as the pin switched" : delayMs + " ms after the call";
        }
    }
}
