package dev.lichen.gateway;

/**
 * Something that runs inside the gateway next to ingest and storage (the web server, the add-on
 * host). Found by {@link java.util.ServiceLoader} (META-INF/services/dev.lichen.gateway.GatewayComponent)
 * when the gateway starts from the command line, or passed to {@link Gateway#start(GatewayConfig, java.util.List)}.
 * Started after store, live bus, metrics, alerts and ingest are up; closed before them, in reverse order.
 */
public interface GatewayComponent extends AutoCloseable {
    /** Short name for logs ("web"). */
    String name();

    /** Starts; the gateway gives access to config, store, live bus, metrics, alerts and ingest. */
    void start(Gateway gateway) throws Exception;

    @Override
    void close();
}
