package dev.lichen.gateway.commands;

import static dev.lichen.gateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.testing.ActingDevice;
import dev.lichen.gateway.testing.Api;
import dev.lichen.gateway.web.WebComponent;
import dev.lichen.gateway.web.auth.PasswordHasher;
import dev.lichen.runtime.bus.sim.SimBoard;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Commands end to end: the real gateway (web API, CoAPS server, MQTT broker over TLS) and the real
 * sensor appliance on a simulated board with a switch and a dimmer, commissioned with its own key
 * and adopted through the API as a person would. A person sets an output with the REST call the
 * web UI makes; the test checks the simulated pin, the state the gateway confirms, and the
 * command's state as the UI shows it.
 */
class CommandsTest {
    static final String PASSWORD = "correct horse battery";
    static final Duration WITHIN = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    Gateway gw;
    Api api;
    Api.Session admin;
    final List<Device> devices = new CopyOnWriteArrayList<>();

    /** A device with outputs, in this test's folder, started against this test's gateway. */
    final class Device implements AutoCloseable {
        final String id;
        final ActingDevice device;
        final SimBoard board;

        Device(String id, String uplink, String outputs) {
            this.id = id;
            this.device = new ActingDevice(dir, id, uplink, outputs);
            this.board = device.board;
            devices.add(this);
        }

        Device start() throws Exception {
            device.start(gw);
            return this;
        }

        String fingerprint() {
            return device.fingerprint();
        }

        void stop() throws java.io.IOException {
            device.stop();
        }

        @Override
        public void close() {
            device.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        startGateway(GatewayConfig.forTest(dir.resolve("gw")));
        api.setup("admin", PASSWORD);
        admin = api.login("admin", PASSWORD);
    }

