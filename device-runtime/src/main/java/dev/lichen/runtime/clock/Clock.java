package dev.lichen.runtime.clock;

import java.time.Duration;

/** Wall and monotonic time, and sleeping; simulated time can run faster than real time. */
public interface Clock {
    long epochMillis();

    long monotonicNanos();

    void sleep(Duration duration) throws InterruptedException;

    Clock SYSTEM = new Clock() {
        @Override public long epochMillis() { return System.currentTimeMillis(); }
        @Override public long monotonicNanos() { return System.nanoTime(); }
        @Override public void sleep(Duration d) throws InterruptedException { Thread.sleep(d); }
    };
}
