package dev.lichen.gateway.web.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.gateway.live.LiveBus;
import dev.lichen.gateway.live.LiveEvent;
import dev.lichen.gateway.store.AuditEvent;
import dev.lichen.gateway.store.Channel;
import dev.lichen.gateway.store.Device;
import dev.lichen.gateway.store.DeviceState;
import dev.lichen.gateway.store.Point;
import dev.lichen.gateway.store.Resolution;
import dev.lichen.gateway.store.Series;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.store.StoredReading;
import dev.lichen.gateway.web.ApiError;
import dev.lichen.gateway.web.Body;
import dev.lichen.gateway.web.Validate;
import dev.lichen.runtime.clock.Clock;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Devices (list, adopt, reject, rename), their channels, and readings by range and resolution. */
public final class DeviceApi {
    /** The longest range one request may ask for. */
    static final long MAX_RANGE = Duration.ofDays(400).toMillis();
    /** Raw points only for ranges up to a week; 1-minute buckets up to 92 days (keeps answers small). */
    static final long MAX_RAW_RANGE = Duration.ofDays(7).toMillis();
    static final long MAX_MINUTE_RANGE = Duration.ofDays(92).toMillis();
    static final int MAX_RAW_ROWS = 100_000;

    private final Store store;
    private final LiveBus bus;
    private final ObjectMapper json;
    private final Clock clock;
    private final AuditApi audit;

    private final dev.lichen.gateway.ingest.DeviceKeys keys;
    private final dev.lichen.gateway.ingest.DeviceIdentities identities;

    private final java.util.function.Function<String, java.util.Optional<dev.lichen.gateway.ingest.Protocol>> links;

    /** links says how each device's last pack came (the pipeline's {@code link}). */
    public DeviceApi(Store store, dev.lichen.gateway.ingest.DeviceKeys keys, dev.lichen.gateway.ingest.DeviceIdentities identities,
                     LiveBus bus, ObjectMapper json, Clock clock, AuditApi audit,
                     java.util.function.Function<String, java.util.Optional<dev.lichen.gateway.ingest.Protocol>> links) {
        this.links = links;
        this.identities = identities;
        this.keys = keys;
        this.audit = audit;
        this.store = store;
        this.bus = bus;
        this.json = json;
        this.clock = clock;
    }

    public void register(RoutesConfig r) {
        r.get("/api/v1/devices", this::list);
        r.get("/api/v1/devices/{id}", ctx -> ctx.json(view(device(ctx))));
        r.patch("/api/v1/devices/{id}", this::rename);
        r.delete("/api/v1/devices/{id}", this::delete);
        r.post("/api/v1/devices/{id}/adopt", this::adopt);
        r.post("/api/v1/devices/{id}/reject", this::reject);
        r.post("/api/v1/devices/{id}/key", this::pinKey);
        r.delete("/api/v1/devices/{id}/key", this::forgetKey);
        r.get("/api/v1/devices/{id}/channels", ctx -> {
            Device d = device(ctx);
            boolean adopted = d.state() == DeviceState.ADOPTED;
            ctx.json(store.channels(d.id()).stream().map(c -> Views.channel(c, adopted)).toList());
        });
        r.get("/api/v1/devices/{id}/readings", this::rawExport);
        // <channel> takes slashes: SenML names such as IPSO's "3303/0/5700" are channel names here
        r.get("/api/v1/devices/{id}/channels/<channel>/readings", this::series);
    }

    private void list(Context ctx) {
        String state = ctx.queryParam("state");
        DeviceState filter = state == null ? null : switch (state) {
            case "new" -> DeviceState.NEW;
            case "adopted" -> DeviceState.ADOPTED;
            case "rejected" -> DeviceState.REJECTED;
            default -> throw ApiError.bad("state", "state must be new, adopted or rejected");
        };
        List<Map<String, Object>> out = new ArrayList<>();
        for (Device d : store.devices()) {
            if (filter == null || d.state() == filter) {
                out.add(view(d));
            }
        }
        ctx.json(out);
    }

