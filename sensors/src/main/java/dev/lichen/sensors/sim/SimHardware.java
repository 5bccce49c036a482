package dev.lichen.sensors.sim;

import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.sensors.ads1115.Ads1115Model;
import dev.lichen.sensors.analog.AnalogFrontEnd;
import dev.lichen.sensors.analog.SoilCalibration;
import dev.lichen.sensors.analog.SoilProbeModel;
import dev.lichen.sensors.bh1750.Bh1750Model;
import dev.lichen.sensors.bme280.Bme280Model;
import dev.lichen.sensors.core.ModelFaults;
import dev.lichen.sensors.ds18b20.Ds18b20Model;
import dev.lichen.sensors.ds18b20.RomId;
import dev.lichen.sensors.factory.LichenSensorFactory;
import dev.lichen.sensors.factory.Placement;
import dev.lichen.sensors.factory.PlacementException;
import dev.lichen.sensors.gpio.PirModel;
import dev.lichen.sensors.gpio.ReedSwitchModel;
import dev.lichen.sensors.mcp3008.Mcp3008Model;
import dev.lichen.sensors.sgp30.Sgp30Model;
import dev.lichen.sensors.sht31.Sht31Model;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds a simulated board from a device config's sensor placements: attaches the model of each
 * chip exactly where {@link LichenSensorFactory} will look for it (ADC chips shared by the probes
 * on their inputs), so the simulator runs the real drivers on it.
 */
public final class SimHardware {
    private final SimBoard board;
    private final Clock clock;
    private final Map<String, AnalogFrontEnd> adcs = new HashMap<>();
    private final Map<String, ModelFaults> adcFaults = new HashMap<>();
    private long nextSerial = 0x0000_0001_0000L;

    public SimHardware(SimBoard board, Clock clock) {
        this.board = board;
        this.clock = clock;
    }

    public SimBoard board() { return board; }

    /** Attaches the model for one sensor entry; placement as the device config hands it over. */
    public synchronized PlacedChip place(String chip, Map<String, Object> placement) {
        var p = new Placement(chip, placement, LichenSensorFactory.PLACEMENT_KEYS);
        return switch (chip) {
            case "bme280" -> {
                var m = new Bme280Model(clock);
                board.attachI2c(bus(p, 1), p.address(addresses(chip)), m);
                double[] state = {21, 45, 101_325};
                yield placed(chip, m.faults(), (q, v) -> {
                    int i = switch (q) { case "temperature" -> 0; case "humidity" -> 1; case "pressure" -> 2; default -> -1; };
                    if (i < 0) return false;
                    state[i] = v;
                    m.set(state[0], state[1], state[2]);
                    return true;
                });
            }
            case "sht31" -> {
                var m = new Sht31Model(clock);
                board.attachI2c(bus(p, 1), p.address(addresses(chip)), m);
                double[] state = {21, 45};
                yield placed(chip, m.faults(), (q, v) -> {
                    if (q.equals("temperature")) state[0] = v; else if (q.equals("humidity")) state[1] = v; else return false;
                    m.set(state[0], state[1]);
                    return true;
                });
            }
            case "soil-ads1115", "ads1115" -> {
                int bus = bus(p, 1), address = p.address(addresses(chip));
                String key = "i2c-" + bus + "@" + address;
                if (!adcs.containsKey(key)) {
                    var m = new Ads1115Model(clock);
                    board.attachI2c(bus, address, m);
                    adcs.put(key, m);
                    adcFaults.put(key, m.faults());
                }
                yield analog(chip, p, adcs.get(key), adcFaults.get(key), chip.equals("soil-ads1115"));
            }
            case "mcp3008" -> {
                int bus = bus(p, 0), cs = p.integer("chipSelect", 0, 0, 2);
                String key = "spi-" + bus + "@" + cs;
                if (!adcs.containsKey(key)) {
                    double vref = p.settings(java.util.Set.of("probe", "vref")).number("vref", 3.3);
                    var m = new Mcp3008Model(vref);
                    board.attachSpi(bus, cs, m);
                    adcs.put(key, m);
                    adcFaults.put(key, m.faults());
                }
                yield analog(chip, p, adcs.get(key), adcFaults.get(key), p.has("calibration"));
            }
            case "ds18b20" -> {
                String rom = p.string("romId");
                var m = new Ds18b20Model(rom != null ? RomId.parse(rom) : new RomId(RomId.DS18B20, nextSerial++));
                board.attachOneWire(m);
                yield placed(chip, m.faults(), (q, v) -> q.equals("temperature") && m.set(v) != null);
            }
            case "sgp30" -> {
                var m = new Sgp30Model(clock);
                board.attachI2c(bus(p, 1), p.address(addresses(chip)), m);
                int[] state = {400, 0};
                yield placed(chip, m.faults(), (q, v) -> {
                    if (q.equals("co2")) state[0] = (int) Math.round(v); else if (q.equals("voc")) state[1] = (int) Math.round(v); else return false;
                    m.set(state[0], state[1]);
                    return true;
                });
            }
            case "bh1750" -> {
                var m = new Bh1750Model(clock);
                board.attachI2c(bus(p, 1), p.address(addresses(chip)), m);
                yield placed(chip, m.faults(), (q, v) -> q.equals("illuminance") && m.set(v) != null);
            }
            case "pir" -> {
                var m = new PirModel(board, p.requiredInteger("pin", 0, 27));
                yield placed(chip, m.faults(), (q, v) -> {
                    if (!q.equals("motion")) return false;
                    m.motion(v != 0);
                    return true;
                });
            }
            case "reed" -> {
                var m = new ReedSwitchModel(board, p.requiredInteger("pin", 0, 27));
                yield placed(chip, m.faults(), (q, v) -> {
                    if (!q.equals("door")) return false;
                    m.doorOpen(v != 0, 2);
                    return true;
                });
            }
            default -> throw new PlacementException(PlacementException.Problem.UNKNOWN_CHIP, "no model of chip '" + chip + "'");
        };
    }

    private PlacedChip analog(String chip, Placement p, AnalogFrontEnd adc, ModelFaults faults, boolean soil) {
        int input = p.requiredInteger("input", 0, 7);
        if (soil) {
            // the probe answers as the config says it was calibrated
            SoilCalibration calibration = p.soilCalibration();
            var probe = new SoilProbeModel(adc, input, calibration);
            return placed(chip, faults, (q, v) -> q.equals("soil_moisture") && probe.setWaterContent(v) != null);
        }
        return placed(chip, faults, (q, v) -> {
            if (!q.equals("voltage")) return false;
            adc.setVolts(input, v);
            return true;
        });
    }

    private static int bus(Placement p, int fallback) {
        return p.integer("bus", fallback, 0, 31);
    }

    private static int[] addresses(String chip) {
        return LichenSensorFactory.I2C_ADDRESSES.get(chip);
    }

    private interface Setter {
        boolean set(String quantity, double value);
    }

    private static PlacedChip placed(String chip, ModelFaults faults, Setter setter) {
        return new PlacedChip() {
            @Override public String chip() { return chip; }
            @Override public ModelFaults faults() { return faults; }
            @Override public boolean set(String quantity, double value) { return setter.set(quantity, value); }
        };
    }
}
