package dev.lichen.gateway.store;

/**
 * Something an automation will do at {@code dueMillis}: kind says what (set an output back, check
 * whether a reading held), target what it is about (one timer per automation, kind and target:
 * a newer one replaces it), payload the details as the automations package wrote them.
 */
public record AutomationTimer(long id, long automationId, String kind, String target, long dueMillis, String payload) {}
