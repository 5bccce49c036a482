package dev.lichen.gateway.store;

/** FIRING until a person acknowledges it or the condition clears; CLEARED is final. */
public enum AlertState { FIRING, ACKNOWLEDGED, CLEARED }
