package dev.lichen.store.sdk;

/** An add-on: registers its pages and API, and optionally hears readings of channels it subscribes to. */
public interface Addon {
    void start(AddonContext context, Routes routes) throws Exception;

    /** Called for each reading of a channel named in the manifest's {@code subscribe}. */
    default void onReading(AddonContext context, GatewayApi.Reading reading) throws Exception {}
}
