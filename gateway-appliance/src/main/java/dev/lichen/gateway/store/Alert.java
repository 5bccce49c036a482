package dev.lichen.gateway.store;

/**
 * One firing of a rule. value is the reading that made it fire. acknowledgedMillis/clearedMillis
 * are 0 while not yet; acknowledgedBy is the username (null while not acknowledged). An alert an
 * automation raised has the automation's id negated as its rule id, and its message (null otherwise).
 */
public record Alert(long id, long ruleId, String deviceId, String channel, AlertState state, double value,
                    long firedMillis, long acknowledgedMillis, String acknowledgedBy, long clearedMillis, String message) {}
