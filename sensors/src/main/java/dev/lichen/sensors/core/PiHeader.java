package dev.lichen.sensors.core;

import java.util.Map;

/**
 * Where a Raspberry Pi's buses and GPIOs come out on its 40-pin header (physical pin numbers), so
 * an error can tell a person which wire to check. Same on every 40-pin Pi (1B+ to 5).
 */
public final class PiHeader {
    private PiHeader() {}

    private static final Map<Integer, Integer> BCM_TO_PIN = Map.ofEntries(
            Map.entry(0, 27), Map.entry(1, 28), Map.entry(2, 3), Map.entry(3, 5), Map.entry(4, 7),
            Map.entry(5, 29), Map.entry(6, 31), Map.entry(7, 26), Map.entry(8, 24), Map.entry(9, 21),
            Map.entry(10, 19), Map.entry(11, 23), Map.entry(12, 32), Map.entry(13, 33), Map.entry(14, 8),
            Map.entry(15, 10), Map.entry(16, 36), Map.entry(17, 11), Map.entry(18, 12), Map.entry(19, 35),
            Map.entry(20, 38), Map.entry(21, 40), Map.entry(22, 15), Map.entry(23, 16), Map.entry(24, 18),
            Map.entry(25, 22), Map.entry(26, 37), Map.entry(27, 13));

    /** BCM GPIO numbers that reach the header. */
    public static boolean isHeaderGpio(int bcm) {
        return BCM_TO_PIN.containsKey(bcm);
    }

    /** "GPIO17 (pin 11)". */
    public static String gpio(int bcm) {
        Integer pin = BCM_TO_PIN.get(bcm);
        return pin == null ? "GPIO" + bcm + " (not on the 40-pin header)" : "GPIO" + bcm + " (pin " + pin + ")";
    }

    /** "SDA pin 3, SCL pin 5" for i2c-1. */
    public static String i2cPins(int bus) {
        return switch (bus) {
            case 1 -> "SDA pin 3, SCL pin 5";
            case 0 -> "SDA pin 27, SCL pin 28";
            default -> "the SDA/SCL pins of the i2c-" + bus + " overlay";
        };
    }

    /** "MOSI pin 19, MISO pin 21, SCLK pin 23, CE0 pin 24". */
    public static String spiPins(int bus, int chipSelect) {
        if (bus == 0 && chipSelect <= 1) {
            return "MOSI pin 19, MISO pin 21, SCLK pin 23, CE" + chipSelect + " pin " + (chipSelect == 0 ? 24 : 26);
        }
        if (bus == 1 && chipSelect <= 2) {
            return "MOSI pin 38, MISO pin 35, SCLK pin 40, CE" + chipSelect + " pin " + new int[] {12, 11, 36}[chipSelect];
        }
        return "the pins of the spi" + bus + " overlay, CE" + chipSelect;
    }

    /** The w1-gpio overlay's default data pin. */
    public static final String ONE_WIRE = "DQ on GPIO4 (pin 7) with a 4.7 kOhm pull-up to 3V3 (pin 1), dtoverlay=w1-gpio";
}
