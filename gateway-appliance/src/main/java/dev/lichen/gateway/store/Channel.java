package dev.lichen.gateway.store;

/**
 * One channel of a device ("temperature", "soil_moisture", ...) with its SenML unit and its
 * latest value: lastValue for numbers and booleans (1/0), lastText for strings; lastTimeMillis 0
 * when it has no reading yet.
 */
public record Channel(String deviceId, String name, String unit, Double lastValue, String lastText,
                      long lastTimeMillis) {}
