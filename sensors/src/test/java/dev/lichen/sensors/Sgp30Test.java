package dev.lichen.sensors;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.bus.sim.SimI2cDevice;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import dev.lichen.sensors.core.I2cChip;
import dev.lichen.sensors.core.SensirionWords;
import dev.lichen.sensors.core.SensorFault;
import dev.lichen.sensors.sgp30.Sgp30;
import dev.lichen.sensors.sgp30.Sgp30Model;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Sgp30Test {
    final ManualClock clock = new ManualClock();
    final SimBoard board = new SimBoard("t");
    final Sgp30Model model = new Sgp30Model(clock);

    Sgp30 start() throws BusException {
        board.attachI2c(1, 0x58, model);
        return Sgp30.start(new I2cChip("sgp30", board.i2c(1), 1, 0x58), clock);
    }

    @Test
    void warmUpAnswersAreNotReadingsThenValuesReadBackAcrossTheRange() throws Exception {
        Sgp30 sensor = start();
        assertEquals(0, sensor.featureSet() >> 12);
        model.set(800, 150);
        var e = assertThrows(BusException.class, () -> sensor.sample(0));
        assertInstanceOf(SensorFault.NotReady.class, e.getCause());
        assertTrue(e.getMessage().contains("warming up"), e.getMessage());
        clock.advance(Duration.ofSeconds(15));
        int[][] cases = {{400, 0}, {450, 10}, {800, 150}, {2000, 1000}, {10_000, 8000}, {60_000, 60_000}};
        for (int[] c : cases) {
            model.set(c[0], c[1]);
            var q = sensor.measure();
            // datasheet accuracy is +-15 % of the measured value; the model is exact
            assertEquals(c[0], q.co2Ppm());
            assertEquals(c[1], q.tvocPpb());
            clock.advance(Duration.ofSeconds(1));
        }
        model.set(1234, 56);
        var readings = sensor.sample(9);
        assertEquals("co2", readings.get(0).channel());
        assertEquals("ppm", readings.get(0).unit());
        assertEquals(1234, ((Value.Number) readings.get(0).value()).value());
        assertEquals("voc", readings.get(1).channel());
        assertEquals("ppb", readings.get(1).unit());
        assertEquals(56, ((Value.Number) readings.get(1).value()).value());
    }

    @Test
    void humidityCompensationIsFedFromTemperatureAndHumidityChannels() throws Exception {
        // SGP30 datasheet: set_humidity takes g/m3 as 8.8 fixed point; 0x0B92 = 11.57 g/m3
        assertEquals(0x0B92, Sgp30.fixed8_8(11.57));
        // 25 degC, 50 %RH is about 11.5 g/m3
        assertEquals(11.5, Sgp30.absoluteHumidity(25, 50), 0.05);
        Sgp30 sensor = start();
        clock.advance(Duration.ofSeconds(16));
        sensor.measure();
        assertEquals(0, model.absoluteHumidity(), "compensation off until both channels are seen");
        sensor.observe(new Reading("temperature", "Cel", new Value.Number(25), 0));
        sensor.observe(new Reading("humidity", "%RH", new Value.Number(50), 0));
        sensor.observe(new Reading("pressure", "Pa", new Value.Number(100_000), 0));
        sensor.measure();
        assertEquals(Sgp30.absoluteHumidity(25, 50), model.absoluteHumidity(), 1 / 256.0);
        sensor.observe(new Reading("temperature", "Cel", new Value.Number(4), 0)); // fridge
        sensor.measure();
        assertEquals(Sgp30.absoluteHumidity(4, 50), model.absoluteHumidity(), 1 / 256.0);
    }

    @Test
    void baselineIsSavedAndRestoredWithCrcs() throws Exception {
        Sgp30 sensor = start();
        sensor.restoreBaseline(0x8A3C, 0x8D21);
        assertArrayEquals(new int[] {0x8A3C, 0x8D21}, sensor.baseline());
    }

    @Test
    void everyWordsCrcIsChecked() throws Exception {
        Sgp30 sensor = start();
        clock.advance(Duration.ofSeconds(16));
        model.faults().badCrc(true);
        var e = assertThrows(BusException.class, () -> sensor.sample(0));
        assertInstanceOf(SensorFault.CrcMismatch.class, e.getCause());
    }

    @Test
    void setHumidityWithAWrongParameterCrcIsNacked() throws Exception {
        board.attachI2c(1, 0x58, model);
        byte[] p = SensirionWords.encode(0x0B92);
        p[2] ^= 1;
        var e = assertThrows(BusException.class,
                () -> board.i2c(1).write(0x58, new byte[] {0x20, 0x61, p[0], p[1], p[2]}));
        assertEquals(BusException.Kind.NACK, e.kind());
    }

    @Test
    void absentChipAndWrongProductAreNamed() {
        var e = assertThrows(BusException.class, () -> Sgp30.start(new I2cChip("sgp30", board.i2c(1), 1, 0x58), clock));
        assertTrue(e.getMessage().startsWith("sgp30: no answer at 0x58 on i2c-1"), e.getMessage());
        board.attachI2c(1, 0x58, new SimI2cDevice() { // an SGP40-like product type 1
            @Override public void write(byte[] data) {}
            @Override public byte[] read(int n) { return SensirionWords.encode(0x1020); }
        });
        var w = assertThrows(BusException.class, () -> Sgp30.start(new I2cChip("sgp30", board.i2c(1), 1, 0x58), clock));
        assertTrue(w.getMessage().contains("product type 1"), w.getMessage());
    }
}
