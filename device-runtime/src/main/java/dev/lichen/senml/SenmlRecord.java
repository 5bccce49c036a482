package dev.lichen.senml;

/**
 * One resolved SenML record (RFC 8428 section 4.6): base fields applied, name concatenated,
 * time absolute in seconds since the epoch (relative times resolved against "now").
 *
 * @param unit       null when neither the record nor a base unit gave one
 * @param value      null only for a record that carries just a sum
 * @param sum        null when neither s nor bs was present
 * @param updateTime null when absent
 */
public record SenmlRecord(String name, String unit, Value value, Double sum, double time, Double updateTime) {}
