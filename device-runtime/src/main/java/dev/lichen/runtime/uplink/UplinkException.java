package dev.lichen.runtime.uplink;

/** A delivery failed. {@link #retryable()} is false when the gateway refused the data itself. */
public final class UplinkException extends Exception {
    private final boolean retryable;

    public UplinkException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() { return retryable; }
}
