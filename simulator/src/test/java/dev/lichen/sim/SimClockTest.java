package dev.lichen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.sim.time.SimClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimClockTest {
    @Test
    void virtualTimeWakesSleepersExactlyAtTheirDeadlinesAndWaitsForWork() throws Exception {
        SimClock clock = SimClock.virtual(1_000_000, Duration.ofSeconds(2));
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        try (var hold = clock.hold()) {
            for (int period : new int[] {10_000, 15_000}) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < 6; i++) {
                            clock.sleep(Duration.ofMillis(period));
                            long t = clock.epochMillis();
                            Thread.sleep(20); // real work: time must not move meanwhile
                            assertEquals(t, clock.epochMillis());
                            seen.add(period + "@" + (t - 1_000_000));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            Thread.sleep(50);
            assertEquals(1_000_000, clock.epochMillis(), "held");
        }
        for (Thread t : threads) t.join(10_000);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 6; i++) expected.add("10000@" + i * 10_000);
        for (int i = 1; i <= 6; i++) expected.add("15000@" + i * 15_000);
        assertEquals(expected.stream().sorted().toList(), seen.stream().sorted().toList());
        assertEquals(90_000, clock.elapsedMillis(), "ends at the last deadline");
    }

    @Test
    void scaledTimeRunsFaster() throws Exception {
        SimClock clock = SimClock.scaled(0, 600);
        long real = System.nanoTime();
        clock.sleep(Duration.ofSeconds(60));
        long took = (System.nanoTime() - real) / 1_000_000;
        assertTrue(took >= 95 && took < 2_000, "60 simulated seconds at 600x take ~100 ms: " + took);
        assertTrue(clock.elapsedMillis() >= 60_000);
    }
}
