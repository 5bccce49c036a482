package dev.lichen.appliance;

import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The pin facts of one board of {@link DeviceConfig#BOARDS}, against which the device config
 * checks its outputs before the appliance touches a pin. Pins are BCM GPIO numbers.
 *
 * @param gpio        the GPIO numbers that exist on the header (none: the board has no GPIO)
 * @param reserved    pins that exist but are not the appliance's to drive, with why
 * @param inputOnly   pins that can only be read
 * @param pwmChannels the hardware-PWM pins, each with its PWM channel (pins of one channel show the same duty)
 * @param minPwmHz    the lowest PWM frequency offered
 * @param maxPwmHz    the highest PWM frequency offered (above it a Pi's PWM loses its duty resolution)
 * @param busPins     the pins each bus sits on, by the bus's name ("i2c-1", "spi-0", "w1"), taken
 *                    as soon as a sensor uses that bus
 */
public record BoardProfile(String board, SortedSet<Integer> gpio, Map<Integer, String> reserved,
                           Set<Integer> inputOnly, Map<Integer, Integer> pwmChannels,
                           int minPwmHz, int maxPwmHz, Map<String, Set<Integer>> busPins) {

    public BoardProfile {
        gpio = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(gpio));
        reserved = Map.copyOf(reserved);
        inputOnly = Set.copyOf(inputOnly);
        pwmChannels = java.util.Collections.unmodifiableMap(new TreeMap<>(pwmChannels));
        busPins = Map.copyOf(busPins);
    }

    /**
     * A Raspberry Pi's 40-pin header (the 3 and the 4 alike): BCM 0-27, none input-only; BCM 0
     * and 1 carry the HAT ID EEPROM (read by the firmware at boot); hardware PWM on 12/18
     * (channel 0) and 13/19 (channel 1); I2C 1 on 2/3, SPI 0 on 7-11, SPI 1 on 16-21, and the
     * w1-gpio overlay's default 1-Wire pin 4.
     */
    private static BoardProfile pi(String board) {
        return new BoardProfile(board, range(0, 27),
                Map.of(0, "ID_SD, the HAT ID EEPROM's data line", 1, "ID_SC, the HAT ID EEPROM's clock line"),
                Set.of(), Map.of(12, 0, 18, 0, 13, 1, 19, 1), 1, 50_000,
                Map.of("i2c-1", Set.of(2, 3), "spi-0", range(7, 11), "spi-1", range(16, 21), "w1", Set.of(4)));
    }

    /** QEMU's arm64 virt machine: no GPIO header at all, so no outputs. */
    private static final BoardProfile VIRT = new BoardProfile("arm64-virt", new TreeSet<>(), Map.of(), Set.of(),
            Map.of(), 1, 50_000, Map.of());

    private static final Map<String, BoardProfile> PROFILES = Map.of(
            "rpi3", pi("rpi3"), "rpi4", pi("rpi4"), "arm64-virt", VIRT,
            // the simulator's boards stand for a Pi 4, so a config tried there holds on the Pi
            "sim", pi("sim"));

    /** The profile of a board of {@link DeviceConfig#BOARDS}; empty for any other name. */
    public static java.util.Optional<BoardProfile> of(String board) {
        return java.util.Optional.ofNullable(board == null ? null : PROFILES.get(board));
    }

    /** The boards whose header has GPIO pins, for a message. */
    public static SortedSet<String> boardsWithGpio() {
        TreeSet<String> out = new TreeSet<>();
        PROFILES.forEach((name, p) -> { if (!p.gpio().isEmpty()) out.add(name); });
        return out;
    }

    /** The pins an output may be put on: existing, not reserved, not input-only. */
    public SortedSet<Integer> outputPins() {
        TreeSet<Integer> out = new TreeSet<>(gpio);
        out.removeAll(reserved.keySet());
        out.removeAll(inputOnly);
        return out;
    }

    public boolean hardwarePwm(int pin) {
        return pwmChannels.containsKey(pin);
    }

    /** Pins as a person writes them: "2-27", "12, 13, 18, 19". */
    public static String describe(Set<Integer> pins) {
        StringBuilder sb = new StringBuilder();
        Integer start = null, prev = null;
        for (int p : new TreeSet<>(pins)) {
            if (prev != null && p == prev + 1) {
                prev = p;
                continue;
            }
            if (start != null) append(sb, start, prev);
            start = prev = p;
        }
        if (start != null) append(sb, start, prev);
        return sb.toString();
    }

    private static void append(StringBuilder sb, int from, int to) {
        if (!sb.isEmpty()) sb.append(", ");
        sb.append(from);
        // two neighbours read better listed than as a range
        if (to == from + 1) sb.append(", ").append(to);
        else if (to > from) sb.append('-').append(to);
    }

    private static SortedSet<Integer> range(int from, int to) {
        TreeSet<Integer> s = new TreeSet<>();
        IntStream.rangeClosed(from, to).forEach(s::add);
        return s;
    }
}
