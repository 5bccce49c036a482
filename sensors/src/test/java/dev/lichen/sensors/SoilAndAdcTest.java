package dev.lichen.sensors;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.sensors.ads1115.Ads1115;
import dev.lichen.sensors.ads1115.Ads1115Model;
import dev.lichen.sensors.analog.AnalogSensor;
import dev.lichen.sensors.analog.SoilCalibration;
import dev.lichen.sensors.analog.SoilProbeModel;
import dev.lichen.sensors.core.I2cChip;
import dev.lichen.sensors.core.SensorFault;
import dev.lichen.sensors.mcp3008.Mcp3008;
import dev.lichen.sensors.mcp3008.Mcp3008Model;
import org.junit.jupiter.api.Test;

class SoilAndAdcTest {
    final ManualClock clock = new ManualClock();
    final SimBoard board = new SimBoard("t");
    final Ads1115Model ads = new Ads1115Model(clock);
    final SoilCalibration probe = new SoilCalibration(2.8, 1.2);

    Ads1115 ads1115() throws BusException {
        board.attachI2c(1, 0x48, ads);
        return Ads1115.start(new I2cChip("soil-ads1115", board.i2c(1), 1, 0x48), clock, 128);
    }

    @Test
    void ads1115ConvertsEachInputInEachFullScale() throws Exception {
        Ads1115 adc = ads1115();
        ads.setVolts(0, 1.0);
        ads.setVolts(2, 0.2);
        ads.setVolts(3, 3.1);
        // datasheet: LSB = FS / 32768; 1.0 V at +-4.096 V is code 8000
        assertEquals(1.0, adc.volts(0, Ads1115.Pga.FS_4_096), 0.000125);
        assertEquals(0.2, adc.volts(2, Ads1115.Pga.FS_0_256), 0.0000079);
        assertEquals(3.1, adc.volts(3, Ads1115.Pga.FS_6_144), 0.0002);
        var raw = board.i2c(1).writeRead(0x48, new byte[] {0x00}, 2);
        assertEquals(3.1 / 6.144 * 32768, ((raw[0] & 0xFF) << 8 | (raw[1] & 0xFF)), 1);
        var config = board.i2c(1).writeRead(0x48, new byte[] {0x01}, 2);
        assertEquals(0x80 | 0x70 | (0 << 1) | 1, config[0] & 0xFF, "OS idle, MUX AIN3/GND, PGA 6.144, single-shot");
    }

    @Test
    void readingBeforeTheConversionEndsShowsOsBusy() throws Exception {
        board.attachI2c(1, 0x48, ads);
        var bus = board.i2c(1);
        bus.write(0x48, new byte[] {0x01, (byte) 0xC3, (byte) 0x83}); // start AIN0, 4.096 V, 128 SPS
        assertEquals(0, bus.writeRead(0x48, new byte[] {0x01}, 2)[0] & 0x80, "OS reads 0 while converting");
        clock.advance(java.time.Duration.ofMillis(8));
        assertEquals(0x80, bus.writeRead(0x48, new byte[] {0x01}, 2)[0] & 0x80);
    }

    @Test
    void soilProbeReadsBackWaterContentThroughTheTwoPointCalibration() throws Exception {
        Ads1115 adc = ads1115();
        var soil = new SoilProbeModel(ads, 1, probe);
        var sensor = AnalogSensor.soil("soil", () -> adc.volts(1, Ads1115.Pga.FS_4_096), probe);
        for (double vwc : new double[] {0, 0.1, 0.25, 0.5, 0.75, 1.0}) {
            soil.setWaterContent(vwc);
            assertEquals(vwc, sensor.waterContent(), 0.001, "at " + vwc);
        }
        soil.setWaterContent(0.35);
        var r = sensor.sample(5).getFirst();
        assertEquals("soil_moisture", r.channel());
        assertEquals("/100", r.unit());
        assertEquals(35, ((dev.lichen.senml.Value.Number) r.value()).value(), 0.1);
    }

    @Test
    void unpluggedProbeAndSaturatedInputAreFaultsNotNumbers() throws Exception {
        Ads1115 adc = ads1115();
        var soil = new SoilProbeModel(ads, 0, probe);
        var sensor = AnalogSensor.soil("ads1115 input 0", () -> adc.volts(0, Ads1115.Pga.FS_4_096), probe);
        soil.unplug();
        var e = assertThrows(BusException.class, () -> sensor.sample(0));
        assertInstanceOf(SensorFault.InvalidRawValue.class, e.getCause());
        assertTrue(e.getMessage().contains("unplugged"), e.getMessage());
        ads.setVolts(0, 5.0);
        var sat = assertThrows(SensorFault.InvalidRawValue.class, () -> adc.volts(0, Ads1115.Pga.FS_4_096));
        assertTrue(sat.getMessage().contains("saturated"), sat.getMessage());
    }

    @Test
    void calibrationMustHaveDryAboveWet() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SoilCalibration(1.2, 2.8));
        assertTrue(e.getMessage().contains("must be above"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SoilCalibration(1.5, 1.5));
    }

    @Test
    void absentAds1115NamesItsAddresses() {
        var e = assertThrows(BusException.class,
                () -> Ads1115.start(new I2cChip("soil-ads1115", board.i2c(1), 1, 0x49), clock, 128));
        assertTrue(e.getMessage().startsWith("soil-ads1115: no answer at 0x49 on i2c-1"), e.getMessage());
    }

    @Test
    void mcp3008ThreeByteTransactionAndReadBack() throws Exception {
        var model = new Mcp3008Model(3.3);
        board.attachSpi(0, 0, model);
        model.setVolts(3, 1.65);
        // start bit, SGL=1 channel 3, then clocks: null bit 0, B9..B0 = 512
        byte[] in = board.spi(0).transfer(0, new byte[] {0x01, (byte) 0xB0, 0x00});
        assertEquals(0, in[1] & 0x04, "null bit");
        assertEquals(512, ((in[1] & 0x03) << 8) | (in[2] & 0xFF));
        var adc = Mcp3008.start(board.spi(0), 0, 0, 3.3);
        for (double v : new double[] {0.0, 0.5, 1.65, 2.9, 3.25}) {
            model.setVolts(5, v);
            assertEquals(v, adc.volts(5), 3.3 / 1024 * 1.5, "at " + v); // 1 LSB + quantization
        }
        model.setVolts(5, 3.3);
        assertThrows(SensorFault.InvalidRawValue.class, () -> adc.volts(5));
        var soil = new SoilProbeModel(model, 6, probe).setWaterContent(0.4);
        assertEquals(0.4, AnalogSensor.soil("mcp", () -> adc.volts(6), probe).waterContent(), 0.005);
    }

    @Test
    void mcp3008AbsentOrSilentIsNamedWithItsPins() throws Exception {
        var e = assertThrows(BusException.class, () -> Mcp3008.start(board.spi(0), 0, 0, 3.3));
        assertEquals(BusException.Kind.ABSENT, e.kind());
        assertTrue(e.getMessage().contains("spi-0 chip-select 0") && e.getMessage().contains("CE0 pin 24"), e.getMessage());
        var model = new Mcp3008Model(3.3);
        board.attachSpi(0, 1, model);
        var adc = Mcp3008.start(board.spi(0), 0, 1, 3.3);
        model.faults().nack(true);
        assertThrows(BusException.class, () -> adc.volts(0));
    }
}
