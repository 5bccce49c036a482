package dev.lichen.gateway.addons;

/** Where an installed add-on's process stands. */
public enum AddonState { STOPPED, STARTING, RUNNING, FAILED }
