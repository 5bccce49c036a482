package dev.lichen.gateway.store;

/**
 * One line of the audit trail: at (epoch millis), actor (the account, "token:<name>", or for a
 * refused login the name that was tried), address (the client's IP, null from within the
 * gateway), action (see {@link Action}), subject (the device, account or token acted on) and a
 * short detail. id is 0 until stored.
 */
public record AuditEvent(long id, long atMillis, String actor, String address, Action action, String subject, String detail) {
    public AuditEvent {
        if (actor == null || actor.isEmpty()) throw new IllegalArgumentException("an audit event needs an actor");
        if (action == null) throw new IllegalArgumentException("an audit event needs an action");
    }

    /** What was done; the label is what the trail stores and the API shows. */
    public enum Action {
        SETUP, LOGIN, LOGIN_REFUSED, LOGIN_THROTTLED, LOGOUT,
        DEVICE_ADOPTED, DEVICE_REJECTED, DEVICE_REMOVED, KEY_ROTATED, KEY_REVOKED, KEY_PINNED,
        USER_CREATED, USER_DELETED, TOKEN_CREATED, TOKEN_REVOKED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Action ofLabel(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
