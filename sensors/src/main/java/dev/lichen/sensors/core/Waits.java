package dev.lichen.sensors.core;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.clock.Clock;
import java.time.Duration;

/** Waiting for a conversion on the device's clock (simulated time runs the same code). */
public final class Waits {
    private Waits() {}

    public static void sleep(Clock clock, Duration duration, String what) throws BusException {
        try {
            clock.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusException(BusException.Kind.TIMEOUT, what + ": interrupted while waiting for a conversion", e);
        }
    }

    public static void sleepMicros(Clock clock, long micros, String what) throws BusException {
        sleep(clock, Duration.ofNanos(micros * 1000), what);
    }
}
