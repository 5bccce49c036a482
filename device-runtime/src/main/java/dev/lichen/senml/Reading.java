package dev.lichen.senml;

/** One resolved reading of a channel: absolute time in milliseconds since the epoch. */
public record Reading(String channel, String unit, Value value, long timeMillis) {}
