package dev.lichen.gateway.addons;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lichen.store.pkg.ManifestParser;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Map;

/**
 * {@code /addon-api/v1/...}: what an add-on process may ask of the gateway, with the bearer token
 * it was given at start. Everything is checked against the add-on's grant; outside it: 403.
 */
final class AddonApi {
    private final AddonHost host;

    AddonApi(AddonHost host) {
        this.host = host;
    }

    record AlertBody(@JsonProperty(required = true) String key, @JsonProperty(required = true) String message) {}

    record ReadingBody(@JsonProperty(required = true) String channel, @JsonProperty(required = true) String unit,
                       @JsonProperty(required = true) double value) {}

    void register(RoutesConfig r) {
        r.get("/addon-api/v1/channels", ctx -> run(ctx, (i, c) -> c.json(host.data().channels(i.grant()))));
        r.get("/addon-api/v1/readings", ctx -> run(ctx, this::readings));
        r.post("/addon-api/v1/alerts", ctx -> run(ctx, this::alert));
        r.post("/addon-api/v1/readings", ctx -> run(ctx, this::publish));
    }

    private void readings(Installed i, Context ctx) throws AddonApiException {
        String device = ctx.queryParam("device"), channel = ctx.queryParam("channel");
        if (device == null || channel == null) throw new AddonApiException(400, "give device and channel");
        long since = parseLong(ctx.queryParam("since"), 0);
        if (!host.data().may(i.grant(), device, channel)) {
            throw new AddonApiException(403, "add-on " + i.id() + " may not read " + channel + " of " + device
                    + " (granted: " + String.join("; ", i.grant().inPlainWords()) + ")");
        }
        ctx.json(host.data().readings(device, channel, since, System.currentTimeMillis() + 1));
    }

    private void alert(Installed i, Context ctx) throws AddonApiException {
        if (!i.grant().raiseAlerts()) throw new AddonApiException(403, "add-on " + i.id() + " was not granted 'May raise alerts'");
        var b = body(ctx, AlertBody.class);
        if (!b.key().matches("[a-z0-9][a-z0-9_-]{0,40}")) throw new AddonApiException(400, "alert key must match [a-z0-9][a-z0-9_-]{0,40}");
        if (b.message().isBlank() || b.message().length() > 300) throw new AddonApiException(400, "alert message must be 1-300 characters");
        host.data().raiseAlert(i.id(), host.manifest(i.id()).name(), b.key().replace('-', '_'), b.message());
        ctx.status(202).json(Map.of("raised", b.key()));
    }

    private void publish(Installed i, Context ctx) throws AddonApiException {
        if (!i.grant().publishReadings()) throw new AddonApiException(403, "add-on " + i.id() + " was not granted 'May publish derived readings'");
        var b = body(ctx, ReadingBody.class);
        if (!b.channel().matches("[a-z][a-z0-9_]{0,62}") || b.channel().startsWith("alert_")) {
            throw new AddonApiException(400, "channel must match [a-z][a-z0-9_]{0,62} and not start with alert_");
        }
        if (b.unit().length() > 16 || !Double.isFinite(b.value())) throw new AddonApiException(400, "unit up to 16 characters, value a finite number");
        host.data().publish(i.id(), b.channel(), b.unit(), b.value());
        ctx.status(202).json(Map.of("stored", b.channel()));
    }

    /** A JSON body read strictly (unknown fields refused). */
    static <T> T body(Context ctx, Class<T> type) throws AddonApiException {
        try {
            return ManifestParser.mapper().readValue(ctx.bodyAsBytes(), type);
        } catch (IOException e) {
            throw new AddonApiException(400, "bad JSON body: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    interface Handler {
        void handle(Installed addon, Context ctx) throws AddonApiException;
    }

    private void run(Context ctx, Handler h) {
        ctx.header("Cache-Control", "no-store");
        try {
            if (!host.ready()) throw new AddonApiException(503, "the add-on host is starting; retry");
            h.handle(authenticate(ctx), ctx);
        } catch (AddonApiException e) {
            ctx.status(e.status()).json(Map.of("error", e.getMessage()));
        }
    }

    /** The token names the add-on; compared in constant time against every installed add-on's. */
    private Installed authenticate(Context ctx) throws AddonApiException {
        String authz = ctx.header("Authorization");
        if (authz == null || !authz.regionMatches(true, 0, "Bearer ", 0, 7)) throw new AddonApiException(401, "send Authorization: Bearer <add-on token>");
        byte[] given = authz.substring(7).strip().getBytes();
        Installed found = null;
        for (Installed i : host.installed().values()) {
            if (MessageDigest.isEqual(given, i.token().getBytes())) found = i;
        }
        if (found == null || host.manifest(found.id()) == null) throw new AddonApiException(401, "unknown add-on token");
        return found;
    }

    private static long parseLong(String s, long dflt) throws AddonApiException {
        if (s == null) return dflt;
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new AddonApiException(400, "since must be epoch milliseconds");
        }
    }
}
