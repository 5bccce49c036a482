package dev.lichen.senml;

/** A pack that is not valid SenML, or not a valid Lichen pack; {@link #reason()} says which rule. */
public final class SenmlException extends Exception {
    public enum Reason {
        /** Not well-formed JSON/CBOR, not an array of maps, a field of the wrong type, trailing bytes. */
        MALFORMED,
        /** A resolved name (base name + name) breaks RFC 8428 section 4.5.1, or a channel name is unusable. */
        BAD_NAME,
        /** Not exactly one of v, vs, vb, vd (and no sum either). */
        VALUE_COUNT,
        /** A unit that is not in the SenML units registry ({@link SenmlUnits}). */
        UNKNOWN_UNIT,
        /** NaN or an infinite number (value, sum, time, update time, base fields). */
        NOT_FINITE,
        /** More bytes or records than the {@link SenmlLimits} allow. */
        TOO_LARGE,
        /** A Lichen pack without device id (base name), boot id or first sequence number. */
        MISSING_IDENTITY,
        /** A version (bver) newer than RFC 8428's 10, or versions that differ within a pack. */
        UNSUPPORTED_VERSION,
        /** A field whose label ends in '_' that this parser does not understand (RFC 8428 section 4.4). */
        MUST_UNDERSTAND,
        /** A reading time SenML cannot carry as absolute time (before 2^28 s, 1978-07-04). */
        BAD_TIME
    }

    private final Reason reason;

    public SenmlException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public SenmlException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