    private Device device(Context ctx) {
        String id = Validate.deviceId("id", ctx.pathParam("id"));
        return store.device(id).orElseThrow(() -> ApiError.notFound("device " + id));
    }

    private Device adopted(Context ctx) {
        Device d = device(ctx);
        if (d.state() != DeviceState.ADOPTED) {
            throw new ApiError(409, "id", "device " + d.id() + " is " + Views.wire(d.state())
                    + ": its readings are held until it is adopted");
        }
        return d;
    }

    private void adopt(Context ctx) {
        Device d = device(ctx);
        Body b = Body.parse(json, ctx.bodyAsBytes(), Set.of("name", "room", "fingerprint"));
        String name = Validate.label("name", b.text("name"));
        String room = Validate.label("room", b.text("room"));
        String fingerprint = fingerprint(b);
        if (d.state() == DeviceState.ADOPTED) {
            throw new ApiError(409, "id", "device " + d.id() + " is adopted already: rename it instead");
        }
        // the key the person compared is pinned first: a key that changed meanwhile adopts nothing
        java.util.Optional<dev.lichen.gateway.store.DevicePublicKey> pinned;
        try {
            pinned = identities.pin(d.id(), fingerprint, clock.epochMillis());
        } catch (IllegalStateException e) {
            throw new ApiError(409, "fingerprint", e.getMessage());
        }
        changed(ctx, store.adopt(d.id(), name, room));
        audit.record(ctx, AuditEvent.Action.DEVICE_ADOPTED, d.id(), "as '" + name + "' in '" + room + "'"
                + pinned.map(k -> ", public key " + k.fingerprint() + " pinned").orElse(""));
    }

    /** The fingerprint a person read off the device's console, when given; 400 when it cannot be one. */
    private static String fingerprint(Body b) {
        String fingerprint = b.text("fingerprint");
        if (fingerprint != null && !dev.lichen.runtime.identity.DeviceIdentity.FINGERPRINT.matcher(fingerprint).matches()) {
            throw ApiError.bad("fingerprint", "fingerprint must look like 7F3A-91C2-0B5E-44D1 (what the device prints on its console)");
        }
        return fingerprint;
    }

    /**
     * Pins the key an adopted device presents now: one adopted before it had a key of its own (an
     * older image, or a pre-shared key revoked since), or re-flashed after {@link #forgetKey}. The
     * fingerprint the person compared is required: there is no adoption step to have checked it.
     */
    private void pinKey(Context ctx) {
        Device d = adopted(ctx);
        String fingerprint = fingerprint(Body.parse(json, ctx.bodyAsBytes(), Set.of("fingerprint")));
        if (fingerprint == null) {
            throw ApiError.bad("fingerprint", "give the fingerprint the device prints on its console, e.g. 7F3A-91C2-0B5E-44D1");
        }
        if (keys.hasKey(d.id())) {
            throw new ApiError(409, "id", "device " + d.id() + " speaks with a pre-shared key: revoke it first, then the device"
                    + " presents its own key (coaps or mqtt over TLS with the gateway's CA and no psk or password)");
        }
        var k = identities.key(d.id()).orElseThrow(() -> new ApiError(409, "fingerprint", "device " + d.id()
                + " has presented no public key yet: let it send once with its own key, then compare the fingerprint"));
        if (k.pinned()) throw new ApiError(409, "fingerprint", "device " + d.id() + " has public key " + k.fingerprint()
                + " pinned already: forget it first if the device was reset");
        try {
            k = identities.pin(d.id(), fingerprint, clock.epochMillis()).orElseThrow();
        } catch (IllegalStateException e) {
            throw new ApiError(409, "fingerprint", e.getMessage());
        }
        audit.record(ctx, AuditEvent.Action.KEY_PINNED, d.id(), "public key " + k.fingerprint());
        changed(ctx, d);
    }

