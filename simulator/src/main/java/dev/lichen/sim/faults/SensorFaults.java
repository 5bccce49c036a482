package dev.lichen.sim.faults;

import dev.lichen.sim.scenario.FaultSpec.SensorMode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The chip faults in force: a chip stuck at its last value, noisy, or not answering (NACK). */
public final class SensorFaults {
    public record Active(SensorMode mode, double noise) {}

    private final Map<String, Active> active = new ConcurrentHashMap<>();

    public void set(String device, String chip, SensorMode mode, double noise) {
        active.put(device + "/" + chip, new Active(mode, noise));
    }

    public void clear(String device, String chip) {
        active.remove(device + "/" + chip);
    }

    /** The fault of this chip of this device, or null when it works. */
    public Active of(String device, String chip) {
        return active.get(device + "/" + chip);
    }
}
