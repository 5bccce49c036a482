package dev.lichen.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time from /proc, so that a load run can say what bound each side (clock ticks of 1/100 s on Linux). */
public final class Cpu {
    private Cpu() {}

    /** utime + stime of a process, in seconds (0 when it cannot be read). */
    public static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** CPU time all processes of the machine used (the first line of /proc/stat, less idle and iowait). */
    public static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) if (i != 4 && i != 5) busy += Long.parseLong(f[i]);
            return busy / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
