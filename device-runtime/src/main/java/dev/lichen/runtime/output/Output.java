package dev.lichen.runtime.output;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.senml.Value;

/**
 * An actuator the appliance drives, named in the device config; its state is reported as an
 * ordinary reading on the channel of its name. Like a MirageOS device signature: a small set of
 * operations whose failures are values the caller must handle (a {@link BusException} names the
 * pin), nothing else.
 */
public sealed interface Output extends AutoCloseable permits Switch, Dimmer {
    /** The output's name, also the channel its state is reported on. */
    String name();

    /** The SenML unit of its state ("" for on/off). */
    String unit();

    /** The state it is in now, as it is reported. */
    Value state();

    /** Puts it in its safe state (at boot, on a fault, at close); never throws. */
    void safe();

    @Override
    default void close() {
        safe();
    }
}
