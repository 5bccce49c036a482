package dev.lichen.sensors.factory;

import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.runtime.sensor.SensorFactory;
import dev.lichen.sensors.ads1115.Ads1115;
import dev.lichen.sensors.analog.AnalogInput;
import dev.lichen.sensors.analog.AnalogSensor;
import dev.lichen.sensors.bh1750.Bh1750;
import dev.lichen.sensors.bme280.Bme280;
import dev.lichen.sensors.core.I2cChip;
import dev.lichen.sensors.core.PiHeader;
import dev.lichen.sensors.core.Units;
import dev.lichen.sensors.ds18b20.Ds18b20;
import dev.lichen.sensors.ds18b20.RomId;
import dev.lichen.sensors.factory.PlacementException.Problem;
import dev.lichen.sensors.gpio.EdgeSensor;
import dev.lichen.sensors.mcp3008.Mcp3008;
import dev.lichen.sensors.sgp30.Sgp30;
import dev.lichen.sensors.sht31.Sht31;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Starts Lichen's drivers by chip name from a sensor's placement (found by ServiceLoader). Checks
 * each chip's own placement keys; conflicts between chips (one address twice, one pin twice) are
 * the device config's to check.
 */
public final class LichenSensorFactory implements SensorFactory {
    public static final Set<String> CHIPS = Set.of(
            "bme280", "sht31", "soil-ads1115", "ads1115", "mcp3008", "ds18b20", "sgp30", "bh1750", "pir", "reed");

    /** The I2C addresses each I2C chip can be strapped to. */
    public static final Map<String, int[]> I2C_ADDRESSES = Map.of(
            "bme280", new int[] {0x76, 0x77}, "sht31", new int[] {0x44, 0x45},
            "soil-ads1115", new int[] {0x48, 0x49, 0x4A, 0x4B}, "ads1115", new int[] {0x48, 0x49, 0x4A, 0x4B},
            "sgp30", new int[] {0x58}, "bh1750", new int[] {0x23, 0x5C});

    private final Clock clock;
    /**
     * One lock per ADC chip of each board: several sensors may share one ADS1115 or MCP3008 (a
     * soil probe on each input), and a conversion is a sequence of transactions.
     */
    private final Map<Board, Map<String, Object>> adcLocks = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** For ServiceLoader: waits on the system clock. */
    public LichenSensorFactory() {
        this(Clock.SYSTEM);
    }

