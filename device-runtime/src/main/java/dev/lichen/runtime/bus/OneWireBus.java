package dev.lichen.runtime.bus;

import java.util.List;

/**
 * A 1-Wire bus as Linux's w1 subsystem shows it: slaves by ROM id ("28-0000075e3a1b"), each
 * with a w1_slave file whose text carries the raw scratchpad bytes and the kernel's CRC verdict.
 */
public interface OneWireBus {
    String name();

    List<String> slaves() throws BusException;

    /** The text of /sys/bus/w1/devices/{romId}/w1_slave (a conversion happens on read). */
    String readSlave(String romId) throws BusException;
}
