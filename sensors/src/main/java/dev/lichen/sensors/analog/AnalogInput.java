package dev.lichen.sensors.analog;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.sensors.core.SensorFault;

/** One input of an ADC, read in volts. */
@FunctionalInterface
public interface AnalogInput {
    double volts() throws BusException, SensorFault;
}
