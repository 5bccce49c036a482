package dev.lichen.gateway.store;

/**
 * One point of a series at some resolution. For RAW, min = max = mean = the value and count = 1;
 * for a rollup, timeMillis is the start of the bucket.
 */
public record Point(long timeMillis, double min, double max, double mean, long count) {}
