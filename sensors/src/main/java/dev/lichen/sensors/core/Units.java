package dev.lichen.sensors.core;

import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;

/**
 * The channels Lichen's drivers publish, each with a unit from RFC 8428's registry. Dimensionless
 * quantities (soil water content, eCO2, TVOC) use "/" (a ratio): "ppm" and "ppb" are not in
 * RFC 8428's primary unit registry ("ppm" is only a secondary unit of RFC 8798, which a SenML pack
 * may use only when it declares RFC 9100's secondary-units feature), so a generic parser could
 * reject them. 1 ppm is 1e-6 "/", 1 ppb is 1e-9 "/".
 */
public final class Units {
    private Units() {}

    public static final Sensor.Channel TEMPERATURE = new Sensor.Channel("temperature", "Cel");
    public static final Sensor.Channel HUMIDITY = new Sensor.Channel("humidity", "%RH");
    public static final Sensor.Channel PRESSURE = new Sensor.Channel("pressure", "Pa");
    public static final Sensor.Channel SOIL_MOISTURE = new Sensor.Channel("soil_moisture", "/");
    public static final Sensor.Channel VOLTAGE = new Sensor.Channel("voltage", "V");
    public static final Sensor.Channel VOC = new Sensor.Channel("voc", "/");
    public static final Sensor.Channel CO2 = new Sensor.Channel("co2", "/");
    public static final Sensor.Channel ILLUMINANCE = new Sensor.Channel("illuminance", "lx");
    /** Boolean channels carry no unit (SenML "vb", no "u": an empty unit is not a registered one). */
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
