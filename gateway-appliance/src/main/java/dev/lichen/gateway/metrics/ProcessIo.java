package dev.lichen.gateway.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What this process has caused to be written to storage, from Linux's {@code /proc/self/io}
 * ({@code write_bytes}: pages dirtied on a block device, so the journal, the database, its WAL
 * and checkpoints; not what went to a pipe or a tmpfs). On a Pi that is the wear of its SD card.
 */
public final class ProcessIo {
    private final Path file;

    ProcessIo(Path file) {
        this.file = file;
    }

    /** This process's counters, or empty where the kernel does not keep them (not Linux, accounting off). */
    public static Optional<ProcessIo> self() {
        ProcessIo io = new ProcessIo(Path.of("/proc/self/io"));
        return io.writeBytes() >= 0 ? Optional.of(io) : Optional.empty();
    }

    /** Bytes written so far, or -1 when the counters cannot be read. */
    public long writeBytes() {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("write_bytes:")) return Long.parseLong(line.substring("write_bytes:".length()).trim());
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Registers {@code lichen_process_write_bytes} when the counters exist. */
    public static void register(Metrics metrics) {
        self().ifPresent(io -> metrics.gauge("lichen_process_write_bytes",
                "Bytes this gateway has caused to be written to storage since it started (/proc/self/io write_bytes): SD-card wear",
                io::writeBytes));
    }
}
