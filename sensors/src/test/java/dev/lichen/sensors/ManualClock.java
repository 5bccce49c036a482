package dev.lichen.sensors;

import dev.lichen.runtime.clock.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Test time that moves only when someone sleeps or advances it: drivers and models share it. */
public final class ManualClock implements Clock {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override public long epochMillis() { return 1_764_000_000_000L + nanos.get() / 1_000_000; }

    @Override public long monotonicNanos() { return nanos.get(); }

    @Override public void sleep(Duration d) { nanos.addAndGet(d.toNanos()); }

    public void advance(Duration d) { sleep(d); }
}
