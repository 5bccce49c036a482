package dev.lichen.sensors.core;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.I2cBus;

/** One chip at one address of an I2C bus, with the chip's name in every error. */
public final class I2cChip {
    private final String chip;
    private final I2cBus bus;
    private final int address;
    private final int busNumber;

    public I2cChip(String chip, I2cBus bus, int busNumber, int address) {
        this.chip = chip;
        this.bus = bus;
        this.busNumber = busNumber;
        this.address = address;
    }

    public String chip() { return chip; }

    public int address() { return address; }

    /** "sht31 at 0x44 on i2c-1". */
    public String where() {
        return "%s at 0x%02x on %s".formatted(chip, address, bus.name());
    }

    public byte[] readRegisters(int register, int length) throws BusException {
        return bus.writeRead(address, new byte[] {(byte) register}, length);
    }

    public void writeRegister(int register, int value) throws BusException {
        bus.write(address, new byte[] {(byte) register, (byte) value});
    }

    /** A 16-bit command, MSB first (Sensirion chips). */
    public void command16(int command) throws BusException {
        bus.write(address, new byte[] {(byte) (command >> 8), (byte) command});
    }

    public void write(byte... data) throws BusException {
        bus.write(address, data);
    }

    public byte[] read(int length) throws BusException {
        return bus.read(address, length);
    }

    /**
     * The error for a chip that does not answer at start, naming the bus, the address, the header
     * pins and the addresses the chip can have.
     */
    public BusException absent(BusException cause, String possibleAddresses) {
        return new BusException(BusException.Kind.ABSENT,
                "%s: no answer at 0x%02x on %s: check wiring (%s, 3V3 and GND) and address (%s)"
                        .formatted(chip, address, bus.name(), PiHeader.i2cPins(busNumber), possibleAddresses),
                cause);
    }
}
