package dev.lichen.sensors;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.runtime.sensor.SensorFactory;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import dev.lichen.sensors.factory.LichenSensorFactory;
import dev.lichen.sensors.factory.PlacementException;
import dev.lichen.sensors.factory.PlacementException.Problem;
import dev.lichen.sensors.probe.DemoBoard;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class FactoryTest {
    final ManualClock clock = new ManualClock();
    final DemoBoard demo = DemoBoard.create("demo", clock);
    final LichenSensorFactory factory = new LichenSensorFactory(clock);

    static Map<String, Object> m(Object... kv) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) map.put((String) kv[i], kv[i + 1]);
        return map;
    }

    double number(List<Reading> readings, String channel) {
        return readings.stream().filter(r -> r.channel().equals(channel)).map(r -> ((Value.Number) r.value()).value()).findFirst().orElseThrow();
    }

    @Test
    void serviceLoaderFindsTheFactoryWithEveryChip() {
        var found = ServiceLoader.load(SensorFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f instanceof LichenSensorFactory).findFirst().orElseThrow();
        assertEquals(java.util.Set.of("bme280", "sht31", "soil-ads1115", "ads1115", "mcp3008", "ds18b20", "sgp30", "bh1750", "pir", "reed"),
                found.chips());
    }

    @Test
    void everyChipStartsFromItsPlacementAndReadsTheModel() throws Exception {
        var b = demo.board();
        // the device config's example placements, as Jackson would hand them over
        Sensor bme = factory.start("bme280", b, m("bus", 1, "address", "0x76"));
        assertEquals(21.5, number(bme.sample(0), "temperature"), 0.05);
        Sensor sht = factory.start("sht31", b, m("bus", 1, "address", 0x44, "settings", m("repeatability", "medium")));
        assertEquals(80, number(sht.sample(0), "humidity"), 2);
        Sensor soil = factory.start("soil-ads1115", b, m("bus", 1, "address", "0x48", "input", 0,
                "calibration", m("dryVolts", 2.8, "wetVolts", 1.2)));
        assertEquals(35, number(soil.sample(0), "soil_moisture"), 0.5);
        Sensor volts = factory.start("ads1115", b, m("address", "0x48", "input", 0, "settings", m("fullScaleVolts", 6.144)));
        assertEquals(2.8 - 0.35 * 1.6, number(volts.sample(0), "voltage"), 0.001);
        demo.mcp3008().setVolts(2, 2.0);
        Sensor mcpSoil = factory.start("mcp3008", b, m("chipSelect", 0, "input", 2, "settings", m("probe", "soil"),
                "calibration", m("dryVolts", 2.8, "wetVolts", 1.2)));
        assertEquals(50, number(mcpSoil.sample(0), "soil_moisture"), 0.5);
        Sensor fridge = factory.start("ds18b20", b, m("romId", "28-0000075e3a1b"));
        assertEquals(4.5, number(fridge.sample(0), "temperature"));
        Sensor sgp = factory.start("sgp30", b, m("address", "0x58"));
        clock.advance(Duration.ofSeconds(16));
        assertEquals(650, number(sgp.sample(0), "co2"));
        Sensor light = factory.start("bh1750", b, m("address", 0x23, "settings", m("resolution", "H2")));
        assertEquals(320, number(light.sample(0), "illuminance"), 1);
        Sensor pir = factory.start("pir", b, m("pin", DemoBoard.PIR_PIN));
        Sensor door = factory.start("reed", b, m("pin", DemoBoard.REED_PIN, "settings", m("debounceMs", 0)));
        var events = new java.util.ArrayList<Reading>();
        pir.onEvent(events::add);
        door.onEvent(events::add);
        demo.pir().motion(true);
        demo.door().doorOpen(true);
        assertEquals(List.of("motion", "door"), events.stream().map(Reading::channel).toList());
        assertEquals(List.of(true, true), events.stream().map(r -> ((Value.Bool) r.value()).value()).toList());
        assertTrue(((Value.Bool) door.sample(0).getFirst().value()).value(), "door open");
    }

    @Test
    void fourSoilProbesOnOneAds1115ReadConcurrentlyWithoutMixingUp() throws Exception {
        var probes = new dev.lichen.sensors.analog.SoilProbeModel[4];
        List<Sensor> sensors = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            probes[i] = new dev.lichen.sensors.analog.SoilProbeModel(demo.ads1115(), i, DemoBoard.PROBE).setWaterContent(0.1 + 0.2 * i);
            sensors.add(factory.start("soil-ads1115", demo.board(), m("address", "0x48", "input", i,
                    "calibration", m("dryVolts", 2.8, "wetVolts", 1.2))));
        }
        // real time here: the conversions of different threads must not interleave on the chip
        var realClock = new LichenSensorFactory();
        var real = DemoBoard.create("real", dev.lichen.runtime.clock.Clock.SYSTEM);
        List<Sensor> realSensors = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            new dev.lichen.sensors.analog.SoilProbeModel(real.ads1115(), i, DemoBoard.PROBE).setWaterContent(0.1 + 0.2 * i);
            realSensors.add(realClock.start("soil-ads1115", real.board(), m("address", "0x48", "input", i,
                    "calibration", m("dryVolts", 2.8, "wetVolts", 1.2), "settings", m("samplesPerSecond", 860))));
        }
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Double>>();
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 4; i++) {
                    Sensor s = realSensors.get(i);
                    futures.add(pool.submit(() -> number(s.sample(0), "soil_moisture")));
                }
            }
            for (int k = 0; k < futures.size(); k++) {
                assertEquals(10 + 20 * (k % 4), futures.get(k).get(), 0.5, "probe " + (k % 4));
            }
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(10 + 20 * i, number(sensors.get(i).sample(0), "soil_moisture"), 0.5);
        }
    }

    @Test
    void everyI2cModelNacksThroughItsDriverWhenToldTo() throws Exception {
        var b = demo.board();
        Map<String, Object[]> chips = new java.util.LinkedHashMap<>();
        chips.put("bme280", new Object[] {m("address", "0x76"), demo.bme280().faults()});
        chips.put("sht31", new Object[] {m("address", "0x44"), demo.sht31().faults()});
        chips.put("ads1115", new Object[] {m("address", "0x48", "input", 1), demo.ads1115().faults()});
        chips.put("sgp30", new Object[] {m("address", "0x58"), demo.sgp30().faults()});
        chips.put("bh1750", new Object[] {m("address", "0x23"), demo.bh1750().faults()});
        clock.advance(Duration.ofSeconds(16));
        for (var e : chips.entrySet()) {
            @SuppressWarnings("unchecked") Sensor s = factory.start(e.getKey(), b, (Map<String, Object>) e.getValue()[0]);
            var faults = (dev.lichen.sensors.core.ModelFaults) e.getValue()[1];
            if (!e.getKey().equals("sgp30")) {
                assertFalse(s.sample(0).isEmpty());
            }
            faults.nack(true);
            var x = assertThrows(BusException.class, () -> s.sample(0), e.getKey());
            assertEquals(BusException.Kind.NACK, x.kind(), e.getKey());
            faults.nack(false);
        }
    }

    @Test
    void placementErrorsAreNamed() {
        var b = demo.board();
        assertProblem(Problem.MISSING_KEY, "\"address\"", () -> factory.start("bme280", b, m("bus", 1)));
        assertProblem(Problem.ADDRESS_OUT_OF_RANGE, "0x03..0x77", () -> factory.start("bme280", b, m("address", "0x80")));
        assertProblem(Problem.ADDRESS_OUT_OF_RANGE, "0x76 or 0x77", () -> factory.start("bme280", b, m("address", "0x50")));
        assertProblem(Problem.BAD_VALUE, "not a number", () -> factory.start("sht31", b, m("address", "forty-four")));
        assertProblem(Problem.UNKNOWN_KEY, "[adress]", () -> factory.start("sht31", b, m("address", "0x44", "adress", "0x44")));
        assertProblem(Problem.BAD_CALIBRATION, "must be above", () -> factory.start("soil-ads1115", b,
                m("address", "0x48", "input", 0, "calibration", m("dryVolts", 1.2, "wetVolts", 2.8))));
        assertProblem(Problem.BAD_CALIBRATION, "beyond the 2.048 V full scale", () -> factory.start("soil-ads1115", b,
                m("address", "0x48", "input", 0, "settings", m("fullScaleVolts", 2.048), "calibration", m("dryVolts", 2.8, "wetVolts", 1.2))));
        assertProblem(Problem.MISSING_KEY, "\"calibration\"", () -> factory.start("soil-ads1115", b, m("address", "0x48", "input", 0)));
        assertProblem(Problem.MISSING_KEY, "\"input\"", () -> factory.start("soil-ads1115", b,
                m("address", "0x48", "calibration", m("dryVolts", 2.8, "wetVolts", 1.2))));
        assertProblem(Problem.BAD_VALUE, "0..3", () -> factory.start("ads1115", b, m("address", "0x48", "input", 4)));
        assertProblem(Problem.MISSING_KEY, "\"calibration\"", () -> factory.start("mcp3008", b, m("input", 0, "settings", m("probe", "soil"))));
        assertProblem(Problem.UNKNOWN_KEY, "only for settings", () -> factory.start("mcp3008", b, m("input", 0, "settings", m("probe", "voltage"),
                "calibration", m("dryVolts", 2.8, "wetVolts", 1.2))));
        assertProblem(Problem.UNKNOWN_KEY, "unknown settings key [gain]", () -> factory.start("ads1115", b, m("address", "0x48", "input", 0, "settings", m("gain", 2))));
        assertProblem(Problem.BAD_VALUE, "\"settings\" is", () -> factory.start("sht31", b, m("address", "0x44", "settings", "high")));
        assertProblem(Problem.BAD_VALUE, "romId", () -> factory.start("ds18b20", b, m("romId", "28-xyz")));
        assertProblem(Problem.BAD_VALUE, "[H, H2, L]", () -> factory.start("bh1750", b, m("address", "0x23", "settings", m("resolution", "ultra"))));
        assertProblem(Problem.BAD_VALUE, "whole number in 0..27", () -> factory.start("pir", b, m("pin", 3.5)));
        assertProblem(Problem.MISSING_KEY, "\"pin\"", () -> factory.start("reed", b, m()));
        assertProblem(Problem.BAD_VALUE, "[down, none, up]", () -> factory.start("reed", b, m("pin", 5, "pull", "sideways")));
        assertProblem(Problem.BAD_VALUE, "oversampling must be 1, 2, 4, 8 or 16", () -> factory.start("bme280", b, m("address", "0x76", "settings", m("oversampling", 3))));
        assertProblem(Problem.UNKNOWN_CHIP, "known chips are", () -> factory.start("dht22", b, m()));
    }

    @Test
    void absentChipsNameWhereTheyShouldBe() {
        var b = demo.board();
        var e = assertThrows(BusException.class, () -> factory.start("bme280", b, m("address", "0x77")));
        assertEquals("bme280: no answer at 0x77 on i2c-1: check wiring (SDA pin 3, SCL pin 5, 3V3 and GND) and address (0x76 with SDO to GND, 0x77 with SDO to VDDIO)",
                e.getMessage());
        var w1 = assertThrows(BusException.class, () -> factory.start("ds18b20", b, m("romId", "28-000000000042")));
        assertTrue(w1.getMessage().contains("28-000000000042 not on w1"), w1.getMessage());
        var spi = assertThrows(BusException.class, () -> factory.start("mcp3008", b, m("chipSelect", 1, "input", 0)));
        assertTrue(spi.getMessage().contains("CE1 pin 26"), spi.getMessage());
    }

    static void assertProblem(Problem problem, String text, org.junit.jupiter.api.function.Executable start) {
        var e = assertThrows(PlacementException.class, start);
        assertEquals(problem, e.problem(), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }
}
