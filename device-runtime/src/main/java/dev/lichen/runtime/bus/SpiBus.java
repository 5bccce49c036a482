package dev.lichen.runtime.bus;

/** One SPI bus; full duplex: as many bytes come back as go out. */
public interface SpiBus {
    String name();

    byte[] transfer(int chipSelect, byte[] out) throws BusException;
}
