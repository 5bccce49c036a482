package dev.lichen.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends while this test SIGKILLs it at random moments, 50 times. The child reports
 * to a file, not a pipe: what it wrote before the kill is in the page cache for sure, while a
 * pipe's last bytes can be lost when the JDK drains it at process exit.
 */
class OutboxTortureTest {
    @TempDir Path tmp;

    static List<String> lines(Path report) throws IOException {
        return Files.exists(report) ? List.of(Files.readString(report, StandardCharsets.UTF_8).split("\n")) : List.of();
    }

    static String listing(Path dir) {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName() + "=" + p.toFile().length()).sorted().toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void every_durable_reading_survives_sigkill_exactly_once_and_in_order() throws Exception {
        Path dir = tmp.resolve("outbox");
        Random rnd = new Random(20261126);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        long highest = -1;
        long totalDurable = 0;
        for (int round = 0; round < 50; round++) {
            Path report = tmp.resolve("round-" + round + ".txt");
            Process child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-cp", cp,
                    OutboxTortureChild.class.getName(), dir.toString(), "boot" + round)
                    .redirectOutput(report.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (lines(report).stream().noneMatch(l -> l.startsWith("ready"))) {
                if (System.nanoTime() > deadline || !child.isAlive()) {
                    child.destroyForcibly();
                    fail("round " + round + ": the child did not open the outbox: " + lines(report));
                }
                Thread.sleep(10);
            }
            Thread.sleep(20 + rnd.nextInt(300));
            child.destroyForcibly(); // SIGKILL on Linux
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));

            List<String> said = lines(report);
            Set<Long> durable = new HashSet<>();
            long ackAnnounced = -1;
            for (String l : said) {
                if (l.startsWith("error")) fail("round " + round + ": child failed: " + l);
                if (!l.endsWith(";")) continue; // cut short by the kill
                long n = Long.parseLong(l.substring(2, l.length() - 1).trim());
                if (l.startsWith("d ")) durable.add(n);
                else if (l.startsWith("a ")) ackAnnounced = Math.max(ackAnnounced, n);
            }
            totalDurable += durable.size();

            try (FileOutbox outbox = FileOutbox.open(dir, 64L << 20, 16 * 1024)) {
                List<Outbox.Entry> pending = outbox.pending(Integer.MAX_VALUE);
                long prev = Long.MIN_VALUE;
                Set<Long> present = new HashSet<>();
                for (Outbox.Entry e : pending) {
                    assertTrue(e.seq() > prev, "round " + round + ": seq " + e.seq() + " after " + prev + " (order or duplicate)");
                    prev = e.seq();
                    present.add(e.seq());
                }
                for (long seq : durable)
                    if (seq > ackAnnounced)
                        assertTrue(present.contains(seq), "round " + round + ": durable reading " + seq + " is missing after SIGKILL; "
                                + outbox.recovery() + ", " + outbox.stats() + ", acks announced up to " + ackAnnounced
                                + ", files: " + listing(dir));
                for (long seq : durable) highest = Math.max(highest, seq);
                Outbox.Entry fresh = outbox.append("check", new Reading("t", "Cel", new Value.Number(1), 1_764_170_000_000L));
                assertTrue(fresh.seq() > highest, "round " + round + ": new seq " + fresh.seq() + " not above " + highest);
                highest = fresh.seq();
                assertEquals(fresh.seq(), outbox.pending(Integer.MAX_VALUE).getLast().seq());
            }
        }
        System.out.printf("torture: 50 SIGKILLs, %d readings reported durable, all found%n", totalDurable);
        assertTrue(totalDurable > 500, "the child appended too little to test anything: " + totalDurable);
    }
}
