package dev.lichen.gateway.automations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lichen.gateway.automations.Automation.Action;
import dev.lichen.gateway.automations.Automation.Condition;
import dev.lichen.gateway.automations.Automation.Moment;
import dev.lichen.gateway.automations.Automation.Op;
import dev.lichen.gateway.automations.Automation.SunEvent;
import dev.lichen.gateway.automations.Automation.Trigger;
import dev.lichen.senml.SenmlCodec;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An automation's JSON, as the REST API takes it and the store keeps it, checked field by field
 * (it comes from a browser): every problem names its field ({@code actions[1].level}) and what
 * to give instead. Durations are in minutes (fractions allowed), times of day "HH:MM".
 * <pre>
 * {"name": "Hall light on motion after dark", "enabled": true,
 *  "trigger": {"type": "reading", "device": "hall-motion", "channel": "motion", "op": "equals", "value": 1},
 *  "conditions": [{"type": "time", "from": {"sun": "sunset"}, "to": {"sun": "sunrise"}}],
 *  "actions": [{"type": "set", "device": "hall-light", "output": "light", "on": true, "forMinutes": 5}],
 *  "cooldownSeconds": 0}
 * </pre>
 */
public final class AutomationJson {
    /** The format of the stored definitions; a newer gateway reads older ones. */
    public static final int VERSION = 1;
    public static final int MAX_CONDITIONS = 10;
    public static final int MAX_ACTIONS = 10;
    public static final int MAX_NAME = 100;
    public static final int MAX_MESSAGE = 300;
    /** A week: longer waits are not what a home automation is for, and they would outlive most restarts' meaning. */
    static final double MAX_MINUTES = 7 * 24 * 60;

    private static final ObjectMapper JSON = new ObjectMapper();

    private AutomationJson() {}

    /** A definition that cannot be taken; field is the JSON path of the first problem. */
    public static final class InvalidAutomation extends Exception {
        private final String field;

