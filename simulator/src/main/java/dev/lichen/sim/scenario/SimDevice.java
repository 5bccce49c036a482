package dev.lichen.sim.scenario;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One validated virtual device: its place in the home, its uplink kind ("coap" or "mqtt"), its
 * outputs and its device config (the real format, without gateway/dataDir/board, which the
 * simulator fills in, and without outputs, which {@link #deviceConfig()} adds).
 */
public record SimDevice(String deviceId, String place, Map<String, String> placeByChip, String uplink,
                        ObjectNode config, List<SimOutput> outputs) {
    public SimDevice {
        placeByChip = Map.copyOf(placeByChip);
        outputs = List.copyOf(outputs);
    }

    /** A device without outputs. */
    public SimDevice(String deviceId, String place, Map<String, String> placeByChip, String uplink, ObjectNode config) {
        this(deviceId, place, placeByChip, uplink, config, List.of());
    }

    /**
     * An output: its entry of the device config's "outputs" (name, kind, pin...) and what it
     * drives in the home (empty: it acts on nothing the simulator models, e.g. a buzzer).
     */
    public record SimOutput(String name, ObjectNode spec, Optional<Drive> drive) {}

    /** The place whose physics feeds this chip. */
    public String placeOf(String chip) {
        return placeByChip.getOrDefault(chip, place);
    }

    /** The device config with its outputs in it, as the appliance reads it. */
    public ObjectNode deviceConfig() {
        if (outputs.isEmpty()) return config;
        ObjectNode c = config.deepCopy();
        ArrayNode a = c.putArray("outputs");
        outputs.forEach(o -> a.add(o.spec()));
        return c;
    }
}
