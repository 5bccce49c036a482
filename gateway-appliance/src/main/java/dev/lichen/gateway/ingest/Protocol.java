package dev.lichen.gateway.ingest;

/** Which door a pack came in by; the label is used in metrics. */
public enum Protocol {
    COAP, MQTT,
    /** CoAP over DTLS 1.2 with a per-device pre-shared key */
    COAPS,
    /** derived readings an add-on publishes through the add-on API */
    ADDON,
    /** MQTT over TLS (last: the ingest journal keeps the ordinal) */
    MQTTS;

    /** Whether the network between the device and the gateway sees only ciphertext. */
    public boolean encrypted() { return this == COAPS || this == MQTTS; }

    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
