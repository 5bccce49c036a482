package dev.lichen.armboot;

/** A build or flash that cannot go on; the message says what is wrong and what to do. */
public final class BuildException extends RuntimeException {
    public BuildException(String message) {
        super(message);
    }

    public BuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
