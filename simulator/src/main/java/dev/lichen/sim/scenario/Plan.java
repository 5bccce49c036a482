package dev.lichen.sim.scenario;

import java.util.List;

/**
 * A scenario after validation: defaults applied, fleets expanded, faults resolved.
 *
 * @param speed simulated seconds per real second
 * @param houseSpeed how much faster the home's physics runs than the simulated clock (the demo
 *     compresses a day so that charts move); 1 for tests
 * @param durationMillis simulated time to run; 0 runs until stopped
 */
public record Plan(Scenario home, long seed, double speed, long startMillis, long durationMillis, double houseSpeed,
                   List<SimDevice> devices, List<FaultSpec> faults) {
    public Plan {
        devices = List.copyOf(devices);
        faults = List.copyOf(faults);
    }

    public SimDevice device(String id) {
        return devices.stream().filter(d -> d.deviceId().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no device " + id));
    }
}
