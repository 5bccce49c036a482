package dev.lichen.sim.physics;

import java.util.Map;
import java.util.TreeMap;

/**
 * A one-number state stepped minute by minute from the start of the run. The value at any time is
 * a pure function of the time (stepped from the nearest checkpoint, interpolated within a step),
 * so whichever device asks first, and however often, everyone sees the same physics.
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
