package dev.lichen.gateway.ingest;

/** Which door a pack came in by; the label is used in metrics. */
public enum Protocol {
    COAP, MQTT;

    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
