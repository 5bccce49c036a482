package dev.lichen.sim.faults;

import dev.lichen.runtime.clock.Clock;
import java.time.Duration;

/** A device's own clock: the simulated clock plus a skew that a fault may set and clear. */
public final class SkewedClock implements Clock {
    private final Clock base;
    private volatile long skewMillis;

    public SkewedClock(Clock base) {
        this.base = base;
    }

    public void skew(long millis) {
        this.skewMillis = millis;
    }

    public long skew() {
        return skewMillis;
    }

    @Override public long epochMillis() { return base.epochMillis() + skewMillis; }

    // monotonic time does not jump with the wall clock, as on a real board
    @Override public long monotonicNanos() { return base.monotonicNanos(); }

    @Override public void sleep(Duration duration) throws InterruptedException { base.sleep(duration); }
}
