package dev.lichen.gateway.store;

/**
 * A login session. id is what the web layer stores (it should be a hash of the cookie token, so a
 * leaked database does not leak live sessions); csrfToken guards state changes.
 */
public record Session(String id, long userId, String csrfToken, long createdMillis, long expiresMillis) {}
