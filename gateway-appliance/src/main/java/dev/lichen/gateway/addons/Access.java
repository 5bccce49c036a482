package dev.lichen.gateway.addons;

import io.javalin.http.Context;

/**
 * Who may use the add-ons page, the add-ons admin API and the add-ons' pages: decided by the web
 * server's sessions and roles (the web layer supplies this), never by the add-on host itself.
 */
public interface Access {
    /** A logged-in person (any role) made this request. */
    boolean user(Context ctx);

    /** An administrator made this request. */
    boolean admin(Context ctx);
}
