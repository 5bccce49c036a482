package dev.lichen.gateway.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling for what a test waits on: a device heard, a pin driven, a command done. */
public final class Await {
    private Await() {}

    /** Waits until the condition holds; fails naming what did not happen in time. */
    public static void until(Duration within, BooleanSupplier condition, String what) throws InterruptedException {
        if (!holds(within, condition)) throw new AssertionError("not within " + within.toSeconds() + " s: " + what);
    }

    /** Waits until the condition holds or the time is up: whether it holds. */
    public static boolean holds(Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(10);
        }
        return true;
    }
}
