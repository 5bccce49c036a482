package dev.lichen.armboot;

import java.io.PrintStream;

/** Where long work reports itself: a step line, and bytes for transfers. */
public interface Progress {
    void step(String what);

    void bytes(String what, long done, long total);

    Progress SILENT = new Progress() {
        @Override public void step(String what) {}
        @Override public void bytes(String what, long done, long total) {}
    };

    /** Prints steps, and a transfer's bytes at each further tenth (or each 16 MiB when the size is unknown). */
    static Progress to(PrintStream out) {
        return new Progress() {
            private String current;
            private long lastMark = -1;

            @Override public synchronized void step(String what) {
                out.println(what);
            }

            @Override public synchronized void bytes(String what, long done, long total) {
                if (!what.equals(current)) {
                    current = what;
                    lastMark = -1;
                }
                if (total > 0 && total < 4 << 20 && done < total) return; // small files: one line when done
                long mark = total > 0 ? done * 10 / total : done >> 24;
                if (mark != lastMark || done == total) {
                    lastMark = mark;
                    out.printf("  %s: %s%s%n", what, mib(done),
                            total > 0 ? " of " + mib(total) + " (" + (done * 100 / total) + "%)" : "");
                }
            }
        };
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
