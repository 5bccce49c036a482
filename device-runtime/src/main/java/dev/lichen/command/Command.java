package dev.lichen.command;

import dev.lichen.senml.Value;
import java.util.regex.Pattern;

/**
 * One command for one output of a device: set {@code output} to {@code value} (a {@link
 * Value.Bool} for a switch, a {@link Value.Number} in percent for a dimmer). Its id names it for
 * ever: {@code <epoch>-<n>}, where the epoch names the gateway's command store and n grows with
 * every command it makes, so a device applies each command once and never an older one after a
 * newer ({@link CommandId}).
 */
public record Command(CommandId id, String output, Value value) {
    public Command {
        if (!(value instanceof Value.Bool) && !(value instanceof Value.Number)) {
            throw new IllegalArgumentException("a command sets an output on or off (vb) or to a level (v), not " + value);
        }
    }

    /** {@code <epoch>-<n>}: the epoch is 1-16 lower-case letters and digits, n a non-negative number. */
    public record CommandId(String epoch, long n) implements Comparable<CommandId> {
        public static final Pattern FORMAT = Pattern.compile("([a-z0-9]{1,16})-([0-9]{1,18})");

        public CommandId {
            if (epoch == null || !epoch.matches("[a-z0-9]{1,16}") || n < 0) {
                throw new IllegalArgumentException("a command id is <epoch>-<n>: 1-16 letters and digits, a number");
            }
        }

        /** The id in its text form, or null when the text is not one. */
        public static CommandId parse(String text) {
            var m = text == null ? null : FORMAT.matcher(text);
            return m != null && m.matches() ? new CommandId(m.group(1), Long.parseLong(m.group(2))) : null;
        }

        @Override
        public int compareTo(CommandId o) {
            return Long.compare(n, o.n);
        }

        @Override
        public String toString() {
            return epoch + "-" + n;
        }
    }
}
