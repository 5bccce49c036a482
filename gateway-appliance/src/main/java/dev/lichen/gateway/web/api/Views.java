package dev.lichen.gateway.web.api;

import dev.lichen.gateway.store.Alert;
import dev.lichen.gateway.store.AlertRule;
import dev.lichen.gateway.store.Channel;
import dev.lichen.gateway.store.Device;
import dev.lichen.gateway.store.DeviceState;
import dev.lichen.gateway.store.Resolution;
import dev.lichen.gateway.store.StoredReading;
import dev.lichen.gateway.store.User;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JSON shapes of the API, kept in one place so the OpenAPI description has one thing to match. */
public final class Views {
    private Views() {}

    public static String wire(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    public static String wire(Resolution r) {
        return switch (r) {
            case RAW -> "raw";
            case MINUTE -> "1m";
            case HOUR -> "1h";
        };
    }

    /**
     * A device with the link its last pack came over (coap, coaps, mqtt, mqtts; null when none
     * came since the gateway started) and whether that link is encrypted.
     */
    public static Map<String, Object> device(Device d, List<Channel> channels, java.util.Optional<dev.lichen.gateway.ingest.Protocol> link,
                                             java.util.Optional<dev.lichen.gateway.store.DevicePublicKey> key) {
        var m = device(d, channels);
        m.put("link", link.map(dev.lichen.gateway.ingest.Protocol::label).orElse(null));
        m.put("encrypted", link.map(dev.lichen.gateway.ingest.Protocol::encrypted).orElse(null));
        // the public key the device presented: a person compares the fingerprint with the device's console
        m.put("key", key.map(k -> Map.of("fingerprint", k.fingerprint(), "pinned", k.pinned())).orElse(null));
        return m;
    }

    /** A device; channels may be null (list views that don't ask for them); live events leave the link out. */
    public static Map<String, Object> device(Device d, List<Channel> channels) {
        var m = new LinkedHashMap<String, Object>();
        m.put("id", d.id());
        m.put("name", d.name());
        m.put("room", d.room());
        m.put("state", wire(d.state()));
        m.put("online", d.online());
        m.put("firstSeen", d.firstSeenMillis());
        m.put("lastSeen", d.lastSeenMillis() == 0 ? null : d.lastSeenMillis());
        m.put("battery", d.battery());
        m.put("signal", d.signal());
        if (channels != null) {
            boolean adopted = d.state() == DeviceState.ADOPTED;
            m.put("channels", channels.stream().map(c -> channel(c, adopted)).toList());
        }
        return m;
    }

    /** A channel; the latest value only for adopted devices (a new device's readings are held). */
    public static Map<String, Object> channel(Channel c, boolean withValue) {
        var m = new LinkedHashMap<String, Object>();
        m.put("name", c.name());
        m.put("unit", c.unit());
        if (withValue) {
            m.put("value", c.lastValue());
            m.put("text", c.lastText());
            m.put("time", c.lastTimeMillis() == 0 ? null : c.lastTimeMillis());
        }
        return m;
    }

    public static Map<String, Object> reading(StoredReading r) {
        var m = new LinkedHashMap<String, Object>();
        m.put("channel", r.channel());
        m.put("time", r.timeMillis());
        m.put("value", r.value());
        m.put("text", r.text());
        return m;
    }

    public static Map<String, Object> rule(AlertRule r) {
        var m = new LinkedHashMap<String, Object>();
        m.put("id", r.id());
        m.put("name", r.name());
        m.put("deviceId", r.deviceId());
        m.put("channel", r.channel());
        m.put("op", r.op().symbol());
        m.put("threshold", r.threshold());
        m.put("durationSeconds", r.durationSeconds());
        m.put("enabled", r.enabled());
        return m;
    }

    public static Map<String, Object> alert(Alert a, String ruleName) {
        var m = new LinkedHashMap<String, Object>();
        m.put("id", a.id());
        m.put("ruleId", a.ruleId());
        m.put("ruleName", ruleName);
        m.put("deviceId", a.deviceId());
        m.put("channel", a.channel());
        m.put("state", wire(a.state()));
        m.put("value", a.value());
        m.put("fired", a.firedMillis());
        m.put("acknowledged", a.acknowledgedMillis() == 0 ? null : a.acknowledgedMillis());
        m.put("acknowledgedBy", a.acknowledgedBy());
        m.put("cleared", a.clearedMillis() == 0 ? null : a.clearedMillis());
        m.put("message", a.message());
        return m;
    }

    /** An account without its password hash. */
    public static Map<String, Object> user(User u) {
        var m = new LinkedHashMap<String, Object>();
        m.put("id", u.id());
        m.put("username", u.username());
        m.put("role", wire(u.role()));
        m.put("created", u.createdMillis());
        return m;
    }

    public static Map<String, Object> audit(dev.lichen.gateway.store.AuditEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("at", e.atMillis());
        m.put("actor", e.actor());
        m.put("address", e.address());
        m.put("action", e.action().label());
        m.put("subject", e.subject());
        m.put("detail", e.detail());
        return m;
    }

    /** A command: on (switch) or level (dimmer), and its state: pending, done, failed, refused, expired. */
    public static Map<String, Object> command(dev.lichen.gateway.store.StoredCommand c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("deviceId", c.deviceId());
        m.put("output", c.output());
        switch (c.kind()) {
            case SWITCH -> m.put("on", c.value() != 0);
            case DIMMER -> m.put("level", c.value());
            // a key rotation's two steps
            case IDENTITY -> m.put("rotation", c.value() != 0 ? "make a new key" : "switch to the new key");
        }
        m.put("state", wire(c.state()));
        m.put("detail", c.detail());
        m.put("origin", c.origin());
        m.put("created", c.createdMillis());
        m.put("expires", c.expiresMillis());
        m.put("finished", c.finishedMillis());
        return m;
    }

    public static Map<String, Object> output(dev.lichen.gateway.store.DeviceOutput o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", o.name());
        m.put("kind", wire(o.kind()));
        return m;
    }
}
