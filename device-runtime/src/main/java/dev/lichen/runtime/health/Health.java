package dev.lichen.runtime.health;

/** What an appliance reports of itself: one state per component, and one log line per change. */
public interface Health {
    enum State { STARTING, OK, DEGRADED, FAILED }

    void report(String component, State state, String detail);

    State overall();
}
