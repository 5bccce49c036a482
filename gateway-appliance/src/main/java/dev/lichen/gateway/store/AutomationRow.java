package dev.lichen.gateway.store;

/** An automation as the store keeps it: its definition is JSON the automations package reads. */
public record AutomationRow(long id, String name, boolean enabled, String definition, long createdMillis, long updatedMillis,
                            long lastRunMillis, String lastReason) {}
