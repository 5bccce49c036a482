package dev.lichen.runtime.bus.sim;

import dev.lichen.runtime.bus.BusException;

/** A chip model on the simulated 1-Wire bus, answering as Linux's w1_slave file does. */
public interface SimOneWireDevice {
    String romId();

    String w1Slave() throws BusException;
}
