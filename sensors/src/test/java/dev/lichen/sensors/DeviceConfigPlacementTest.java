package dev.lichen.sensors;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.appliance.DeviceConfig;
import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.senml.Value;
import dev.lichen.sensors.factory.LichenSensorFactory;
import dev.lichen.sensors.factory.PlacementException;
import dev.lichen.sensors.probe.DemoBoard;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device config's own parser hands placements over; every chip must start from what it hands. */
class DeviceConfigPlacementTest {
    static final String CONFIG = """
        {"deviceId": "kitchen-climate",
         "gateway": {"uplink": "coap", "host": "192.168.1.10", "port": 5683},
         "board": "sim", "dataDir": "/tmp/lichen-test",
         "sensors": [
           {"chip": "bme280", "bus": 1, "address": "0x76", "settings": {"mode": "normal", "oversampling": 4, "filter": 2, "standbyMs": 62.5},
            "channels": {"temperature": "10s", "humidity": "10s", "pressure": "60s"}},
           {"chip": "sht31", "address": "0x44", "settings": {"repeatability": "low"}, "channels": {"temperature": "10s"}},
           {"chip": "soil-ads1115", "bus": 1, "address": "0x48", "input": 0,
            "calibration": {"dryVolts": 2.8, "wetVolts": 1.2}, "channels": {"soil_moisture": "5m"}},
           {"chip": "mcp3008", "chipSelect": 0, "input": 3, "settings": {"vref": 3.3}, "channels": {"voltage": "1m"}},
           {"chip": "ds18b20", "romId": "28-0000075e9c02", "channels": {"temperature": "1m"}},
           {"chip": "sgp30", "address": "0x58", "channels": {"co2": "1s", "voc": "1s"}},
           {"chip": "bh1750", "address": "0x23", "settings": {"resolution": "L", "mtreg": 100}, "channels": {"illuminance": "1m"}},
           {"chip": "pir", "pin": 17, "channels": {"motion": "event"}},
           {"chip": "reed", "pin": 27, "pull": "up", "settings": {"debounceMs": 30}, "channels": {"door": "event"}}
         ]}
        """;

    @Test
    void everySensorOfAValidConfigStartsAndReads() throws Exception {
        var config = DeviceConfig.parse("test", CONFIG.getBytes(StandardCharsets.UTF_8), LichenSensorFactory.CHIPS);
        var clock = new ManualClock();
        var demo = DemoBoard.create("sim", clock);
        demo.mcp3008().setVolts(3, 1.5);
        var factory = new LichenSensorFactory(clock);
        List<Sensor> started = new ArrayList<>();
        for (var spec : config.sensors()) {
            started.add(factory.start(spec.chip(), demo.board(), spec.placement()));
        }
        clock.advance(Duration.ofSeconds(16));
        List<String> channels = new ArrayList<>();
        for (Sensor s : started) {
            for (var r : s.sample(clock.epochMillis())) {
                channels.add(r.channel());
                if (r.value() instanceof Value.Number(double v)) {
                    assertTrue(Double.isFinite(v), r.toString());
                }
                // what the uplink will send must pass the wire codec's checks (units, names, values)
                assertDoesNotThrow(() -> dev.lichen.senml.SenmlCodec.check(r), r.toString());
            }
        }
        assertEquals(List.of("temperature", "humidity", "pressure", "temperature", "humidity", "soil_moisture", "voltage",
                "temperature", "co2", "voc", "illuminance", "motion", "door"), channels);
    }

    @Test
    void chipSpecificMistakesTheConfigParserLetsThroughAreCaughtHere() throws Exception {
        String bad = CONFIG.replace("\"dryVolts\": 2.8, \"wetVolts\": 1.2", "\"dryVolts\": 1.2, \"wetVolts\": 2.8");
        var config = DeviceConfig.parse("test", bad.getBytes(StandardCharsets.UTF_8), LichenSensorFactory.CHIPS);
        var demo = DemoBoard.create("sim", new ManualClock());
        var soil = config.sensors().get(2);
        var e = assertThrows(PlacementException.class,
                () -> new LichenSensorFactory().start(soil.chip(), demo.board(), soil.placement()));
        assertEquals(PlacementException.Problem.BAD_CALIBRATION, e.problem());
    }
}
