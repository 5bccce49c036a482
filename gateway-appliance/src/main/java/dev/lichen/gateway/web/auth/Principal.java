package dev.lichen.gateway.web.auth;

import dev.lichen.gateway.store.Role;
import dev.lichen.gateway.store.Session;

/**
 * Who is calling: a person with a browser session (session not null: CSRF applies), or a machine
 * client with an API token (session null: a bearer header is no ambient credential, so no CSRF).
 */
public record Principal(long userId, String name, Role role, Session session) {
    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    public boolean viaToken() {
        return session == null;
    }
}