        InvalidAutomation(String field, String message) {
            super(field + ": " + message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** Reads and checks a definition (id, last run and reason are the store's, not the definition's). */
    public static Automation parse(JsonNode n) throws InvalidAutomation {
        if (n == null || !n.isObject()) throw new InvalidAutomation("", "an automation is a JSON object");
        only(n, "", Set.of("name", "enabled", "trigger", "conditions", "actions", "cooldownSeconds", "version"));
        if (n.has("version") && (!n.get("version").canConvertToInt() || n.get("version").asInt() < 1 || n.get("version").asInt() > VERSION)) {
            throw new InvalidAutomation("version", "this gateway reads automation format 1 to " + VERSION);
        }
        String name = text(n, "name", "", true);
        if (name.isBlank() || name.length() > MAX_NAME) throw new InvalidAutomation("name", "give a name of 1 to " + MAX_NAME + " characters");
        boolean enabled = !n.has("enabled") || bool(n, "enabled", "");
        Trigger trigger = trigger(n.get("trigger"));
        List<Condition> conditions = new ArrayList<>();
        JsonNode cs = n.get("conditions");
        if (cs != null && !cs.isNull()) {
            if (!cs.isArray() || cs.size() > MAX_CONDITIONS) throw new InvalidAutomation("conditions", "a list of at most " + MAX_CONDITIONS + " conditions");
            for (int i = 0; i < cs.size(); i++) conditions.add(condition(cs.get(i), "conditions[" + i + "]"));
        }
        JsonNode as = n.get("actions");
        if (as == null || !as.isArray() || as.isEmpty() || as.size() > MAX_ACTIONS) {
            throw new InvalidAutomation("actions", "a list of 1 to " + MAX_ACTIONS + " actions (set an output, raise an alert, run another automation)");
        }
        List<Action> actions = new ArrayList<>();
        for (int i = 0; i < as.size(); i++) actions.add(action(as.get(i), "actions[" + i + "]"));
        long cooldown = 0;
        if (n.has("cooldownSeconds")) {
            JsonNode c = n.get("cooldownSeconds");
            if (!c.canConvertToLong() || !c.isIntegralNumber() || c.asLong() < 0 || c.asLong() > 86_400) {
                throw new InvalidAutomation("cooldownSeconds", "a whole number of seconds from 0 to 86400 (a day)");
            }
            cooldown = c.asLong();
        }
        return new Automation(0, name, enabled, trigger, conditions, actions, Duration.ofSeconds(cooldown), 0, null);
    }

    public static Automation parse(String json) throws InvalidAutomation {
        try {
            return parse(JSON.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidAutomation("", "not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static Trigger trigger(JsonNode t) throws InvalidAutomation {
        String at = "trigger";
        if (t == null || !t.isObject()) throw new InvalidAutomation(at, "missing: what sets it off ({\"type\": \"reading\" | \"time\" | \"offline\", ...})");
        return switch (type(t, at, "reading", "time", "offline")) {
            case "reading" -> {
                only(t, at, Set.of("type", "device", "channel", "op", "value", "forMinutes"));
                yield new Trigger.Reading(device(t, at), channel(t, at, "channel"), op(t, at), number(t, "value", at),
                        minutes(t, "forMinutes", at));
            }
            case "time" -> {
                only(t, at, Set.of("type", "at", "sun", "offsetMinutes"));
                yield new Trigger.At(moment(t, at));
            }
            default -> {
                only(t, at, Set.of("type", "device"));
                yield new Trigger.Offline(device(t, at));
            }
        };
    }

    private static Condition condition(JsonNode c, String at) throws InvalidAutomation {
        if (c == null || !c.isObject()) throw new InvalidAutomation(at, "a condition is an object ({\"type\": \"value\" | \"time\", ...})");
        return switch (type(c, at, "value", "time")) {
            case "value" -> {
                only(c, at, Set.of("type", "device", "channel", "op", "value", "forMinutes"));
                yield new Condition.Value(device(c, at), channel(c, at, "channel"), op(c, at), number(c, "value", at), minutes(c, "forMinutes", at));
            }
            default -> {
                only(c, at, Set.of("type", "from", "to"));
                JsonNode from = c.get("from"), to = c.get("to");
                if (from == null || !from.isObject()) throw new InvalidAutomation(at + ".from", "missing: {\"at\": \"22:00\"} or {\"sun\": \"sunset\"}");
                if (to == null || !to.isObject()) throw new InvalidAutomation(at + ".to", "missing: {\"at\": \"06:00\"} or {\"sun\": \"sunrise\"}");
                only(from, at + ".from", Set.of("at", "sun", "offsetMinutes"));
                only(to, at + ".to", Set.of("at", "sun", "offsetMinutes"));
                yield new Condition.Between(moment(from, at + ".from"), moment(to, at + ".to"));
            }
        };
    }

    private static Action action(JsonNode a, String at) throws InvalidAutomation {
        if (a == null || !a.isObject()) throw new InvalidAutomation(at, "an action is an object ({\"type\": \"set\" | \"alert\" | \"run\", ...})");
        return switch (type(a, at, "set", "alert", "run")) {
            case "set" -> {
                only(a, at, Set.of("type", "device", "output", "on", "level", "forMinutes"));
                Boolean on = a.has("on") ? bool(a, "on", at) : null;
                Double level = a.has("level") ? number(a, "level", at) : null;
                if ((on == null) == (level == null)) throw new InvalidAutomation(at, "give on (true/false) for a switch or level (0-100) for a dimmer");
                if (level != null && !(level >= 0 && level <= 100)) throw new InvalidAutomation(at + ".level", "a level from 0 to 100");
                Duration d = minutes(a, "forMinutes", at);
                yield new Action.Set(device(a, at), channel(a, at, "output"), on, level, d);
            }
            case "alert" -> {
                only(a, at, Set.of("type", "message"));
                String m = text(a, "message", at, true);
                if (m.isBlank() || m.length() > MAX_MESSAGE) throw new InvalidAutomation(at + ".message", "a message of 1 to " + MAX_MESSAGE + " characters");
                yield new Action.Alert(m);
            }
            default -> {
                only(a, at, Set.of("type", "automation"));
                JsonNode id = a.get("automation");
                if (id == null || !id.isIntegralNumber() || id.asLong() < 1) throw new InvalidAutomation(at + ".automation", "the id of the automation to run");
                yield new Action.Run(id.asLong());
            }
        };
    }

    private static Moment moment(JsonNode n, String at) throws InvalidAutomation {
        boolean clock = n.has("at"), sun = n.has("sun");
        if (clock == sun) throw new InvalidAutomation(at, "give either at (\"HH:MM\") or sun (\"sunrise\" or \"sunset\", with offsetMinutes)");
        if (clock) {
            if (n.has("offsetMinutes")) throw new InvalidAutomation(at + ".offsetMinutes", "only with sun");
            String t = text(n, "at", at, true);
            try {
                if (!t.matches("\\d{2}:\\d{2}")) throw new DateTimeParseException("", t, 0);
                return new Moment.Clock(LocalTime.parse(t));
            } catch (DateTimeParseException e) {
                throw new InvalidAutomation(at + ".at", "'" + t + "' is not a time of day: give HH:MM, e.g. 07:30");
            }
        }
        SunEvent e = switch (text(n, "sun", at, true)) {
            case "sunrise" -> SunEvent.SUNRISE;
            case "sunset" -> SunEvent.SUNSET;
            default -> throw new InvalidAutomation(at + ".sun", "sunrise or sunset");
        };
        double off = n.has("offsetMinutes") ? number(n, "offsetMinutes", at) : 0;
        if (Math.abs(off) > 12 * 60) throw new InvalidAutomation(at + ".offsetMinutes", "within 12 hours (-720 to 720) of the sun's event");
        return new Moment.Sun(e, Duration.ofMillis(Math.round(off * 60_000)));
    }

    private static String type(JsonNode n, String at, String... types) throws InvalidAutomation {
        JsonNode t = n.get("type");
        if (t == null || !t.isTextual() || !List.of(types).contains(t.asText())) {
            throw new InvalidAutomation(at + ".type", "one of " + String.join(", ", types));
        }
        return t.asText();
    }

    private static void only(JsonNode n, String at, Set<String> allowed) throws InvalidAutomation {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new InvalidAutomation(at.isEmpty() ? f : at + "." + f, "unknown field (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    private static String device(JsonNode n, String at) throws InvalidAutomation {
        String id = text(n, "device", at, true);
        if (!SenmlCodec.isDeviceId(id)) throw new InvalidAutomation(at + ".device", "'" + id + "' is not a device id");
        return id;
    }

    private static String channel(JsonNode n, String at, String field) throws InvalidAutomation {
        String c = text(n, field, at, true);
        if (!SenmlCodec.CHANNEL.matcher(c).matches()) throw new InvalidAutomation(at + "." + field, "'" + c + "' is not a channel name");
        return c;
    }

    private static Op op(JsonNode n, String at) throws InvalidAutomation {
        String o = text(n, "op", at, true);
        try {
            return Op.valueOf(o.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidAutomation(at + ".op", "above, below or equals");
        }
    }

    private static String text(JsonNode n, String f, String at, boolean required) throws InvalidAutomation {
        JsonNode v = n.get(f);
        String path = at.isEmpty() ? f : at + "." + f;
        if (v == null || v.isNull()) {
            if (required) throw new InvalidAutomation(path, "missing");
            return null;
        }
        if (!v.isTextual()) throw new InvalidAutomation(path, "must be text");
        return v.asText();
    }

    private static boolean bool(JsonNode n, String f, String at) throws InvalidAutomation {
        JsonNode v = n.get(f);
        if (v == null || !v.isBoolean()) throw new InvalidAutomation(at.isEmpty() ? f : at + "." + f, "true or false");
        return v.asBoolean();
    }

    private static double number(JsonNode n, String f, String at) throws InvalidAutomation {
        JsonNode v = n.get(f);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) throw new InvalidAutomation(at + "." + f, "a number");
        return v.asDouble();
    }

    private static Duration minutes(JsonNode n, String f, String at) throws InvalidAutomation {
        if (!n.has(f) || n.get(f).isNull()) return Duration.ZERO;
        double m = number(n, f, at);
        if (m < 0 || m > MAX_MINUTES) throw new InvalidAutomation(at + "." + f, "minutes from 0 to " + (long) MAX_MINUTES + " (a week)");
        return Duration.ofMillis(Math.round(m * 60_000));
    }

    // ---------------------------------------------------------------- writing

    /** The definition as stored and served (without id and runs). */
    public static ObjectNode write(Automation a) {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", VERSION);
        n.put("name", a.name());
        n.put("enabled", a.enabled());
        ObjectNode t = n.putObject("trigger");
        switch (a.trigger()) {
            case Trigger.Reading r -> {
                t.put("type", "reading").put("device", r.deviceId()).put("channel", r.channel()).put("op", wire(r.op())).put("value", r.value());
                if (!r.hold().isZero()) t.put("forMinutes", minutes(r.hold()));
            }
            case Trigger.At at -> {
                t.put("type", "time");
                moment(t, at.moment());
            }
            case Trigger.Offline o -> t.put("type", "offline").put("device", o.deviceId());
        }
        ArrayNode cs = n.putArray("conditions");
        for (Condition c : a.conditions()) {
            ObjectNode o = cs.addObject();
            switch (c) {
                case Condition.Value v -> {
                    o.put("type", "value").put("device", v.deviceId()).put("channel", v.channel()).put("op", wire(v.op())).put("value", v.value());
                    if (!v.held().isZero()) o.put("forMinutes", minutes(v.held()));
                }
                case Condition.Between b -> {
                    o.put("type", "time");
                    moment(o.putObject("from"), b.from());
                    moment(o.putObject("to"), b.to());
                }
            }
        }
        ArrayNode as = n.putArray("actions");
        for (Action x : a.actions()) {
            ObjectNode o = as.addObject();
            switch (x) {
                case Action.Set s -> {
                    o.put("type", "set").put("device", s.deviceId()).put("output", s.output());
                    if (s.on() != null) o.put("on", s.on());
                    else o.put("level", s.level());
                    if (!s.duration().isZero()) o.put("forMinutes", minutes(s.duration()));
                }
                case Action.Alert al -> o.put("type", "alert").put("message", al.message());
                case Action.Run r -> o.put("type", "run").put("automation", r.automationId());
            }
        }
        n.put("cooldownSeconds", a.cooldown().toSeconds());
        return n;
    }

    private static void moment(ObjectNode n, Moment m) {
        switch (m) {
            case Moment.Clock c -> n.put("at", c.time().toString());
            case Moment.Sun s -> {
                n.put("sun", s.event() == SunEvent.SUNRISE ? "sunrise" : "sunset");
                if (!s.offset().isZero()) n.put("offsetMinutes", minutes(s.offset()));
            }
        }
    }

    private static double minutes(Duration d) {
        return d.toMillis() / 60_000.0;
    }

    private static String wire(Op op) {
        return op.name().toLowerCase(Locale.ROOT);
    }
}
