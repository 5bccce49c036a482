package dev.lichen.gateway.web;

import dev.lichen.gateway.web.auth.Principal;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;

/**
 * A gateway component that serves HTTP through the web server (the add-on host): the web server
 * finds it among the gateway's components, lets it add routes while the server is built, and tells
 * it the bound port once listening. Every route it registers needs a session or token, like the
 * gateway's own, unless {@link #openRoutes} names it.
 */
public interface WebExtension {
    /** Who is calling (session cookie or token), on any route, open ones too. */
    @FunctionalInterface
    interface Auth {
        Optional<Principal> principal(Context ctx);
    }

    void register(RoutesConfig routes, Auth auth);

    /**
     * The routes this extension opens to callers without a session ("METHOD template", exactly as
     * registered), and how; every other route it registers is behind the guard.
     */
    default Map<String, RequestGuard.Open> openRoutes() {
        return Map.of();
    }

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
