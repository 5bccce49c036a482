package dev.lichen.sensors.mcp3008;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.SpiBus;
import dev.lichen.sensors.core.PiHeader;
import dev.lichen.sensors.core.SensorFault;

/**
 * Microchip MCP3008, 10-bit 8-input SPI ADC, single-ended, in the usual 3-byte transaction:
 * start bit, then SGL/DIFF and the channel, then the 10 result bits after a null bit.
 */
public final class Mcp3008 {
    private final SpiBus bus;
    private final int busNumber;
    private final int chipSelect;
    private final double vref;

    private Mcp3008(SpiBus bus, int busNumber, int chipSelect, double vref) {
        this.bus = bus;
        this.busNumber = busNumber;
        this.chipSelect = chipSelect;
        this.vref = vref;
    }

    /** Converts input 0 once: an absent chip leaves MISO high, which the null bit shows. */
    public static Mcp3008 start(SpiBus bus, int busNumber, int chipSelect, double vref) throws BusException {
        Mcp3008 adc = new Mcp3008(bus, busNumber, chipSelect, vref);
        try {
            adc.raw(0);
        } catch (BusException e) {
            throw new BusException(BusException.Kind.ABSENT, "mcp3008: no answer on %s chip-select %d: check wiring (%s, VDD and VREF to 3V3, AGND/DGND to GND)"
                    .formatted(bus.name(), chipSelect, PiHeader.spiPins(busNumber, chipSelect)), e);
        }
        return adc;
    }

    public String where() {
        return "mcp3008 on %s CE%d".formatted(bus.name(), chipSelect);
    }

    /** The 10-bit result of a single-ended conversion of input 0..7. */
    public int raw(int input) throws BusException {
        byte[] in = bus.transfer(chipSelect, new byte[] {0x01, (byte) (0x80 | (input << 4)), 0x00});
        if ((in[1] & 0x04) != 0) {
            // the chip drives a 0 null bit before B9; a 1 there means nothing drives MISO
            throw new BusException(BusException.Kind.NACK, where() + ": null bit is 1, nothing answers");
        }
        return ((in[1] & 0x03) << 8) | (in[2] & 0xFF);
    }

    public double volts(int input) throws BusException, SensorFault {
        int raw = raw(input);
        if (raw == 1023) {
            throw new SensorFault.InvalidRawValue("%s: input %d at full scale (raw 1023): the voltage is at or above VREF %.2f V"
                    .formatted(where(), input, vref));
        }
        return raw * vref / 1024.0;
    }
}