    /** Drivers wait for conversions on this clock (a simulator's, which may run fast). */
    public LichenSensorFactory(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Set<String> chips() {
        return CHIPS;
    }

    @Override
    public Sensor start(String chip, Board board, Map<String, Object> placement) throws BusException {
        String name = chip == null ? "" : chip.toLowerCase(Locale.ROOT);
        return switch (name) {
            case "bme280" -> bme280(board, placement);
            case "sht31" -> sht31(board, placement);
            case "soil-ads1115", "ads1115" -> ads1115(name, board, placement);
            case "mcp3008" -> mcp3008(board, placement);
            case "ds18b20" -> ds18b20(board, placement);
            case "sgp30" -> {
                var p = new Placement(name, placement, Set.of("bus", "address"));
                yield Sgp30.start(i2c(name, board, p), clock);
            }
            case "bh1750" -> bh1750(board, placement);
            case "pir" -> gpio(name, board, placement, Units.MOTION, "down", 0);
            case "reed" -> gpio(name, board, placement, Units.DOOR, "up", 50);
            default -> throw new PlacementException(Problem.UNKNOWN_CHIP,
                    "unknown chip '%s': known chips are %s".formatted(chip, new java.util.TreeSet<>(CHIPS)));
        };
    }

    private static I2cChip i2c(String chip, Board board, Placement p) throws BusException {
        int address = p.address(I2C_ADDRESSES.get(chip));
        int bus = p.integer("bus", 1, 0, 31);
        return new I2cChip(chip, board.i2c(bus), bus, address);
    }

    private Sensor bme280(Board board, Map<String, Object> placement) throws BusException {
        var top = new Placement("bme280", placement, Set.of("bus", "address", "settings"));
        I2cChip chip = i2c("bme280", board, top);
        var p = top.settings(Set.of("mode", "oversampling", "filter", "standbyMs"));
        Bme280.Mode mode = p.choice("mode", "forced", Set.of("forced", "normal")).equals("normal") ? Bme280.Mode.NORMAL : Bme280.Mode.FORCED;
        int oversampling = p.integer("oversampling", 1, 1, 16);
        int filter = p.integer("filter", 0, 0, 16);
        double standby = p.number("standbyMs", 1000);
        int standbyCode = java.util.List.of(0.5, 62.5, 125.0, 250.0, 500.0, 1000.0, 10.0, 20.0).indexOf(standby);
        if (standbyCode < 0) {
            throw p.bad("standbyMs", standby, "one of 0.5, 10, 20, 62.5, 125, 250, 500, 1000");
        }
        Bme280.Settings settings;
        try {
            settings = new Bme280.Settings(mode, oversampling, filter, standbyCode);
        } catch (IllegalArgumentException e) {
            throw new PlacementException(Problem.BAD_VALUE, e.getMessage());
        }
        return Bme280.start(chip, clock, settings);
    }

    private Sensor sht31(Board board, Map<String, Object> placement) throws BusException {
        var p = new Placement("sht31", placement, Set.of("bus", "address", "settings"));
        I2cChip chip = i2c("sht31", board, p);
        String r = p.settings(Set.of("repeatability")).choice("repeatability", "high", Set.of("high", "medium", "low"));
        return Sht31.start(chip, clock, Sht31.Repeatability.valueOf(r.toUpperCase(Locale.ROOT)));
    }

    private Sensor ads1115(String name, Board board, Map<String, Object> placement) throws BusException {
        boolean soil = name.equals("soil-ads1115");
        Set<String> keys = soil ? Set.of("bus", "address", "input", "calibration", "settings")
                : Set.of("bus", "address", "input", "settings");
        var p = new Placement(name, placement, keys);
        I2cChip chip = i2c(name, board, p);
        int input = p.requiredInteger("input", 0, 3);
        var calibration = soil ? p.soilCalibration() : null;
        var settings = p.settings(Set.of("fullScaleVolts", "samplesPerSecond"));
        Ads1115.Pga pga;
        double fullScale = settings.number("fullScaleVolts", 4.096);
        try {
            pga = Ads1115.Pga.ofVolts(fullScale);
        } catch (IllegalArgumentException e) {
            throw new PlacementException(Problem.BAD_VALUE, name + ": " + e.getMessage());
        }
        if (soil && calibration.dryVolts() >= pga.fullScale) {
            throw new PlacementException(Problem.BAD_CALIBRATION, "%s: dryVolts %.3f is beyond the %.3f V full scale; set fullScaleVolts higher"
                    .formatted(name, calibration.dryVolts(), pga.fullScale));
        }
        int sps = settings.integer("samplesPerSecond", 128, 8, 860);
        Ads1115 adc;
        try {
            adc = Ads1115.start(chip, clock, sps);
        } catch (IllegalArgumentException e) {
            throw new PlacementException(Problem.BAD_VALUE, e.getMessage());
        }
        String where = adc.where() + " input " + input;
        Object lock = adcLock(board, chip.where());
        AnalogInput in = () -> {
            synchronized (lock) {
                return adc.volts(input, pga);
            }
        };
        return soil ? AnalogSensor.soil(where, in, calibration) : AnalogSensor.voltage(where, in);
    }

    private Sensor mcp3008(Board board, Map<String, Object> placement) throws BusException {
        var p = new Placement("mcp3008", placement, Set.of("bus", "chipSelect", "input", "calibration", "settings"));
        int bus = p.integer("bus", 0, 0, 6);
        int cs = p.integer("chipSelect", 0, 0, 2);
        int input = p.requiredInteger("input", 0, 7);
        var settings = p.settings(Set.of("probe", "vref"));
        // the probe kind: a soil probe needs its calibration; without one the input reads volts
        String probe = settings.choice("probe", p.has("calibration") ? "soil" : "voltage", Set.of("soil", "voltage"));
        if (probe.equals("voltage") && p.has("calibration")) {
            throw new PlacementException(Problem.UNKNOWN_KEY, "mcp3008: \"calibration\" is only for settings \"probe\": \"soil\"");
        }
        var calibration = probe.equals("soil") ? p.soilCalibration() : null;
        double vref = settings.number("vref", 3.3);
        if (vref <= 0.25 || vref > 5.5) {
            throw settings.bad("vref", vref, "the reference voltage, 0.25..5.5 V (3.3 when VREF is tied to 3V3)");
        }
        Mcp3008 adc = Mcp3008.start(board.spi(bus), bus, cs, vref);
        String where = adc.where() + " input " + input;
        Object lock = adcLock(board, adc.where());
        AnalogInput in = () -> {
            synchronized (lock) {
                return adc.volts(input);
            }
        };
        return calibration != null ? AnalogSensor.soil(where, in, calibration) : AnalogSensor.voltage(where, in);
    }

    private Object adcLock(Board board, String chip) {
        return adcLocks.computeIfAbsent(board, b -> new java.util.concurrent.ConcurrentHashMap<>())
                .computeIfAbsent(chip, c -> new Object());
    }

    private Sensor ds18b20(Board board, Map<String, Object> placement) throws BusException {
        var p = new Placement("ds18b20", placement, Set.of("romId"));
        String rom = p.string("romId");
        RomId id = null;
        if (rom != null) {
            try {
                id = RomId.parse(rom);
            } catch (IllegalArgumentException e) {
                throw new PlacementException(Problem.BAD_VALUE, "ds18b20: romId " + e.getMessage());
            }
        }
        return Ds18b20.start(board.oneWire(), id);
    }

    private Sensor bh1750(Board board, Map<String, Object> placement) throws BusException {
        var p = new Placement("bh1750", placement, Set.of("bus", "address", "settings"));
        I2cChip chip = i2c("bh1750", board, p);
        var settings = p.settings(Set.of("resolution", "mtreg"));
        String r = settings.choice("resolution", "H", Set.of("H", "H2", "L"));
        int mtreg = settings.integer("mtreg", 69, 31, 254);
        return Bh1750.start(chip, clock, Bh1750.Resolution.valueOf(r), mtreg);
    }

    /**
     * A PIR drives its output high on motion (push-pull; a pull-down keeps an unplugged one quiet).
     * A reed switch to GND with the pull-up reads high when the door is open; wired to 3V3 with
     * "pull": "down" it reads low when open.
     */
    private Sensor gpio(String name, Board board, Map<String, Object> placement, Sensor.Channel channel,
                        String defaultPull, int defaultDebounceMs) throws BusException {
        var p = new Placement(name, placement, Set.of("pin", "pull", "settings"));
        int pin = p.requiredInteger("pin", 0, 27);
        if (!PiHeader.isHeaderGpio(pin)) {
            throw p.bad("pin", pin, "a BCM GPIO number on the 40-pin header (0..27)");
        }
        Board.Pull pull = Board.Pull.valueOf(p.choice("pull", defaultPull, Set.of("up", "down", "none")).toUpperCase(Locale.ROOT));
        boolean activeHigh = channel != Units.DOOR || pull != Board.Pull.DOWN;
        int debounce = p.settings(Set.of("debounceMs")).integer("debounceMs", defaultDebounceMs, 0, 10_000);
        try {
            return new EdgeSensor(channel, board.digitalInput(pin, pull), activeHigh, Duration.ofMillis(debounce), clock);
        } catch (BusException e) {
            throw new BusException(e.kind(), "%s: cannot use %s as an input: %s".formatted(name, PiHeader.gpio(pin), e.getMessage()), e);
        }
    }
}
