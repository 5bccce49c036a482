package dev.lichen.sim.scenario;

import java.util.List;

/** A scenario that cannot run; each problem names the field (as a JSON path) and what is wrong. */
public final class ScenarioException extends Exception {
    private final List<String> problems;

    public ScenarioException(String source, List<String> problems) {
        super(source + ": " + (problems.size() == 1 ? problems.getFirst()
                : problems.size() + " problems:\n  " + String.join("\n  ", problems)));
        this.problems = List.copyOf(problems);
    }

    /** Each "path: problem", e.g. "rooms[0].motion.perHour: must not be negative (got -2.0)". */
    public List<String> problems() { return problems; }
}
