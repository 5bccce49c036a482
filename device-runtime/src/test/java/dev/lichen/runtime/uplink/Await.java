package dev.lichen.runtime.uplink;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or the deadline passes (then fails with a description). */
public final class Await {
    private Await() {}

    public static void until(Duration max, BooleanSupplier condition, Supplier<String> whatWasExpected) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + max.toMillis() + " ms: " + whatWasExpected.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
