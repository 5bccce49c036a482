package dev.lichen.gateway.web.api;

import dev.lichen.gateway.ingest.DeviceKeys;
import dev.lichen.gateway.store.AuditEvent;
import dev.lichen.gateway.web.ApiError;
import dev.lichen.gateway.web.Validate;
import dev.lichen.runtime.clock.Clock;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A device's key (CoAPS pre-shared key; its base64 text is also the device's MQTT password): whether it has one and since when (anyone signed in), create or
 * rotate it (admin; the key is in that one answer and never shown again), revoke it (admin). The
 * device need not be known yet: a CoAPS device cannot send before it has a key.
 */
public final class KeyApi {
    private final DeviceKeys keys;
    private final Clock clock;
    private final AuditApi audit;

    public KeyApi(DeviceKeys keys, Clock clock, AuditApi audit) {
        this.keys = keys;
        this.clock = clock;
        this.audit = audit;
    }

    public void register(RoutesConfig r) {
        r.get("/api/v1/devices/{id}/psk", ctx -> ctx.json(status(id(ctx))));
        r.post("/api/v1/devices/{id}/psk", this::rotate);
        r.delete("/api/v1/devices/{id}/psk", ctx -> {
            if (!keys.revoke(id(ctx))) throw ApiError.notFound("CoAPS key of device " + id(ctx));
            audit.record(ctx, AuditEvent.Action.KEY_REVOKED, id(ctx), "its DTLS sessions and MQTT connections ended");
            ctx.status(204);
        });
    }

    private static String id(Context ctx) {
        return Validate.deviceId("id", ctx.pathParam("id"));
    }

    private Map<String, Object> status(String id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deviceId", id);
        m.put("identity", id);
        Long created = keys.createdMillis(id).orElse(null);
        m.put("set", created != null);
        m.put("created", created);
        return m;
    }

    private void rotate(Context ctx) {
        String id = id(ctx);
        long now = clock.epochMillis();
        boolean had = keys.createdMillis(id).isPresent();
        byte[] key = keys.rotate(id, now);
        audit.record(ctx, AuditEvent.Action.KEY_ROTATED, id, had ? "the old key stopped working" : "its first key");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deviceId", id);
        m.put("identity", id);
        m.put("key", Base64.getEncoder().encodeToString(key));
        m.put("created", now);
        m.put("mqttUsername", id);
        m.put("note", "copy the key into the device's config now (gateway.psk for CoAPS, or gateway.username/password for MQTT,"
                + " the password being this base64 text): it is not shown again; a previous key stops working");
        ctx.header("Cache-Control", "no-store");
        ctx.status(201).json(m);
    }
}
