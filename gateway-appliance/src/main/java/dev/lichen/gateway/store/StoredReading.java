package dev.lichen.gateway.store;

/** One raw reading as stored: value for numbers and booleans (1/0), text for strings and data (base64). */
public record StoredReading(String deviceId, String channel, String bootId, long seq, long timeMillis,
                            Double value, String text) {}