    /**
     * Forgets a device's public key and cuts it off at once (its DTLS sessions and MQTT connections
     * end); the device keeps its history, and the next key it presents can be pinned again.
     */
    private void forgetKey(Context ctx) {
        Device d = device(ctx);
        var k = identities.unpin(d.id()).orElseThrow(() -> ApiError.notFound("public key of device " + d.id()));
        audit.record(ctx, AuditEvent.Action.KEY_REVOKED, d.id(), "public key " + k.fingerprint() + " forgotten; its links ended");
        bus.publish(new LiveEvent.DeviceChanged(d));
        ctx.status(204);
    }

    private void reject(Context ctx) {
        Device d = device(ctx);
        var key = identities.unpin(d.id()); // and its DTLS sessions end
        changed(ctx, store.reject(d.id()));
        audit.record(ctx, AuditEvent.Action.DEVICE_REJECTED, d.id(), key.map(k -> "public key " + k.fingerprint() + " forgotten").orElse(null));
    }

    /** Renames or moves an adopted device: name and/or room. */
    private void rename(Context ctx) {
        Device d = adopted(ctx);
        Body b = Body.parse(json, ctx.bodyAsBytes(), Set.of("name", "room"));
        if (!b.has("name") && !b.has("room")) {
            throw ApiError.bad("name", "give name and/or room");
        }
        String name = b.has("name") ? Validate.label("name", b.text("name")) : d.name();
        String room = b.has("room") ? Validate.label("room", b.text("room")) : d.room();
        changed(ctx, store.adopt(d.id(), name, room));
    }

    private void delete(Context ctx) {
        Device d = device(ctx);
        keys.revoke(d.id()); // ends its DTLS sessions too; the store would only drop the row
        identities.unpin(d.id());
        store.deleteDevice(d.id());
        audit.record(ctx, AuditEvent.Action.DEVICE_REMOVED, d.id(), d.name() == null ? null : "was '" + d.name() + "'");
        ctx.status(204);
    }

    private void changed(Context ctx, Device d) {
        bus.publish(new LiveEvent.DeviceChanged(d)); // other open pages update at once
        ctx.json(view(d));
    }

    private Map<String, Object> view(Device d) {
        return Views.device(d, store.channels(d.id()), links.apply(d.id()), identities.key(d.id()));
    }

    /** A time range from the query: to defaults to now, from to 24 h before it. */
    record Range(long from, long to) {}

    Range range(Context ctx) {
        long to = Validate.time("to", ctx.queryParam("to"), clock.epochMillis());
        long from = Validate.time("from", ctx.queryParam("from"), to - Duration.ofDays(1).toMillis());
        if (from >= to) {
            throw ApiError.bad("from", "from must be before to");
        }
        if (to - from > MAX_RANGE) {
            throw ApiError.bad("from", "the range may span at most 400 days");
        }
        return new Range(from, to);
    }

    private static boolean csv(Context ctx) {
        String f = ctx.queryParam("format");
        if (f == null || f.equals("json")) {
            return false;
        }
        if (f.equals("csv")) {
            return true;
        }
        throw ApiError.bad("format", "format must be json or csv");
    }

