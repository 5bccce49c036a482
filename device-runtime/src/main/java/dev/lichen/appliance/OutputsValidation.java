package dev.lichen.appliance;

import static dev.lichen.appliance.DeviceConfigValidation.json;

import dev.lichen.appliance.DeviceConfig.OutputSpec;
import dev.lichen.appliance.DeviceConfig.OutputSpec.DimmerSpec;
import dev.lichen.appliance.DeviceConfig.OutputSpec.SwitchSpec;
import dev.lichen.appliance.DeviceConfig.SensorSpec;
import dev.lichen.senml.SenmlCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checks of the "outputs" list, part of {@link DeviceConfigValidation}: each problem is
 * added to its list, named by its path ("outputs[1].pin: ..."), so that a config with a bad
 * output is refused before the appliance drives any pin. Pins are checked against the board's
 * {@link BoardProfile} and against the pins the sensors take (their own pin, and the pins of the
 * buses they use).
 */
final class OutputsValidation {
    /** A switch's keys and a dimmer's, in the order messages list them. */
    private static final List<String> SWITCH_KEYS = List.of("name", "kind", "pin", "activeLow", "safe");
    private static final List<String> DIMMER_KEYS = List.of("name", "kind", "pin", "frequencyHz", "ramp", "safe");

    /**
     * Lichen's chips that may be placed without the key that names their bus (a lone DS18B20
     * needs no romId, an MCP3008 defaults to chip select 0): device-runtime cannot ask the
     * sensors module which bus a chip is on, and these are the ones the placement keys miss.
     */
    private static final Set<String> ONE_WIRE_CHIPS = Set.of("ds18b20");
    private static final Set<String> SPI_CHIPS = Set.of("mcp3008");

    private final List<String> problems;
    private final String board;
    private final Optional<BoardProfile> profile;
    private final List<SensorSpec> sensors;
    private final List<String> sensorLabels;

    OutputsValidation(List<String> problems, String board, List<SensorSpec> sensors, List<String> sensorLabels) {
        this.problems = problems;
        this.board = board;
        this.profile = BoardProfile.of(board);
        this.sensors = sensors;
        this.sensorLabels = sensorLabels;
    }

