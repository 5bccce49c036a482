package dev.lichen.runtime.bus;

import java.io.IOException;

/** A bus transaction failed; {@link #kind()} says how, the message names the bus and address. */
public final class BusException extends IOException {
    public enum Kind { NACK, TIMEOUT, ABSENT, IO }

    private final Kind kind;

    public BusException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BusException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}
