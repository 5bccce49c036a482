package dev.lichen.gateway.store;

/** Adoption state: a device first seen is NEW; its readings are held until a person adopts it. */
public enum DeviceState { NEW, ADOPTED, REJECTED }
