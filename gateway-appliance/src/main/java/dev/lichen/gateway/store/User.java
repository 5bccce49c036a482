package dev.lichen.gateway.store;

/** An account of the web UI. passwordHash is an encoded slow-KDF hash chosen by the web layer. */
public record User(long id, String username, String passwordHash, Role role, long createdMillis) {}
