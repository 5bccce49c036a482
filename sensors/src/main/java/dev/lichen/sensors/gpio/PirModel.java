package dev.lichen.sensors.gpio;

import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.sensors.core.ModelFaults;

/**
 * An HC-SR501-style PIR module: its push-pull output goes high while it sees motion (and for its
 * hold time, set on the module's potentiometer, which the simulator decides by when it calls
 * {@link #motion(boolean)}).
 */
public final class PirModel {
    private final SimBoard board;
    private final int pin;
    private final ModelFaults faults = new ModelFaults();

    public PirModel(SimBoard board, int pin) {
        this.board = board;
        this.pin = pin;
        board.drive(pin, false);
    }

    public ModelFaults faults() { return faults; }

    public void motion(boolean seen) {
        if (!faults.isStuck() && !faults.nacking()) {
            board.drive(pin, seen);
        }
    }
}
