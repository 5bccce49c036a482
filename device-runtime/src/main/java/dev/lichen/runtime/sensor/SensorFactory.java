package dev.lichen.runtime.sensor;

import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import java.util.Map;
import java.util.Set;

/**
 * Starts drivers by chip name. The drivers live in the sensors module; the appliance finds them
 * through {@link java.util.ServiceLoader}, since device-runtime may not depend on sensors.
 */
public interface SensorFactory {
    /** Chip names this factory knows, lower case: "bme280", "sht31"... */
    Set<String> chips();

    /** Starts the driver; an absent chip gives an error naming the bus and address or pin. */
    Sensor start(String chip, Board board, Map<String, Object> placement) throws BusException;
}
