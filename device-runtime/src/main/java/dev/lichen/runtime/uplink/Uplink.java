package dev.lichen.runtime.uplink;

import dev.lichen.senml.Batch;

/** The way to the gateway (CoAP or MQTT). */
public interface Uplink extends AutoCloseable {
    /**
     * Delivers one batch and returns only once the gateway acknowledged that it is durably
     * queued (CoAP 2.04, MQTT PUBACK). Throws if it was refused or the gateway is away.
     */
    void deliver(Batch batch) throws UplinkException;

    /** "coap://192.168.1.2:5683" or "mqtt://..." for logs. */
    String describe();

    @Override
    void close();
}
