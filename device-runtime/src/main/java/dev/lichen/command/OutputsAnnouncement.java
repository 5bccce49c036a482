package dev.lichen.command;

import dev.lichen.senml.SenmlCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outputs a device has, told to the gateway as the text value of a reading on the reserved
 * channel {@value #CHANNEL} at every start: {@code "hall_light:switch fan:dimmer"}. So the gateway
 * learns them over the readings' own durable path, and from the newest boot.
 */
public record OutputsAnnouncement(Map<String, Kind> outputs) {
    public static final String CHANNEL = "outputs";
    /** More than any board has pins. */
    public static final int MAX_OUTPUTS = 64;

    public enum Kind { SWITCH, DIMMER }

    public OutputsAnnouncement {
        outputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    public String text() {
        List<String> parts = new ArrayList<>();
        outputs.forEach((name, kind) -> parts.add(name + ":" + kind.name().toLowerCase(Locale.ROOT)));
        return String.join(" ", parts);
    }

    /** The announcement a reading's text holds, or null when it is not a valid one. */
    public static OutputsAnnouncement parse(String text) {
        if (text == null) return null;
        Map<String, Kind> out = new LinkedHashMap<>();
        for (String part : text.strip().split(" +")) {
            if (part.isEmpty()) continue;
            int colon = part.lastIndexOf(':');
            if (colon <= 0) return null;
            String name = part.substring(0, colon);
            Kind kind = switch (part.substring(colon + 1)) {
                case "switch" -> Kind.SWITCH;
                case "dimmer" -> Kind.DIMMER;
                default -> null;
            };
            if (kind == null || !SenmlCodec.CHANNEL.matcher(name).matches() || out.put(name, kind) != null) return null;
            if (out.size() > MAX_OUTPUTS) return null;
        }
        return new OutputsAnnouncement(out);
    }
}
