package dev.lichen.runtime.uplink;

import dev.lichen.senml.Batch;

/** The way to the gateway (CoAP or MQTT). */
public interface Uplink extends AutoCloseable {
    /**
     * Delivers one batch and returns only once the gateway acknowledged that it is durably
     * queued (CoAP 2.04, MQTT PUBACK). Throws if it was refused or the gateway is away.
     */
    void deliver(Batch batch) throws UplinkException;

    /**
     * Starts listening for the device's commands: the listener gets each set of its pending
     * commands as the gateway sends it (a SenML pack, {@code dev.lichen.command.CommandCodec}; an
     * empty payload or {@code []} when nothing is pending), on a thread of the uplink's, and again
     * after the link was lost and came back. The uplink keeps its link up from now on, readings or
     * not.
     */
    default void onCommands(String deviceId, java.util.function.Consumer<byte[]> listener) {
        throw new UnsupportedOperationException(describe() + " carries no commands");
    }

    /**
     * From now on the link presents this key pair (a rotation: the gateway was told the new public
     * key over the old one's link): the current connection or DTLS session ends, the next one
     * shakes hands with the new key. Only for a link that presents the device's own key.
     */
    default void rekey(java.security.KeyPair keys) {
        throw new UnsupportedOperationException(describe() + " does not present the device's own key");
    }

    /** "coap://192.168.1.2:5683" or "mqtt://..." for logs. */
    String describe();

    @Override
    void close();
}
