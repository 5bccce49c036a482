package dev.lichen.sensors.sim;

import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.sensors.ads1115.Ads1115Model;
import dev.lichen.sensors.analog.SoilCalibration;
import dev.lichen.sensors.analog.SoilProbeModel;
import dev.lichen.sensors.bh1750.Bh1750Model;
import dev.lichen.sensors.bme280.Bme280Model;
import dev.lichen.sensors.core.ModelFaults;
import dev.lichen.sensors.ds18b20.Ds18b20Model;
import dev.lichen.sensors.ds18b20.RomId;
import dev.lichen.sensors.gpio.PirModel;
import dev.lichen.sensors.gpio.ReedSwitchModel;
import dev.lichen.sensors.mcp3008.Mcp3008Model;
import dev.lichen.sensors.sgp30.Sgp30Model;
import dev.lichen.sensors.sht31.Sht31Model;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The chip models of the sensors module, attached to a simulated board where a device config puts
 * each chip, and fed from their surroundings: the place in the simulator's home where a scenario
 * puts the chip, or the fixed {@link BenchModels#BENCH} conditions on an arm64-virt image.
 */
public final class ChipModels {
    /** What the board needs to keep of an attached model: its faults, and for GPIO chips the pin's driver. */
    public record Attached(ModelFaults faults, Consumer<Environment> gpio) {}

    /** Where to attach: the board, the device's clock (for the chips' conversion times), what the chip senses. */
    public record Context(SimBoard board, Clock clock, Supplier<Environment> surroundings) {
        Feed feed(Consumer<Environment> model) {
            return new Feed(surroundings, model);
        }
    }

    private interface Binding {
        Attached attach(Context c, Map<String, Object> placement);
    }

    private static final Map<String, Binding> BINDINGS = Map.of(
            "bme280", (c, p) -> {
                Bme280Model m = new Bme280Model(c.clock());
                Feed f = c.feed(e -> m.set(e.temperatureC(), e.humidityPercent(), e.pressurePa()));
                f.update();
                c.board().attachI2c(integer(p, "bus", 1), address(p), f.i2c(m));
                return new Attached(m.faults(), null);
            },
            "sht31", (c, p) -> {
                Sht31Model m = new Sht31Model(c.clock());
                Feed f = c.feed(e -> m.set(e.temperatureC(), e.humidityPercent()));
                f.update();
                c.board().attachI2c(integer(p, "bus", 1), address(p), f.i2c(m));
                return new Attached(m.faults(), null);
            },
            "bh1750", (c, p) -> {
                Bh1750Model m = new Bh1750Model(c.clock());
                Feed f = c.feed(e -> m.set(e.lux()));
                f.update();
                c.board().attachI2c(integer(p, "bus", 1), address(p), f.i2c(m));
                return new Attached(m.faults(), null);
            },
            "sgp30", (c, p) -> {
                Sgp30Model m = new Sgp30Model(c.clock());
                // eCO2 follows TVOC loosely, as the chip's own estimate does
                Feed f = c.feed(e -> m.set((int) Math.min(60_000, 400 + e.vocPpb() * 0.4),
                        (int) Math.min(60_000, Math.round(e.vocPpb()))));
                f.update();
                c.board().attachI2c(integer(p, "bus", 1), address(p), f.i2c(m));
                return new Attached(m.faults(), null);
            },
            "ds18b20", (c, p) -> {
                Ds18b20Model m = new Ds18b20Model(RomId.parse(String.valueOf(p.get("romId"))));
                Feed f = c.feed(e -> m.set(e.temperatureC()));
                f.update();
                c.board().attachOneWire(f.oneWire(m));
                return new Attached(m.faults(), null);
            },
            "soil-ads1115", (c, p) -> {
                Ads1115Model adc = new Ads1115Model(c.clock());
                SoilProbeModel probe = new SoilProbeModel(adc, integer(p, "input", 0), calibration(p));
                Feed f = c.feed(e -> probe.setWaterContent(e.soilPercent() / 100));
                f.update();
                c.board().attachI2c(integer(p, "bus", 1), address(p), f.i2c(adc));
                return new Attached(adc.faults(), null);
            },
            "mcp3008", (c, p) -> {
                Mcp3008Model adc = new Mcp3008Model(3.3);
                SoilProbeModel probe = new SoilProbeModel(adc, integer(p, "input", 0), calibration(p));
                Feed f = c.feed(e -> probe.setWaterContent(e.soilPercent() / 100));
                f.update();
                c.board().attachSpi(integer(p, "bus", 0), integer(p, "chipSelect", 0), f.spi(adc));
                return new Attached(adc.faults(), null);
            },
            "pir", (c, p) -> {
                PirModel m = new PirModel(c.board(), integer(p, "pin", 17));
                return new Attached(m.faults(), e -> m.motion(e.motion()));
            },
            "reed", (c, p) -> {
                ReedSwitchModel m = new ReedSwitchModel(c.board(), integer(p, "pin", 27));
                return new Attached(m.faults(), e -> m.doorOpen(e.open()));
            });

    private ChipModels() {}

    /** The chips the simulator can put on a virtual board. */
    public static Set<String> chips() {
        return new java.util.TreeSet<>(BINDINGS.keySet());
    }

    public static Attached attach(String chip, Context context, Map<String, Object> placement) {
        Binding b = BINDINGS.get(chip);
        if (b == null) throw new IllegalArgumentException("the simulator has no model of chip " + chip);
        return b.attach(context, placement);
    }

    private static int integer(Map<String, Object> p, String key, int dflt) {
        Object v = p.get(key);
        if (v == null) return dflt;
        if (v instanceof Number n) return n.intValue();
        String s = v.toString().trim().toLowerCase(java.util.Locale.ROOT);
        return s.startsWith("0x") ? Integer.parseInt(s.substring(2), 16) : Integer.parseInt(s);
    }

    private static int address(Map<String, Object> p) {
        return integer(p, "address", 0);
    }

    private static SoilCalibration calibration(Map<String, Object> p) {
        if (p.get("calibration") instanceof Map<?, ?> m) {
            return new SoilCalibration(((Number) m.get("dryVolts")).doubleValue(), ((Number) m.get("wetVolts")).doubleValue());
        }
        return new SoilCalibration(2.8, 1.2);
    }
}
