package dev.lichen.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.store.Device;
import dev.lichen.gateway.store.DeviceState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The offline rule itself: max(floor, 3 x usual interval), learnt afresh after an outage. */
class PresenceTest {
    static final long FLOOR = 60_000;

    @Test
    void aDeviceIsOfflineAfterThreeUsualIntervalsButNeverBeforeTheFloor() {
        Presence p = new Presence(FLOOR, List.of(), 0);
        // every 10 s: the floor decides (30 s < 60 s)
        for (long t = 0; t <= 50_000; t += 10_000) p.heard("fast", Protocol.COAP, t);
        assertEquals(50_000 + FLOOR, p.deadline("fast"));
        // every 5 min: 3 x 5 min
        for (long t = 0; t <= 900_000; t += 300_000) p.heard("slow", Protocol.COAPS, t);
        assertEquals(900_000 + 900_000, p.deadline("slow"));
        assertEquals(List.of(), p.due(900_000 + 899_999).stream().filter("slow"::equals).toList());
        assertTrue(p.due(1_800_000).contains("slow"));
        // reported once, then forgotten: the next pack starts learning again (one pack: 3 x floor)
        assertEquals(Long.MAX_VALUE, p.deadline("slow"));
        p.heard("slow", Protocol.COAP, 5_000_000);
        assertEquals(5_000_000 + 3 * FLOOR, p.deadline("slow"));
    }

    @Test
    void mqttAndAddonDevicesAreLeftToTheirSessions() {
        Presence p = new Presence(FLOOR, List.of(
                new Device("was-online", null, null, DeviceState.ADOPTED, 0, 1_000, null, null, true),
                new Device("was-offline", null, null, DeviceState.ADOPTED, 0, 1_000, null, null, false),
                new Device("addon-weather", null, null, DeviceState.ADOPTED, 0, 1_000, null, null, true)), 2_000);
        p.heard("mqtt-dev", Protocol.MQTT, 0);
        p.heard("mqtt-dev", Protocol.MQTT, 1_000);
        // the device online at start is judged from its stored last-seen time
        assertEquals(List.of("was-online"), p.due(1_000 + 3 * FLOOR));
        assertEquals(List.of(), p.due(Long.MAX_VALUE / 2));
    }
}
