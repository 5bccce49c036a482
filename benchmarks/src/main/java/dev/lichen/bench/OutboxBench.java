package dev.lichen.bench;

import dev.lichen.runtime.storage.FileOutbox;
import dev.lichen.runtime.storage.Outbox;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Durable appends per second into a {@link FileOutbox} on the local disk: every operation returns
 * only once its reading is fsynced, and concurrent appenders share group commits. The outbox
 * lives in a fresh directory under {@code -Dlichen.bench.dir} (default: java.io.tmpdir), with a
 * 64 MiB budget so drops do not flatter the figure; a trial's backlog is acknowledged per
 * iteration, as a working uplink would.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(64)
public class OutboxBench {
    Path dir;
    FileOutbox outbox;
    final Reading reading = new Reading("temperature", "Cel", new Value.Number(21.53), 1_764_170_314_000L);

    @Setup(Level.Trial)
    public void open() throws IOException {
        Path parent = Path.of(System.getProperty("lichen.bench.dir", System.getProperty("java.io.tmpdir")));
        dir = Files.createTempDirectory(parent, "outbox-bench");
        outbox = FileOutbox.open(dir, 64L << 20);
    }

    @TearDown(Level.Iteration)
    public void acknowledgeBacklog() throws IOException {
        Outbox.Stats s = outbox.stats();
        if (s.dropped() > 0) throw new IllegalStateException("the benchmark outbox dropped " + s.dropped() + " readings");
        outbox.acknowledge(s.lastDurableSeq());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        long appends = outbox.stats().lastDurableSeq() + 1;
        System.out.printf("%n%d durable appends in %d group commits: %.1f readings a fsync%n",
                appends, outbox.groupCommits(), appends / (double) Math.max(1, outbox.groupCommits()));
        outbox.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** Platform threads (JMH's, -t overrides the 64), each blocking on its own append. */
    @Benchmark
    public long durableAppend() throws IOException {
        return outbox.append("bench", reading).seq();
    }

    static final int WRITERS = 256;
    static final int APPENDS = 16 * WRITERS;

    /** As the sensor appliance appends: one virtual thread per sampled channel, many at once. */
    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(APPENDS)
    public void durableAppendVirtualThreads() throws InterruptedException {
        try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < WRITERS; t++)
                ex.submit(() -> {
                    for (int i = 0; i < APPENDS / WRITERS; i++) outbox.append("bench", reading);
                    return null;
                });
        }
    }
}
