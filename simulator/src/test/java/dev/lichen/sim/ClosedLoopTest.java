package dev.lichen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.runtime.output.Switch;
import dev.lichen.senml.Value;
import dev.lichen.sim.board.Scenarios;
import dev.lichen.sim.board.Simulation;
import dev.lichen.sim.board.TakenReading;
import dev.lichen.sim.board.VirtualDevice;
import dev.lichen.sim.scenario.Plan;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop closes through the real appliance: switching the device's light output on (its real
 * Switch, on a relay pin wired active low) lights the room, and the device's own BH1750, through
 * the real driver and chip model, reads it in the readings it sends.
 */
class ClosedLoopTest {
    static final long MIN = 60_000L;
    static final String SCENARIO = """
            {"seed": 3, "start": "2026-11-26T01:00:00Z",
             "rooms": [{"name": "hall", "motion": {"perHour": 0}}],
             "devices": [
               {"place": "hall", "config": {"deviceId": "hall-presence", "sensors": [
                 {"chip": "bh1750", "bus": 1, "address": "0x23", "channels": {"illuminance": "1m"}}]},
                "outputs": [{"name": "hall_light", "kind": "switch", "pin": 22, "activeLow": true,
                             "drives": {"kind": "lamp", "lux": 300}}]}]}
            """;

    @TempDir
    Path dir;

    @Test
    void switchingTheLightOnRaisesTheDevicesOwnLuxReading() throws Exception {
        Plan plan = Scenarios.loader().parse(SCENARIO.getBytes(StandardCharsets.UTF_8), "loop.json", List.of());
        int coap;
        int mqtt;
        try (DatagramSocket u = new DatagramSocket(0); ServerSocket t = new ServerSocket(0)) {
            coap = u.getLocalPort();
            mqtt = t.getLocalPort();
        }
        // no gateway: what the device sends is what its outbox took, which the reading log records
        var nowhere = new Simulation.GatewayHandle() {
            @Override public String host() { return "127.0.0.1"; }
            @Override public int coapPort() { return coap; }
            @Override public int mqttPort() { return mqtt; }
        };
        Simulation sim = new Simulation(plan, nowhere, new Simulation.Options(dir, true, true, null));
        long start = plan.startMillis();
        try {
            sim.start();
            VirtualDevice device = sim.device("hall-presence");
            Switch light = (Switch) device.outputs().stream().filter(o -> o.name().equals("hall_light")).findFirst().orElseThrow();
            sim.clock().sleepUntilElapsed(10 * MIN + MIN / 2);
            light.set(true);
            sim.clock().sleepUntilElapsed(20 * MIN + MIN / 2);
            light.set(false);
            sim.clock().sleepUntilElapsed(30 * MIN + MIN / 2);
        } finally {
            sim.close();
        }
        List<TakenReading> lux = sim.readings().all().stream()
                .filter(r -> r.deviceId().equals("hall-presence") && r.reading().channel().equals("illuminance")).toList();
        assertTrue(lux.size() >= 28, "a reading a minute for 30 minutes: " + lux.size());
        for (TakenReading r : lux) {
            long at = r.reading().timeMillis() - start;
            double v = ((Value.Number) r.reading().value()).value();
            if (at < 10 * MIN || (at > 21 * MIN && at <= 30 * MIN)) {
                assertEquals(0, v, 1, "dark at night with the light off, at t+" + at / 1000 + " s");
            } else if (at > 11 * MIN && at < 20 * MIN) {
                assertEquals(300, v, 6, "the 300 lx lamp, read by the device's own BH1750, at t+" + at / 1000 + " s");
            }
        }
        assertTrue(lux.stream().anyMatch(r -> ((Value.Number) r.reading().value()).value() > 290), "the light was read");
    }
}
