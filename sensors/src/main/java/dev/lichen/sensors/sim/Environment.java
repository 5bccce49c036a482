package dev.lichen.sensors.sim;

/**
 * What a sensor at one place would measure at one moment. Fields a place does not have are NaN
 * (soil moisture outside a pot) or false.
 *
 * @param soilPercent volumetric water content of a pot's soil, in percent
 * @param motion someone moves within a PIR's view
 * @param open the door (front door, fridge door) is open
 */
public record Environment(double temperatureC, double humidityPercent, double pressurePa, double lux, double vocPpb,
                          double soilPercent, boolean motion, boolean open) {}
