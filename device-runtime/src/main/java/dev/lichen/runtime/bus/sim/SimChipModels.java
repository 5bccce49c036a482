package dev.lichen.runtime.bus.sim;

import dev.lichen.runtime.clock.Clock;
import java.util.Map;
import java.util.Set;

/**
 * Puts chip models on a simulated board where a device config places each chip. Board
 * {@code arm64-virt} (QEMU's virt machine) has no I2C, SPI, 1-Wire or GPIO, so the sensor
 * appliance reads models instead, with fixed physical values. The models live in the sensors
 * module, which device-runtime cannot see: they are found with {@link java.util.ServiceLoader}.
 */
public interface SimChipModels {
    /** The chips this provider can model. */
    Set<String> chips();

    /** Attaches the model of {@code chip} to {@code board} at the config's placement (bus, address, pin...). */
    void attach(SimBoard board, Clock clock, String chip, Map<String, Object> placement);
}
