package dev.lichen.sensors.core;

import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;

/**
 * The channels Lichen's drivers publish, each with its SenML unit, in the one place that says so.
 * <ul>
 * <li>soil_moisture is volumetric water content in percent, unit "/100" (RFC 8798's secondary
 * unit for 1/100 of "/"): RFC 8428's "%" is registered but, by its own note, means the same
 * absolute ratio as "/" (0..1), so 35 with "%" would claim a ratio of 35.
 * <li>co2 (eCO2) is "ppm", registered in RFC 8798's secondary-units registry.
 * <li>voc (TVOC) is "ppb", as DESIGN.md fixes it and the SGP30 reports it; "ppb" is in neither
 * IANA SenML unit registry (device-runtime's SenmlUnits accepts it as Lichen's extension).
 * <li>motion and door are booleans (SenML vb) and carry no unit.
 * </ul>
 */
public final class Units {
    private Units() {}

    public static final Sensor.Channel TEMPERATURE = new Sensor.Channel("temperature", "Cel");
    public static final Sensor.Channel HUMIDITY = new Sensor.Channel("humidity", "%RH");
    public static final Sensor.Channel PRESSURE = new Sensor.Channel("pressure", "Pa");
    public static final Sensor.Channel SOIL_MOISTURE = new Sensor.Channel("soil_moisture", "/100");
    public static final Sensor.Channel VOLTAGE = new Sensor.Channel("voltage", "V");
    public static final Sensor.Channel VOC = new Sensor.Channel("voc", "ppb");
    public static final Sensor.Channel CO2 = new Sensor.Channel("co2", "ppm");
    public static final Sensor.Channel ILLUMINANCE = new Sensor.Channel("illuminance", "lx");
    /** Boolean channels carry no unit (SenML "vb"): null, which the codec leaves out. */
    public static final Sensor.Channel MOTION = new Sensor.Channel("motion", null);
    public static final Sensor.Channel DOOR = new Sensor.Channel("door", null);

    public static final double PPM = 1e-6;
    public static final double PPB = 1e-9;

    public static Reading number(Sensor.Channel channel, double value, long timeMillis) {
        return new Reading(channel.name(), channel.unit(), new Value.Number(value), timeMillis);
    }

    public static Reading bool(Sensor.Channel channel, boolean value, long timeMillis) {
        return new Reading(channel.name(), channel.unit(), new Value.Bool(value), timeMillis);
    }
}
