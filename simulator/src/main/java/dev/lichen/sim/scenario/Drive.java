package dev.lichen.sim.scenario;

/**
 * What a virtual device's output does to the home at its full level, validated from a scenario's
 * {@link Scenario.Drives}. The home scales it by the output's level (a switch 0 or 1, a dimmer
 * 0-100 % as 0 to 1).
 */
public sealed interface Drive {
    /** Adds lux to the room's light while on (light is instant). */
    record Lamp(String room, double lux) implements Drive {}

    /** Takes rhPerMinute %RH a minute out of the room's air, towards the outdoor air's humidity. */
    record Fan(String room, double rhPerMinute) implements Drive {}

    /** Adds percentPerMinute to the plant's soil moisture while on. */
    record Pump(String plant, double percentPerMinute) implements Drive {}
}
