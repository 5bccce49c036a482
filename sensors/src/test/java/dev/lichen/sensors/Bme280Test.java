package dev.lichen.sensors;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.bus.sim.SimI2cDevice;
import dev.lichen.sensors.bme280.Bme280;
import dev.lichen.sensors.bme280.Bme280Calibration;
import dev.lichen.sensors.bme280.Bme280Model;
import dev.lichen.sensors.core.I2cChip;
import dev.lichen.sensors.core.SensorFault;
import org.junit.jupiter.api.Test;

class Bme280Test {
    // datasheet accuracy (BME280 datasheet table 1-3): T +-1 degC (0..65), P +-1 hPa, H +-3 %RH
    static final double T_ACC = 1.0, P_ACC = 100, H_ACC = 3.0;

    final ManualClock clock = new ManualClock();
    final SimBoard board = new SimBoard("t");
    final Bme280Model model = new Bme280Model(clock);

    Bme280 start(Bme280.Settings settings) throws BusException {
        board.attachI2c(1, 0x76, model);
        return Bme280.start(new I2cChip("bme280", board.i2c(1), 1, 0x76), clock, settings);
    }

    @Test
    void datasheetWorkedExampleTemperatureAndPressure() {
        // Bosch BMP280 datasheet 3.12 (same T/P compensation as the BME280): trimming
        // T1..T3 = 27504, 26435, -1000; P1..P9 = 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000
        // adc_T = 519888 -> t_fine 128422, 25.08 degC; adc_P = 415148 -> 100653.27 Pa
        var cal = Bme280Calibration.TYPICAL;
        int tFine = cal.tFine(519888);
        assertEquals(128422, tFine);
        assertEquals(2508, Bme280Calibration.temperature(tFine));
        long p = cal.pressure(tFine, 415148);
        // the datasheet's figure prints 25767236 for the 64-bit formula; executing that formula
        // gives 25767233 (0.01 Pa apart, the float column's 100653.27 Pa either way)
        assertEquals(25767233, p);
        assertEquals(100653.27, p / 256.0, 0.02);
    }

    @Test
    void calibrationRegistersRoundTripIncludingSigned12BitH4H5() {
        var cal = new Bme280Calibration(28000, 26000, -1200, 36000, -10000, 3000, 7000, -100, -7, 9900, -10230, 4285,
                75, 367, 0, -300, -25, 30);
        assertEquals(cal, Bme280Calibration.parse(cal.block1(), cal.block2()));
        assertEquals(Bme280Calibration.TYPICAL, Bme280Calibration.parse(Bme280Calibration.TYPICAL.block1(), Bme280Calibration.TYPICAL.block2()));
    }

    @Test
    void driverReadsTheChipsOwnCalibrationFromRegisters() throws Exception {
        var custom = new Bme280Calibration(28000, 26000, -1200, 36000, -10000, 3000, 7000, -100, -7, 9900, -10230, 4285,
                75, 367, 0, 300, 25, 30);
        var m = new Bme280Model(clock, custom).set(18.5, 61, 98_500);
        board.attachI2c(1, 0x77, m);
        var sensor = Bme280.start(new I2cChip("bme280", board.i2c(1), 1, 0x77), clock, Bme280.Settings.WEATHER);
        assertEquals(custom, sensor.calibration());
        var r = sensor.measure();
        assertEquals(18.5, r.celsius(), T_ACC);
        assertEquals(61, r.relativeHumidity(), H_ACC);
        assertEquals(98_500, r.pascals(), P_ACC);
    }

    @Test
    void forcedModeReadsBackValuesAcrossTheRange() throws Exception {
        Bme280 sensor = start(Bme280.Settings.WEATHER);
        double[][] cases = {
            {-40, 0, 30_000}, {-10, 20, 70_000}, {0, 50, 90_000}, {25, 50, 101_325}, {25, 90, 95_000},
            {40, 100, 105_000}, {65, 35, 110_000}, {85, 10, 100_000}};
        for (double[] c : cases) {
            model.set(c[0], c[1], c[2]);
            var r = sensor.measure();
            assertEquals(c[0], r.celsius(), T_ACC, "temperature at " + java.util.Arrays.toString(c));
            assertEquals(c[1], r.relativeHumidity(), H_ACC, "humidity at " + java.util.Arrays.toString(c));
            assertEquals(c[2], r.pascals(), P_ACC, "pressure at " + java.util.Arrays.toString(c));
            // the model is far better than the datasheet's guarantee: resolution-limited
            assertEquals(c[0], r.celsius(), 0.02);
            assertEquals(c[2], r.pascals(), 3);
        }
    }

