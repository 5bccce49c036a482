package dev.lichen.sim.physics;

import java.util.Map;
import java.util.TreeMap;

/**
 * The level (0 to 1) of one output that acts on the home, as a step function of the home's time:
 * each change is kept, so that the physics at any moment is a function of the time and of what
 * the outputs did until then, whichever device asks first.
 */
final class Actuator {
    private final TreeMap<Long, Double> levels = new TreeMap<>();

    synchronized void set(long h, double level) {
        levels.put(h, level);
    }

    /** The level at home time h (0 before the first change). */
    synchronized double at(long h) {
        Map.Entry<Long, Double> e = levels.floorEntry(h);
        return e == null ? 0 : e.getValue();
    }

    /** The mean level over (from, to]: what a step of an integrator sees. */
    synchronized double mean(long from, long to) {
        if (levels.isEmpty() || to <= from) return at(to);
        double sum = 0;
        long t = from;
        double level = at(from);
        for (Map.Entry<Long, Double> e : levels.subMap(from, false, to, true).entrySet()) {
            sum += level * (e.getKey() - t);
            t = e.getKey();
            level = e.getValue();
        }
        sum += level * (to - t);
        return sum / (to - from);
    }
}
