package dev.lichen.sensors.sim;

import dev.lichen.sensors.core.ModelFaults;

/**
 * A chip model wired into a simulated board where a device config places it. The simulator feeds
 * it the physics of its place by quantity, in the units a physicist would use:
 * temperature degC, humidity %RH, pressure Pa, soil_moisture ratio 0..1, co2 ppm, voc ppb,
 * illuminance lx, voltage V, motion and door 1 (true) or 0.
 */
public interface PlacedChip {
    String chip();

    /** NACK, stuck, noise, bad CRC. */
    ModelFaults faults();

    /** Sets one quantity; false when this chip does not sense it. */
    boolean set(String quantity, double value);
}
