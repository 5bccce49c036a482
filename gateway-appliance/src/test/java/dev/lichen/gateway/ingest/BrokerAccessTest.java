package dev.lichen.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The broker's rules on their own: every topic shape an attacker would try. */
class BrokerAccessTest {
    final BrokerAccess access = new BrokerAccess(Set.of("hall-lamp", "porch")::contains);
    static final Optional<String> ANON = Optional.empty();

    static Optional<String> as(String device) {
        return Optional.of(device);
    }

    @Test
    void aDevicePublishesItsOwnReadingsAndStatusAndNothingElse() {
        assertEquals(Optional.empty(), access.publish(as("hall-lamp"), "lichen/hall-lamp/readings"));
        assertEquals(Optional.empty(), access.publish(as("hall-lamp"), "lichen/hall-lamp/status"));
        for (String topic : new String[] {"lichen/hall-lamp/cmd", "lichen/porch/readings", "lichen/hall-lamp/readings/x",
                "lichen/hall-lamp", "lichen/", "lichen//readings", "LICHEN/hall-lamp/readings", "lichen/Hall-Lamp/readings",
                "homeassistant/sensor/x/config", "$SYS/broker", "other", ""}) {
            assertTrue(access.publish(as("hall-lamp"), topic).isPresent(), topic);
        }
    }

    @Test
    void aDeviceSubscribesToItsOwnCommandsOnlyAndNeverToAWildcard() {
        assertEquals(Optional.empty(), access.subscribe(as("hall-lamp"), "lichen/hall-lamp/cmd"));
        for (String filter : new String[] {"#", "+/+/+", "lichen/#", "lichen/+/cmd", "lichen/+/readings", "lichen/hall-lamp/#",
                "lichen/hall-lamp/+", "lichen/porch/cmd", "lichen/hall-lamp/readings", "$share/g/lichen/hall-lamp/cmd",
                "$SYS/#", "lichen/hall-lamp/cmd/#"}) {
            assertTrue(access.subscribe(as("hall-lamp"), filter).isPresent(), filter);
        }
    }

    @Test
    void anonymousSpeaksOnlyForDevicesWithoutAKey() {
        assertEquals(Optional.empty(), access.publish(ANON, "lichen/new-sensor/readings"));
        assertEquals(Optional.empty(), access.subscribe(ANON, "lichen/new-sensor/cmd"));
        assertTrue(access.publish(ANON, "lichen/hall-lamp/readings").orElseThrow().contains("log in as it"));
        assertTrue(access.publish(ANON, "lichen/hall-lamp/status").isPresent());
        assertTrue(access.subscribe(ANON, "lichen/hall-lamp/cmd").isPresent());
        assertTrue(access.publish(ANON, "lichen/new-sensor/cmd").isPresent(), "commands come from the gateway only");
        assertTrue(access.subscribe(ANON, "#").isPresent());
    }

    @Test
    void aKeyedDevicesClientIdIsItsOwn() {
        assertEquals(Optional.empty(), access.connect(as("hall-lamp"), "hall-lamp"));
        assertEquals(Optional.empty(), access.connect(ANON, "new-sensor"));
        assertEquals(Optional.empty(), access.connect(as("hall-lamp"), "hall-lamp-tool"));
        assertTrue(access.connect(ANON, "hall-lamp").isPresent(), "an anonymous session takeover would cut the lamp off");
        assertTrue(access.connect(as("porch"), "hall-lamp").isPresent());
    }
}
