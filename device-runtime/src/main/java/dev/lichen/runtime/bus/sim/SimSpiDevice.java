package dev.lichen.runtime.bus.sim;

import dev.lichen.runtime.bus.BusException;

/** A chip model behind one chip-select of a simulated SPI bus. */
public interface SimSpiDevice {
    byte[] transfer(byte[] out) throws BusException;
}
