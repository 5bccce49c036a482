package dev.lichen.store.pkg;

/** A package was refused; {@link #reason()} says which check failed, the message says what to do. */
public final class PackageException extends Exception {
    public enum Reason { MALFORMED, UNSAFE_PATH, TOO_LARGE, MANIFEST, DIGEST, SIGNATURE, UNTRUSTED, PERMISSION, VERSION, IO }

    private final Reason reason;

    public PackageException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PackageException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
