package dev.lichen.runtime.uplink;

/**
 * A delivery failed. {@link #retryable()} is false when the gateway refused the data itself;
 * {@link #kind()} also tells a refused device (unknown, unauthorised) from refused data, since
 * the pump may drop refused readings but must keep everything while the device is refused.
 */
public final class UplinkException extends Exception {
    public enum Kind {
        /** The gateway is away or did not answer in time: send the same data again later. */
        AWAY,
        /** The gateway refused these readings (invalid SenML, too large): they never will pass. */
        DATA_REFUSED,
        /** The gateway refused this device (unknown, unauthorised): keep the data, wait. */
        DEVICE_REFUSED
    }

    private final Kind kind;

    public UplinkException(String message, boolean retryable, Throwable cause) {
        this(message, retryable ? Kind.AWAY : Kind.DATA_REFUSED, cause);
    }

    public UplinkException(String message, Kind kind, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public boolean retryable() { return kind == Kind.AWAY; }

    public Kind kind() { return kind; }
}
