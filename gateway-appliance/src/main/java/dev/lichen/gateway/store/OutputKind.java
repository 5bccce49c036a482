package dev.lichen.gateway.store;

/**
 * What an output of a device takes: on/off, or a level in percent. IDENTITY is the device's own
 * key pair, rotated by two commands on the reserved output "identity" (1: make a new one, 0: switch to it).
 */
public enum OutputKind { SWITCH, DIMMER, IDENTITY }
