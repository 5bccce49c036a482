package dev.lichen.gateway.ingest;

/** Why a pack was refused; the label is the {@code reason} of {@code lichen_ingest_rejects_total}. */
public enum RejectReason {
    /** Not valid SenML, or not a Lichen pack (CoAP 4.00, MQTT 5 0x99). */
    MALFORMED,
    /** Larger than the gateway accepts (CoAP 4.13, MQTT 5 0x95). */
    TOO_LARGE,
    /** Content-Format other than 110/112 (CoAP 4.15). */
    UNSUPPORTED_FORMAT,
    /** The MQTT topic or the CoAPS key names another device than the pack (MQTT 5 0x87, CoAP 4.03). */
    DEVICE_MISMATCH,
    /** A device adopted with a public key, and the pack came with another key or none (CoAP 4.01, MQTT 5 0x87). */
    UNKNOWN_KEY,
    /** The device was rejected by a person (CoAP 4.03, MQTT 5 0x87). */
    DEVICE_REJECTED,
    /** The queue is full or storage failed: try again later (CoAP 5.03, MQTT 5 0x97 / 0x80). */
    UNAVAILABLE,
    /** A device the gateway does not know yet, while the devices waiting for adoption fill their places (CoAP 5.03, MQTT 5 0x97). */
    NEW_DEVICE_LIMIT,
    /** Too many first packs of unknown devices from one address this second (CoAP 4.29, MQTT 5 0x97). */
    RATE_LIMITED,
    /** A UDP datagram that is not CoAP at all (counted only). */
    GARBAGE_DATAGRAM;

    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
