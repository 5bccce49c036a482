package dev.lichen.gateway.store;

/** What an output of a device takes: on/off, or a level in percent. */
public enum OutputKind { SWITCH, DIMMER }
