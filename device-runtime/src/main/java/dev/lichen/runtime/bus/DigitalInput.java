package dev.lichen.runtime.bus;

import java.util.function.Consumer;

/** A GPIO pin configured as input. */
public interface DigitalInput {
    int pin();

    boolean isHigh() throws BusException;

    /** Calls the listener on every edge; closing the returned handle stops it. */
    AutoCloseable onEdge(Consumer<Edge> listener);

    /** An edge seen on a pin, at a monotonic time in nanoseconds. */
    record Edge(int pin, boolean high, long nanos) {}
}
