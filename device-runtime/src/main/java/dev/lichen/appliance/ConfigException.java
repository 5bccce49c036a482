package dev.lichen.appliance;

import java.util.List;

/** A device config that cannot be used; each problem names the field and says what to do. */
public final class ConfigException extends Exception {
    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(source + ": " + (problems.size() == 1
                ? problems.getFirst()
                : problems.size() + " problems:\n  - " + String.join("\n  - ", problems)));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() { return problems; }
}
