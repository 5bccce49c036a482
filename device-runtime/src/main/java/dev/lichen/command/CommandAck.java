package dev.lichen.command;

import java.util.Locale;

/**
 * What a device says about a command, as the text value of a reading on the reserved channel
 * {@value #CHANNEL}: {@code "<id> done"}, {@code "<id> failed: <why>"} (the output could not be
 * set: a pin fault) or {@code "<id> refused: <why>"} (no such output, a value it cannot take).
 * It travels in the device's outbox beside the output's new state, so it is as durable as a
 * reading and the gateway sees the state before the acknowledgement.
 */
public record CommandAck(Command.CommandId id, Outcome outcome, String detail) {
    /** The channel acknowledgements travel on; no output or sensor channel may take it. */
    public static final String CHANNEL = "ack";
    /** Longest detail kept (a reading's text stays small). */
    static final int MAX_DETAIL = 200;

    public enum Outcome { DONE, FAILED, REFUSED }

    public CommandAck {
        detail = detail == null ? "" : detail.replace('\n', ' ').strip();
        if (detail.length() > MAX_DETAIL) detail = detail.substring(0, MAX_DETAIL);
    }

    public static CommandAck done(Command.CommandId id) {
        return new CommandAck(id, Outcome.DONE, "");
    }

    public String text() {
        String word = outcome.name().toLowerCase(Locale.ROOT);
        return outcome == Outcome.DONE ? id + " " + word : id + " " + word + ": " + detail;
    }

    /** The acknowledgement a reading's text holds, or null when it is not one. */
    public static CommandAck parse(String text) {
        if (text == null) return null;
        int space = text.indexOf(' ');
        if (space < 0) return null;
        Command.CommandId id = Command.CommandId.parse(text.substring(0, space));
        if (id == null) return null;
        String rest = text.substring(space + 1);
        if (rest.equals("done")) return done(id);
        for (Outcome o : new Outcome[] {Outcome.FAILED, Outcome.REFUSED}) {
            String prefix = o.name().toLowerCase(Locale.ROOT) + ": ";
            if (rest.startsWith(prefix)) return new CommandAck(id, o, rest.substring(prefix.length()));
        }
        return null;
    }
}
