package dev.lichen.sensors.probe;

import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.sensors.ads1115.Ads1115Model;
import dev.lichen.sensors.analog.SoilCalibration;
import dev.lichen.sensors.analog.SoilProbeModel;
import dev.lichen.sensors.bh1750.Bh1750Model;
import dev.lichen.sensors.bme280.Bme280Model;
import dev.lichen.sensors.ds18b20.Ds18b20Model;
import dev.lichen.sensors.gpio.PirModel;
import dev.lichen.sensors.gpio.ReedSwitchModel;
import dev.lichen.sensors.mcp3008.Mcp3008Model;
import dev.lichen.sensors.sgp30.Sgp30Model;
import dev.lichen.sensors.sht31.Sht31Model;

/**
 * A simulated board with one of every modelled chip where the README's wiring table puts it: what
 * {@code lichen sensors probe --sim} scans, and a starting point for the simulator's boards.
 */
public record DemoBoard(SimBoard board, Bme280Model bme280, Sht31Model sht31, Ads1115Model ads1115,
                        SoilProbeModel soil, Sgp30Model sgp30, Bh1750Model bh1750, Mcp3008Model mcp3008,
                        Ds18b20Model fridge, Ds18b20Model freezer, PirModel pir, ReedSwitchModel door) {
    public static final int PIR_PIN = 17, REED_PIN = 27;
    public static final SoilCalibration PROBE = new SoilCalibration(2.8, 1.2);

    public static DemoBoard create(String name, Clock clock) {
        SimBoard b = new SimBoard(name);
        var bme = new Bme280Model(clock).set(21.5, 48, 101_200);
        var sht = new Sht31Model(clock).set(4.0, 80);
        var ads = new Ads1115Model(clock);
        var soil = new SoilProbeModel(ads, 0, PROBE).setWaterContent(0.35);
        var sgp = new Sgp30Model(clock).set(650, 120);
        var bh = new Bh1750Model(clock).set(320);
        var mcp = new Mcp3008Model(3.3);
        var fridge = new Ds18b20Model(0x0000075e3a1bL).set(4.5);
        var freezer = new Ds18b20Model(0x0000075e9c02L).set(-18.25);
        b.attachI2c(1, 0x76, bme).attachI2c(1, 0x44, sht).attachI2c(1, 0x48, ads).attachI2c(1, 0x58, sgp)
                .attachI2c(1, 0x23, bh).attachSpi(0, 0, mcp).attachOneWire(fridge).attachOneWire(freezer);
        return new DemoBoard(b, bme, sht, ads, soil, sgp, bh, mcp, fridge, freezer,
                new PirModel(b, PIR_PIN), new ReedSwitchModel(b, REED_PIN));
    }
}
