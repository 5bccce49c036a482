package dev.lichen.sim.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * One validated virtual device: its place in the home, its uplink kind ("coap" or "mqtt") and its
 * device config (the real format, without gateway/dataDir/board, which the simulator fills in).
 */
public record SimDevice(String deviceId, String place, Map<String, String> placeByChip, String uplink,
                        ObjectNode config) {
    public SimDevice {
        placeByChip = Map.copyOf(placeByChip);
    }

    /** The place whose physics feeds this chip. */
    public String placeOf(String chip) {
        return placeByChip.getOrDefault(chip, place);
    }
}
