package dev.lichen.gateway.store;

/** What one retention pass did. */
public record RetentionReport(long rawRolledUp, long rawDeleted, long minuteRowsWritten, long minuteRowsDeleted,
                              long hourRowsWritten) {}
