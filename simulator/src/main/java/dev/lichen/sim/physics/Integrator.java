package dev.lichen.sim.physics;

import java.util.Map;
import java.util.TreeMap;

/**
 * A one-number state stepped minute by minute from the start of the run. The value at any time is
 * a pure function of the time (stepped from the nearest checkpoint, interpolated within a step),
 * so whichever device asks first, and however often, everyone sees the same physics. A step may
 * read an {@link Actuator}'s history; when that changes, {@link #forgetAfter} drops what it changed.
 */
final class Integrator {
    interface Step {
        /** The state one step after {@code state}, over (t, t + step]. */
        double next(double state, long t, long step);
    }

    static final long STEP = 60_000;
    private static final int CHECKPOINT_EVERY = 60;

    private final long origin;
    private final Step step;
    private final TreeMap<Long, Double> checkpoints = new TreeMap<>();
    private long lastIndex;
    private double lastValue;

    Integrator(long origin, double initial, Step step) {
        this.origin = origin;
        this.step = step;
        checkpoints.put(0L, initial);
        lastValue = initial;
    }

    synchronized double at(long t) {
        if (t <= origin) return checkpoints.get(0L);
        long index = (t - origin) / STEP;
        double a = stateAt(index);
        double b = stateAt(index + 1);
        double f = (double) ((t - origin) % STEP) / STEP;
        return a + (b - a) * f;
    }

    /**
     * Forgets the states that depend on what happens after t (an actuator changed then): they
     * are stepped again, with the new history, when next asked for.
     */
    synchronized void forgetAfter(long t) {
        long keep = t <= origin ? 0 : (t - origin) / STEP;
        checkpoints.tailMap(keep, false).clear();
        if (lastIndex > keep) {
            Map.Entry<Long, Double> c = checkpoints.floorEntry(keep);
            lastIndex = c.getKey();
            lastValue = c.getValue();
        }
    }

    private double stateAt(long index) {
        if (index < lastIndex) {
            Map.Entry<Long, Double> c = checkpoints.floorEntry(index);
            lastIndex = c.getKey();
            lastValue = c.getValue();
        }
        while (lastIndex < index) {
            lastValue = step.next(lastValue, origin + lastIndex * STEP, STEP);
            lastIndex++;
            if (lastIndex % CHECKPOINT_EVERY == 0) checkpoints.put(lastIndex, lastValue);
        }
        return lastValue;
    }
}
