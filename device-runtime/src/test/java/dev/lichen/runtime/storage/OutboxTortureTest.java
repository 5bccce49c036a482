package dev.lichen.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child JVM appends while this test SIGKILLs it at random moments, 50 times. */
class OutboxTortureTest {
    @TempDir Path dir;

    @Test
    void every_durable_reading_survives_sigkill_exactly_once_and_in_order() throws Exception {
        Random rnd = new Random(20261126);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        long highest = -1;
        long totalDurable = 0;
        for (int round = 0; round < 50; round++) {
            Process child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-cp", cp,
                    OutboxTortureChild.class.getName(), dir.toString(), "boot" + round)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch ready = new CountDownLatch(1);
            Thread reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                        if (line.startsWith("ready")) ready.countDown();
                    }
                } catch (IOException ignored) {
                    // the pipe breaks when the child dies: what was read is what counts
                }
            });
            if (!ready.await(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                fail("round " + round + ": the child did not open the outbox within 30 s: " + lines);
            }
            Thread.sleep(20 + rnd.nextInt(300));
            child.destroyForcibly(); // SIGKILL on Linux
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            reader.join(10_000);

            Set<Long> durable = new HashSet<>();
            long ackAnnounced = -1;
            List<String> snapshot;
            synchronized (lines) { snapshot = new ArrayList<>(lines); }
            for (String l : snapshot) {
                if (l.startsWith("d ")) durable.add(Long.parseLong(l.substring(2).trim()));
                else if (l.startsWith("a ")) ackAnnounced = Math.max(ackAnnounced, Long.parseLong(l.substring(2).trim()));
                else if (l.startsWith("error")) fail("round " + round + ": child failed: " + l);
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
                        assertTrue(present.contains(seq), "round " + round + ": durable reading " + seq + " is missing after SIGKILL");
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
