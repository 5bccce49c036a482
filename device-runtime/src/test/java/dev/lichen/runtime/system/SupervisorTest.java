package dev.lichen.runtime.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SupervisorTest {
    @Test
    void restartsWithGrowingWaitsThenAsksForAReboot() throws Exception {
        AtomicLong now = new AtomicLong();
        List<Duration> waits = new ArrayList<>();
        List<String> log = new ArrayList<>();
        Supervisor s = new Supervisor(4, Duration.ofMinutes(10), now::get, log::add);
        AtomicInteger runs = new AtomicInteger();
        Supervisor.Outcome o = s.run(() -> {
            runs.incrementAndGet();
            throw new IllegalStateException("sensor bus gone");
        }, d -> {
            waits.add(d);
            now.addAndGet(d.toNanos());
        });
        assertEquals(Supervisor.Outcome.REBOOT, o);
        assertEquals(4, runs.get());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)), waits);
        assertEquals(4, log.size());
    }

    @Test
    void failuresOutsideTheWindowAreForgiven() throws Exception {
        AtomicLong now = new AtomicLong();
        Supervisor s = new Supervisor(3, Duration.ofSeconds(30), now::get, m -> { });
        AtomicInteger runs = new AtomicInteger();
        Supervisor.Outcome o = s.run(() -> {
            if (runs.incrementAndGet() < 6) throw new IllegalStateException("flaky");
        }, d -> now.addAndGet(Duration.ofMinutes(1).toNanos())); // a minute between failures: never 3 in 30 s
        assertEquals(Supervisor.Outcome.FINISHED, o);
        assertEquals(6, runs.get());
    }
}