    private void series(Context ctx) {
        Device d = adopted(ctx);
        String channel = Validate.channel("channel", ctx.pathParam("channel"));
        Channel ch = store.channels(d.id()).stream().filter(c -> c.name().equals(channel)).findFirst()
                .orElseThrow(() -> ApiError.notFound("channel " + channel + " of device " + d.id()));
        Range range = range(ctx);
        boolean csv = csv(ctx);
        Resolution res = resolution(ctx.queryParam("resolution"), range);
        Series s = store.series(d.id(), ch.name(), range.from(), range.to(), res);
        List<Point> pts = s.points();
        if (csv) {
            StringBuilder sb = new StringBuilder("time,time_ms,min,max,mean,count\n");
            for (Point p : pts) {
                sb.append(Instant.ofEpochMilli(p.timeMillis())).append(',').append(p.timeMillis()).append(',')
                        .append(p.min()).append(',').append(p.max()).append(',').append(p.mean()).append(',')
                        .append(p.count()).append('\n');
            }
            attachment(ctx, d.id() + "-" + ch.name() + "-" + Views.wire(s.resolution()) + ".csv");
            ctx.result(sb.toString());
            return;
        }
        // column arrays: exactly the data layout a chart (uPlot) takes
        long[] t = new long[pts.size()];
        double[] min = new double[pts.size()];
        double[] max = new double[pts.size()];
        double[] mean = new double[pts.size()];
        long[] count = new long[pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            Point p = pts.get(i);
            t[i] = p.timeMillis();
            min[i] = p.min();
            max[i] = p.max();
            mean[i] = p.mean();
            count[i] = p.count();
        }
        var m = new LinkedHashMap<String, Object>();
        m.put("deviceId", d.id());
        m.put("channel", ch.name());
        m.put("unit", ch.unit());
        m.put("resolution", Views.wire(s.resolution()));
        m.put("from", range.from());
        m.put("to", range.to());
        m.put("time", t);
        m.put("mean", mean);
        m.put("min", min);
        m.put("max", max);
        m.put("count", count);
        ctx.json(m);
    }

    /** auto picks by range; raw and 1m are refused for ranges too long to answer in one response. */
    static Resolution resolution(String q, Range range) {
        long span = range.to() - range.from();
        Resolution r = q == null || q.equals("auto") ? Resolution.forRange(range.from(), range.to()) : switch (q) {
            case "raw" -> Resolution.RAW;
            case "1m" -> Resolution.MINUTE;
            case "1h" -> Resolution.HOUR;
            default -> throw ApiError.bad("resolution", "resolution must be auto, raw, 1m or 1h");
        };
        if (r == Resolution.RAW && span > MAX_RAW_RANGE) {
            throw ApiError.bad("resolution", "raw readings only for ranges up to 7 days: use 1m or 1h");
        }
        if (r == Resolution.MINUTE && span > MAX_MINUTE_RANGE) {
            throw ApiError.bad("resolution", "1m buckets only for ranges up to 92 days: use 1h");
        }
        return r;
    }

    /** Every raw reading of a device in the range, all channels, as JSON or CSV. */
    private void rawExport(Context ctx) {
        Device d = adopted(ctx);
        Range range = range(ctx);
        if (range.to() - range.from() > Duration.ofDays(31).toMillis()) {
            throw ApiError.bad("from", "raw export covers at most 31 days: ask for a shorter range");
        }
        boolean csv = csv(ctx);
        List<Channel> channels = store.channels(d.id());
        List<StoredReading> rows = new ArrayList<>();
        for (Channel c : channels) {
            rows.addAll(store.readings(d.id(), c.name(), range.from(), range.to(), MAX_RAW_ROWS - rows.size()));
            if (rows.size() >= MAX_RAW_ROWS) {
                break;
            }
        }
        rows.sort((a, b) -> Long.compare(a.timeMillis(), b.timeMillis()));
        if (!csv) {
            ctx.json(rows.stream().map(Views::reading).toList());
            return;
        }
        Map<String, String> units = new LinkedHashMap<>();
        channels.forEach(c -> units.put(c.name(), c.unit()));
        StringBuilder sb = new StringBuilder("time,time_ms,channel,unit,value,text\n");
        for (StoredReading r : rows) {
            sb.append(Instant.ofEpochMilli(r.timeMillis())).append(',').append(r.timeMillis()).append(',')
                    .append(r.channel()).append(',').append(csvField(units.get(r.channel()))).append(',')
                    .append(r.value() == null ? "" : r.value()).append(',').append(csvField(r.text())).append('\n');
        }
        attachment(ctx, d.id() + "-readings.csv");
        ctx.result(sb.toString());
    }

    private static void attachment(Context ctx, String filename) {
        ctx.contentType("text/csv; charset=utf-8");
        ctx.header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
    }

    /** Quotes a CSV field, and defuses text a spreadsheet would run as a formula. */
    static String csvField(String s) {
        if (s == null) {
            return "";
        }
        String v = !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            return '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }
}
