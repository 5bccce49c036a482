package dev.lichen.gateway.store;

/** A storage failure (database unreachable, disk full, constraint broken): unchecked, with the cause. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) { super(message, cause); }

    public StoreException(String message) { super(message); }
}
