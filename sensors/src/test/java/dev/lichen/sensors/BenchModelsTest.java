package dev.lichen.sensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.bus.sim.SimChipModels;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import dev.lichen.sensors.factory.LichenSensorFactory;
import dev.lichen.sensors.sim.BenchModels;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Board arm64-virt's chips: found as a service, placed where the config says, read by the real drivers at bench values. */
class BenchModelsTest {
    final ManualClock clock = new ManualClock();
    final LichenSensorFactory factory = new LichenSensorFactory(clock);

    @Test
    void theRealDriversReadTheBenchConditionsWhereTheConfigPlacesEachChip() throws Exception {
        SimChipModels models = ServiceLoader.load(SimChipModels.class).findFirst().orElseThrow();
        assertInstanceOf(BenchModels.class, models);
        SimBoard board = new SimBoard("arm64-virt");
        Map<String, Object> bme = Map.of("bus", 1, "address", "0x77");
        Map<String, Object> soil = Map.of("bus", 1, "address", "0x48", "input", 1,
                "calibration", Map.of("dryVolts", 2.8, "wetVolts", 1.2));
        Map<String, Object> light = Map.of("bus", 1, "address", "0x23");
        models.attach(board, clock, "bme280", bme);
        models.attach(board, clock, "soil-ads1115", soil);
        models.attach(board, clock, "bh1750", light);

        List<Reading> climate = factory.start("bme280", board, bme).sample(0);
        assertEquals(BenchModels.BENCH.temperatureC(), number(climate, "temperature"), 0.05);
        assertEquals(BenchModels.BENCH.humidityPercent(), number(climate, "humidity"), 0.5);
        assertEquals(BenchModels.BENCH.pressurePa(), number(climate, "pressure"), 5);
        assertEquals(BenchModels.BENCH.soilPercent(), number(factory.start("soil-ads1115", board, soil).sample(0), "soil_moisture"), 1);
        assertEquals(BenchModels.BENCH.lux(), number(factory.start("bh1750", board, light).sample(0), "illuminance"), 5);
    }

    static double number(List<Reading> readings, String channel) {
        return readings.stream().filter(r -> r.channel().equals(channel)).map(r -> ((Value.Number) r.value()).value()).findFirst()
                .orElseThrow(() -> new AssertionError("no " + channel + " in " + readings));
    }
}
