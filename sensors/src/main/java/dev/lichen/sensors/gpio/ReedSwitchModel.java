package dev.lichen.sensors.gpio;

import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.sensors.core.ModelFaults;

/**
 * A reed switch between a GPIO and GND, the magnet on the door: closed (door shut) pulls the pin
 * low, open lets the pull-up take it high. Its contacts bounce for a few milliseconds on each move.
 */
public final class ReedSwitchModel {
    private final SimBoard board;
    private final int pin;
    private final ModelFaults faults = new ModelFaults();

    public ReedSwitchModel(SimBoard board, int pin) {
        this.board = board;
        this.pin = pin;
        board.drive(pin, false); // door shut
    }

    public ModelFaults faults() { return faults; }

    public void doorOpen(boolean open) {
        doorOpen(open, 0);
    }

    /** Moves the door, the contacts chattering {@code bounces} times before they settle. */
    public void doorOpen(boolean open, int bounces) {
        if (faults.isStuck() || faults.nacking()) {
            return;
        }
        for (int i = 0; i < bounces; i++) {
            board.drive(pin, open);
            board.drive(pin, !open);
        }
        board.drive(pin, open);
    }
}