    void startGateway(GatewayConfig config) throws Exception {
        gw = Gateway.start(config, List.of(new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS))));
        api = Api.of(gw);
    }

    @AfterEach
    void stop() {
        devices.forEach(Device::close);
        if (gw != null) gw.close();
    }

    /** Adopts a new device the way a person does: the fingerprint on its card, which its console printed too. */
    void adopt(Device d) throws Exception {
        // the key is recorded as its first pack is let in, the device's row once that pack is stored
        until(WITHIN, () -> gw.deviceIdentities().key(d.id).isPresent() && gw.store().device(d.id).isPresent(), "the device presented its key");
        String fingerprint = d.fingerprint();
        var r = admin.send("POST", "/api/v1/devices/" + d.id + "/adopt",
                "{\"name\":\"" + d.id + "\",\"room\":\"Hall\",\"fingerprint\":\"" + fingerprint + "\"}");
        assertEquals(200, r.statusCode(), r.body());
    }

    JsonNode set(Api.Session s, Device d, String output, String body, int expected) {
        var r = s.send("POST", "/api/v1/devices/" + d.id + "/outputs/" + output, body);
        assertEquals(expected, r.statusCode(), r.body());
        return Api.read(r.body());
    }

    String awaitState(long command, String... states) throws Exception {
        String[] seen = new String[1];
        until(WITHIN, () -> {
            seen[0] = admin.get("/api/v1/commands/" + command).get("state").asText();
            return List.of(states).contains(seen[0]);
        }, "command " + command + " becomes " + String.join(" or ", states) + " (is " + seen[0] + ")");
        return seen[0];
    }

    JsonNode output(Device d, String name) {
        for (JsonNode o : admin.get("/api/v1/devices/" + d.id + "/outputs")) {
            if (o.get("name").asText().equals(name)) return o;
        }
        throw new AssertionError("no output " + name + " in " + admin.get("/api/v1/devices/" + d.id + "/outputs"));
    }

    static final String LIGHT_AND_FAN = """
            [{"name": "light", "kind": "switch", "pin": 17}, {"name": "fan", "kind": "dimmer", "pin": 18, "ramp": "200ms"}]""";

    @ParameterizedTest
    @ValueSource(strings = {"mqtt", "coaps"})
    void aPersonSwitchesALightAndDimsAFanAndSeesTheConfirmedState(String uplink) throws Exception {
        Device d = new Device("hall-" + uplink, uplink, LIGHT_AND_FAN).start();
        adopt(d);
        until(WITHIN, () -> gw.commands().outputs(d.id).size() == 2, "the device announced its outputs");
        JsonNode light = output(d, "light");
        assertEquals("switch", light.get("kind").asText());
        assertEquals(0.0, light.get("state").get("value").asDouble(), "the light is in its safe state, off");

        JsonNode on = set(admin, d, "light", "{\"on\":true}", 202);
        assertEquals("pending", on.get("state").asText());
        assertEquals("done", awaitState(on.get("id").asLong(), "done", "failed", "refused", "expired"));
        assertTrue(d.board.level(17), "the pin is high");
        until(WITHIN, () -> output(d, "light").get("state").get("value").asDouble() == 1.0, "the confirmed state is on");

        JsonNode dim = set(admin, d, "fan", "{\"level\":40}", 202);
        assertEquals("done", awaitState(dim.get("id").asLong(), "done", "failed", "refused", "expired"));
        assertEquals(40.0, d.board.duty(18), 1e-9, "the PWM duty reached the level after its ramp");
        assertEquals(40.0, output(d, "fan").get("state").get("value").asDouble(), 1e-9);

        // what the API refuses before anything reaches the device
        set(admin, d, "light", "{\"level\":40}", 400);
        set(admin, d, "fan", "{\"level\":140}", 400);
        set(admin, d, "heater", "{\"on\":true}", 404);
        var r = admin.send("POST", "/api/v1/users", "{\"username\":\"guest\",\"password\":\"" + PASSWORD + "\",\"role\":\"viewer\"}");
        assertEquals(201, r.statusCode(), r.body());
        Api.Session viewer = api.login("guest", PASSWORD);
        set(viewer, d, "light", "{\"on\":false}", 403);
        assertTrue(d.board.level(17), "a viewer's attempt changed nothing");
        assertEquals(2, gw.commands().recent(d.id, 10).size(), "no command was made for the refused requests");
    }

    @Test
    void aCommandWaitsForItsDeviceAndIsCarriedOutWhenItComesBack() throws Exception {
        Device d = new Device("porch", "mqtt", LIGHT_AND_FAN).start();
        adopt(d);
        until(WITHIN, () -> gw.commands().outputs(d.id).size() == 2, "outputs announced");
        d.stop();
        JsonNode on = set(admin, d, "light", "{\"on\":true}", 202);
        Thread.sleep(500);
        assertEquals("pending", admin.get("/api/v1/commands/" + on.get("id").asLong()).get("state").asText(), "the device is away");
        d.start();
        assertEquals("done", awaitState(on.get("id").asLong(), "done", "failed", "refused", "expired"));
        assertTrue(d.board.level(17));
    }

    @Test
    void aCommandThatOutlivesItsLifetimeExpiresAndIsNotCarriedOutLater() throws Exception {
        gw.close();
        startGateway(GatewayConfig.forTest(dir.resolve("gw")).withCommandLifetimeSeconds(1));
        admin = api.login("admin", PASSWORD);
        for (String uplink : List.of("mqtt", "coaps")) {
            Device d = new Device("shed-" + uplink, uplink, LIGHT_AND_FAN).start();
            adopt(d);
            until(WITHIN, () -> gw.commands().outputs(d.id).size() == 2, "outputs announced");
            d.stop();
            JsonNode on = set(admin, d, "light", "{\"on\":true}", 202);
            assertEquals("expired", awaitState(on.get("id").asLong(), "done", "expired"));
            d.start();
            until(WITHIN, () -> gw.store().readings(d.id, "light", 0, Long.MAX_VALUE, 100).size() >= 2, "the device reported its outputs after its restart");
            Thread.sleep(1000);
            assertTrue(!d.board.level(17), "an expired command is not carried out when the device comes back (" + uplink + ")");
            assertEquals("expired", admin.get("/api/v1/commands/" + on.get("id").asLong()).get("state").asText());
        }
    }

    @Test
    void aCommandForAnOutputTheDeviceNoLongerHasIsRefusedAndSaysWhy() throws Exception {
        Device d = new Device("attic", "coaps", LIGHT_AND_FAN).start();
        adopt(d);
        until(WITHIN, () -> gw.commands().outputs(d.id).size() == 2, "outputs announced");
        d.stop();
        JsonNode dim = set(admin, d, "fan", "{\"level\":70}", 202);
        // the device comes back rewired: its fan is gone
        Device rewired = new Device("attic", "coaps", "[{\"name\": \"light\", \"kind\": \"switch\", \"pin\": 17}]");
        devices.remove(d);
        rewired.start();
        assertEquals("refused", awaitState(dim.get("id").asLong(), "done", "failed", "refused", "expired"));
        assertTrue(admin.get("/api/v1/commands/" + dim.get("id").asLong()).get("detail").asText().contains("no output 'fan'"));
        until(WITHIN, () -> gw.commands().outputs("attic").size() == 1, "the new announcement replaced the old");
        set(admin, rewired, "fan", "{\"level\":70}", 404);
    }
}