    @Test
    void sixteenTimesOversamplingAndNormalModeWork() throws Exception {
        Bme280 sensor = start(new Bme280.Settings(Bme280.Mode.NORMAL, 16, 0, 0)); // t_standby 0.5 ms
        model.set(22.25, 40, 100_100);
        clock.advance(java.time.Duration.ofMillis(200));
        var r = sensor.measure();
        assertEquals(22.25, r.celsius(), 0.02);
        assertEquals(40, r.relativeHumidity(), 0.5);
        assertEquals(100_100, r.pascals(), 2);
        var readings = sensor.sample(1234);
        assertEquals(java.util.List.of("temperature", "humidity", "pressure"), readings.stream().map(x -> x.channel()).toList());
        assertEquals(java.util.List.of("Cel", "%RH", "Pa"), readings.stream().map(x -> x.unit()).toList());
    }

    @Test
    void iirFilterSmoothsAStepAsTheDatasheetSays() throws Exception {
        Bme280 sensor = start(new Bme280.Settings(Bme280.Mode.FORCED, 1, 4, 0));
        model.set(20, 50, 100_000);
        assertEquals(20, sensor.measure().celsius(), 0.02);
        model.set(30, 50, 100_000);
        // coefficient 4: each measurement moves a quarter of the way (in raw ADC terms, nearly linear)
        assertEquals(22.5, sensor.measure().celsius(), 0.1);
        assertEquals(24.4, sensor.measure().celsius(), 0.1);
        for (int i = 0; i < 40; i++) sensor.measure();
        assertEquals(30, sensor.measure().celsius(), 0.02);
    }

    @Test
    void normalModeBeforeTheFirstMeasurementGivesTheSkippedMarkerAsAFault() throws Exception {
        Bme280 sensor = start(new Bme280.Settings(Bme280.Mode.NORMAL, 1, 0, 5)); // 1 s standby
        var e = assertThrows(BusException.class, () -> sensor.sample(0));
        assertInstanceOf(SensorFault.InvalidRawValue.class, e.getCause());
        assertTrue(e.getMessage().contains("0x80000"), e.getMessage());
    }

    @Test
    void absentChipNamesBusAddressAndPins() {
        var e = assertThrows(BusException.class,
                () -> Bme280.start(new I2cChip("bme280", board.i2c(1), 1, 0x76), clock, Bme280.Settings.WEATHER));
        assertEquals(BusException.Kind.ABSENT, e.kind());
        assertTrue(e.getMessage().startsWith("bme280: no answer at 0x76 on i2c-1: check wiring (SDA pin 3, SCL pin 5"), e.getMessage());
        assertTrue(e.getMessage().contains("0x77"), e.getMessage());
    }

    @Test
    void aBmp280IsToldApartByItsChipId() {
        board.attachI2c(1, 0x76, new SimI2cDevice() {
            @Override public void write(byte[] data) {}
            @Override public byte[] read(int length) { return new byte[] {0x58}; }
        });
        var e = assertThrows(BusException.class,
                () -> Bme280.start(new I2cChip("bme280", board.i2c(1), 1, 0x76), clock, Bme280.Settings.WEATHER));
        assertTrue(e.getMessage().contains("0x58") && e.getMessage().contains("BMP280"), e.getMessage());
    }

    @Test
    void chipThatStopsAnsweringGivesANackNotANumber() throws Exception {
        Bme280 sensor = start(Bme280.Settings.WEATHER);
        model.faults().nack(true);
        var e = assertThrows(BusException.class, () -> sensor.sample(0));
        assertEquals(BusException.Kind.NACK, e.kind());
        model.faults().nack(false);
        assertEquals(3, sensor.sample(0).size());
    }

    @Test
    void stuckChipKeepsItsLastValueAndNoiseIsSeededAndSmall() throws Exception {
        Bme280 sensor = start(Bme280.Settings.WEATHER);
        model.set(20, 50, 100_000).faults().stuck(true);
        model.set(30, 70, 90_000);
        assertEquals(20, sensor.measure().celsius(), 0.02);
        model.faults().stuck(false).noise(42, 1.0);
        model.set(30, 70, 90_000);
        double a = sensor.measure().celsius();
        var clock2 = new ManualClock();
        var board2 = new SimBoard("u");
        var m2 = new Bme280Model(clock2).set(30, 70, 90_000);
        board2.attachI2c(1, 0x76, m2);
        var s2 = Bme280.start(new I2cChip("bme280", board2.i2c(1), 1, 0x76), clock2, Bme280.Settings.WEATHER);
        m2.faults().noise(42, 1.0);
        assertEquals(a, s2.measure().celsius(), 1e-9, "same seed, same noise");
        assertEquals(30, a, T_ACC);
    }
}