    List<OutputSpec> outputs(List<Map<String, Object>> raw) {
        if (raw == null || raw.isEmpty()) return List.of();
        Map<String, String> channels = sensorChannels();
        Map<Integer, String> pins = sensorPins();
        // a dimmer's PWM channel, and who holds it: two pins of one channel show the same duty
        Map<Integer, String> pwmChannels = new HashMap<>();
        List<OutputSpec> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String at = "outputs[" + i + "]";
            Map<String, Object> node = raw.get(i);
            if (node == null) {
                problems.add(at + ": expected an object {\"name\": ..., \"kind\": \"switch\" or \"dimmer\", \"pin\": ...}");
                continue;
            }
            int before = problems.size();
            String name = name(at, node.get("name"), channels);
            String label = at + (name == null ? "" : " (" + name + ")");
            String kind = kind(at, node);
            Integer pin = pin(at, node, kind, label, pins, pwmChannels);
            OutputSpec spec = switch (kind == null ? "" : kind) {
                case "switch" -> {
                    unknownKeys(at, node, "a switch", SWITCH_KEYS);
                    boolean activeLow = bool(at + ".activeLow", node.get("activeLow"));
                    boolean safeOn = switchSafe(at + ".safe", node.get("safe"));
                    yield new SwitchSpec(name, pin == null ? -1 : pin, activeLow, safeOn);
                }
                case "dimmer" -> {
                    unknownKeys(at, node, "a dimmer", DIMMER_KEYS);
                    int hz = frequency(at + ".frequencyHz", node.get("frequencyHz"));
                    Duration ramp = ramp(at + ".ramp", node.get("ramp"));
                    double safe = dimmerSafe(at + ".safe", node.get("safe"));
                    yield new DimmerSpec(name, pin == null ? -1 : pin, hz, ramp, safe);
                }
                default -> null;
            };
            if (name != null) channels.putIfAbsent(name, label);
            if (spec != null && problems.size() == before) out.add(spec);
        }
        return out;
    }

    /** The output's name: a SenML channel name, not "ack", not another output's or sensor channel's. */
    private String name(String at, Object v, Map<String, String> taken) {
        String nat = at + ".name";
        if (v == null) {
            problems.add(nat + ": missing (e.g. \"hall_light\"): the name commands use and its state is reported under");
            return null;
        }
        if (!(v instanceof String name) || !SenmlCodec.CHANNEL.matcher(name).matches()) {
            problems.add(nat + ": " + json(v) + " is not a channel name: use letters, digits and - . / _ (SenML's name characters), starting with a letter or digit");
            return null;
        }
        if (DeviceConfig.RESERVED_CHANNELS.contains(name)) {
            problems.add(nat + ": '" + name + "' is reserved (the device reports its commands' outcomes and its outputs on it): give the output another name");
            return null;
        }
        String holder = taken.get(name);
        if (holder != null) {
            problems.add(nat + ": '" + name + "' is already " + (holder.startsWith("outputs[") ? "the name of " : "a channel of ")
                    + holder + ": give each output a name of its own, the channel its state is reported on");
            return null;
        }
        return name;
    }

    private String kind(String at, Map<String, Object> node) {
        Object v = node.get("kind");
        String kinds = String.join(" or ", new java.util.TreeSet<>(DeviceConfig.OUTPUT_KINDS).descendingSet());
        if (v == null) {
            problems.add(at + ".kind: missing (" + kinds + ")");
            return null;
        }
        if (!(v instanceof String k) || !DeviceConfig.OUTPUT_KINDS.contains(k)) {
            problems.add(at + ".kind: unknown kind " + json(v) + " (" + kinds
                    + ": a switch is on or off on any GPIO pin, a dimmer a level 0-100 % on a hardware-PWM pin)");
            return null;
        }
        return k;
    }

    /** The pin, checked against the board and claimed; null if it is bad (and a problem). */
    private Integer pin(String at, Map<String, Object> node, String kind, String label,
                        Map<Integer, String> pins, Map<Integer, String> pwmChannels) {
        String pat = at + ".pin";
        Object v = node.get("pin");
        if (v == null) {
            problems.add(pat + ": missing: give the BCM GPIO number the output is wired to");
            return null;
        }
        if (!(v instanceof Integer pin) || pin < 0) {
            problems.add(pat + ": " + json(v) + " is not a BCM GPIO number");
            return null;
        }
        // an unknown board is its own problem: only the pins of the config itself to check
        if (profile.isEmpty()) return claim(pat, pin, label, pins) ? pin : null;
        BoardProfile b = profile.get();
        if (b.gpio().isEmpty()) {
            problems.add(pat + ": board " + board + " has no GPIO pins, so no outputs: drop \"outputs\" or run on "
                    + String.join(", ", BoardProfile.boardsWithGpio()));
            return null;
        }
        String usable = "give a BCM GPIO number " + BoardProfile.describe(b.outputPins());
        if (!b.gpio().contains(pin)) {
            problems.add(pat + ": board " + board + " has no GPIO " + pin + ": " + usable);
            return null;
        }
        String why = b.reserved().get(pin);
        if (why != null) {
            problems.add(pat + ": BCM " + pin + " is reserved on " + board + " (" + why + "): " + usable);
            return null;
        }
        if (b.inputOnly().contains(pin)) {
            problems.add(pat + ": BCM " + pin + " is input-only on " + board + ": " + usable);
            return null;
        }
        if (!claim(pat, pin, label, pins)) return null;
        if ("dimmer".equals(kind)) {
            if (!b.hardwarePwm(pin)) {
                problems.add(pat + ": BCM " + pin + " has no hardware PWM on " + board + ": put a dimmer on one of "
                        + BoardProfile.describe(b.pwmChannels().keySet()) + ", or make it a switch");
                return null;
            }
            int channel = b.pwmChannels().get(pin);
            String other = pwmChannels.putIfAbsent(channel, label + " on BCM " + pin);
            if (other != null) {
                problems.add(pat + ": BCM " + pin + " is on PWM channel " + channel + " like " + other
                        + ", and would show its level: put one of them on a pin of the other channel ("
                        + describeChannel(b, 1 - channel) + ")");
                return null;
            }
        }
        return pin;
    }

    private boolean claim(String pat, int pin, String label, Map<Integer, String> pins) {
        String holder = pins.putIfAbsent(pin, label);
        if (holder == null) return true;
        problems.add(pat + ": pin " + pin + " is already used by " + holder + ": give the output a pin of its own");
        return false;
    }

    private static String describeChannel(BoardProfile b, int channel) {
        Set<Integer> pins = new LinkedHashSet<>();
        b.pwmChannels().forEach((pin, c) -> { if (c == channel) pins.add(pin); });
        return BoardProfile.describe(pins);
    }

    private void unknownKeys(String at, Map<String, Object> node, String what, List<String> keys) {
        for (String key : node.keySet()) {
            if (!keys.contains(key)) {
                problems.add(at + ": unknown field '" + key + "' (" + what + " has " + String.join(", ", keys) + ")");
            }
        }
    }

    private boolean bool(String at, Object v) {
        if (v == null) return false;
        if (v instanceof Boolean b) return b;
        problems.add(at + ": " + json(v) + " is not true or false (true: on drives the pin low, as on most relay boards)");
        return false;
    }

    private boolean switchSafe(String at, Object v) {
        if (v == null || "off".equals(v)) return false;
        if ("on".equals(v)) return true;
        problems.add(at + ": " + json(v) + " is not \"on\" or \"off\" (the state at boot, on a fault and at shutdown)");
        return false;
    }

    private double dimmerSafe(String at, Object v) {
        if (v == null) return 0;
        if (v instanceof Number n && !(n instanceof java.math.BigInteger)) {
            double d = n.doubleValue();
            if (d >= 0 && d <= 100) return d;
        }
        problems.add(at + ": " + json(v) + " is not a level 0-100 (percent: the level at boot, on a fault and at shutdown)");
        return 0;
    }

    private int frequency(String at, Object v) {
        if (v == null) return DeviceConfig.DEFAULT_PWM_FREQUENCY_HZ;
        int min = profile.map(BoardProfile::minPwmHz).orElse(1);
        int max = profile.map(BoardProfile::maxPwmHz).orElse(Integer.MAX_VALUE);
        if (v instanceof Integer hz && hz >= min && hz <= max) return hz;
        problems.add(at + ": " + json(v) + " is not a PWM frequency " + min + "-" + max
                + " Hz" + (profile.isPresent() ? " on " + board : "") + " (1000 if not given)");
        return DeviceConfig.DEFAULT_PWM_FREQUENCY_HZ;
    }

    private Duration ramp(String at, Object v) {
        if (v == null) return Duration.ZERO;
        Duration d = v instanceof String s ? DeviceConfigValidation.interval(s) : null;
        if (d == null) {
            problems.add(at + ": bad ramp " + json(v) + ": use a number with ms, s, m or h (\"500ms\", \"2s\"), \"0s\" for none");
            return Duration.ZERO;
        }
        if (d.compareTo(DeviceConfig.MAX_RAMP) > 0) {
            problems.add(at + ": ramp " + v + " is too long: give 0ms to 1h (a command waits for the ramp)");
            return Duration.ZERO;
        }
        return d;
    }

    /** Every sensor channel, with the sensor it belongs to. */
    private Map<String, String> sensorChannels() {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < sensors.size(); i++) {
            for (String channel : sensors.get(i).channels().keySet()) out.putIfAbsent(channel, sensorLabels.get(i));
        }
        return out;
    }

    /**
     * The pins the sensors take: a sensor's own pin, and every pin of a bus a sensor is on (by
     * its placement: chipSelect is SPI, romId 1-Wire, otherwise I2C, bus 1 if not said).
     */
    private Map<Integer, String> sensorPins() {
        Map<Integer, String> out = new HashMap<>();
        Map<String, Set<Integer>> buses = profile.map(BoardProfile::busPins).orElse(Map.of());
        for (int i = 0; i < sensors.size(); i++) {
            SensorSpec s = sensors.get(i);
            Map<String, Object> p = s.placement();
            String label = sensorLabels.get(i);
            if (p.get("pin") instanceof Integer pin) {
                out.putIfAbsent(pin, label);
                continue;
            }
            String bus;
            if (p.containsKey("romId") || ONE_WIRE_CHIPS.contains(s.chip())) bus = "w1";
            else if (p.containsKey("chipSelect") || SPI_CHIPS.contains(s.chip())) bus = "spi-" + (p.get("bus") instanceof Integer b ? b : 0);
            else bus = "i2c-" + (p.get("bus") instanceof Integer b ? b : 1);
            Set<Integer> busPins = buses.getOrDefault(bus, Set.of());
            for (int pin : busPins) {
                out.putIfAbsent(pin, label + " on " + bus + " (BCM " + BoardProfile.describe(busPins) + ")");
            }
        }
        return out;
    }
}
