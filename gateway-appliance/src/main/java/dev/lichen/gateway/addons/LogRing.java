package dev.lichen.gateway.addons;

import java.util.ArrayDeque;
import java.util.List;

/** The last lines an add-on wrote to stdout and stderr, and the supervisor's notes about it. */
final class LogRing {
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private final int max;

    LogRing(int max) {
        this.max = max;
    }

    synchronized void add(String line) {
        if (lines.size() == max) lines.removeFirst();
        lines.addLast(line.length() > 500 ? line.substring(0, 500) + "..." : line);
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}
