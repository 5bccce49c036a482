package dev.lichen.gateway.store;

/** One time an automation ran: when, on which event (its key), and why in words. */
public record AutomationRun(long atMillis, String event, String reason) {}
