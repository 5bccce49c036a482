package dev.lichen.gateway.store;

/**
 * A command for one output of a device, as the gateway keeps it until the device acknowledges it
 * or it expires. value is 1/0 for a switch, the level in percent for a dimmer; origin says who
 * asked (a user name, or "automation:<rule>"); finished is null while it is pending.
 */
public record StoredCommand(long id, String deviceId, String output, OutputKind kind, double value, CommandState state,
                            String detail, String origin, long createdMillis, long expiresMillis, Long finishedMillis) {
    public enum CommandState {
        /** Sent (or waiting for the device to come back), not acknowledged yet. */
        PENDING,
        /** The device set the output. */
        DONE,
        /** The device could not set it (a pin fault); the output is in its safe state. */
        FAILED,
        /** The device refused it (no such output, a value it cannot take); the output kept its state. */
        REFUSED,
        /** Not acknowledged within its lifetime: it will not be carried out any more. */
        EXPIRED;

        public boolean finished() {
            return this != PENDING;
        }
    }
}
