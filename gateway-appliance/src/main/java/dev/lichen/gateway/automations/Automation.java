package dev.lichen.gateway.automations;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;

/**
 * A rule the gateway runs by itself: when its trigger happens and every condition holds, it
 * carries out its actions, at most once per cooldown. Kept as JSON in the store
 * ({@link AutomationJson}, format {@value AutomationJson#VERSION}).
 *
 * @param lastRun    when it last ran (0: never), and lastReason why (the event, in words)
 */
public record Automation(long id, String name, boolean enabled, Trigger trigger, List<Condition> conditions,
                         List<Action> actions, Duration cooldown, long lastRun, String lastReason) {
    public Automation {
        conditions = List.copyOf(conditions);
        actions = List.copyOf(actions);
    }

    public Automation withId(long id) {
        return new Automation(id, name, enabled, trigger, conditions, actions, cooldown, lastRun, lastReason);
    }

    /** How a value is compared with a threshold. */
    public enum Op {
        ABOVE, BELOW, EQUALS;

        public boolean test(double value, double threshold) {
            return switch (this) {
                case ABOVE -> value > threshold;
                case BELOW -> value < threshold;
                case EQUALS -> value == threshold;
            };
        }
    }

    public enum SunEvent { SUNRISE, SUNSET }

    /** A time of day: a clock time, or sunrise/sunset moved by an offset. */
    public sealed interface Moment {
        record Clock(LocalTime time) implements Moment {}

        record Sun(SunEvent event, Duration offset) implements Moment {}
    }

    /** What sets a rule off. */
    public sealed interface Trigger {
        /**
         * A channel's reading comes to satisfy op/value (the one before did not), and, with a hold,
         * keeps satisfying it that long (e.g. humidity above 70 for 5 minutes; motion 0 for 5 minutes).
         */
        record Reading(String deviceId, String channel, Op op, double value, Duration hold) implements Trigger {}

        /** Every day at a time of day. */
        record At(Moment moment) implements Trigger {}

        /** The device goes offline (its MQTT will, or silence over CoAP). */
        record Offline(String deviceId) implements Trigger {}
    }

    /** What must hold when the trigger happens. */
    public sealed interface Condition {
        /** A channel's last value satisfies op/value, and has for at least {@code held} (zero: just now). */
        record Value(String deviceId, String channel, Op op, double value, Duration held) implements Condition {}

        /** The time of day is within [from, to) (which may span midnight, e.g. sunset to sunrise: dark). */
        record Between(Moment from, Moment to) implements Condition {}
    }

    /** What a rule does. */
    public sealed interface Action {
        /**
         * Sets an output: on for a switch, level for a dimmer (exactly one). With a duration, it is
         * set back to what it was after that long; firing again meanwhile starts the time afresh.
         */
        record Set(String deviceId, String output, Boolean on, Double level, Duration duration) implements Action {}

        /** Raises an alert with this message (on the Alerts page and the live stream). */
        record Alert(String message) implements Action {}

        /** Runs another automation's actions (its conditions are checked; its own trigger is not needed). */
        record Run(long automationId) implements Action {}
    }
}
