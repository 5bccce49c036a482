package dev.lichen.gateway.web;

import dev.lichen.gateway.web.auth.Principal;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * A gateway component that serves HTTP through the web server (the add-on host): the web server
 * finds it among the gateway's components, lets it add routes while the server is built, and tells
 * it the bound port once listening. Routes under /api/ stay behind the web's RequestGuard.
 */
public interface WebExtension {
    /** Who is calling, from the API guard or (outside /api/) the session cookie. */
    @FunctionalInterface
    interface Auth {
        Optional<Principal> principal(Context ctx);
    }

    void register(RoutesConfig routes, Auth auth);

    /** The web server listens on this port (loopback reaches it too). */
    default void started(int port) {}

    /**
     * An OpenAPI 3 fragment ({@code {"paths": {...}, "components": {"schemas": {...}}}}) describing
     * the /api/ routes this extension registers; merged into /api/v1/openapi.json. Null: none.
     */
    default String openApi() {
        return null;
    }
}
