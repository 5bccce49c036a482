package dev.lichen.gateway.web.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.gateway.commands.Commands;
import dev.lichen.gateway.store.Channel;
import dev.lichen.gateway.store.DeviceOutput;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.store.StoredCommand;
import dev.lichen.gateway.web.ApiError;
import dev.lichen.gateway.web.Body;
import dev.lichen.gateway.web.RequestGuard;
import dev.lichen.gateway.web.Validate;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A device's outputs and the commands that set them: the outputs with their confirmed state (the
 * last state reading) and the newest command (anyone signed in); setting one (admins: a viewer
 * gets 403 from the guard), answered 202 with the command while it is pending, whose later states
 * follow on the live stream ("command" events) and at {@code GET /api/v1/commands/{id}}.
 */
public final class CommandApi {
    private static final Set<String> SET_FIELDS = Set.of("on", "level");
    static final int MAX_HISTORY = 200;

    private final Store store;
    private final Commands commands;
    private final ObjectMapper json;
    private final AuditApi audit;

    public CommandApi(Store store, Commands commands, ObjectMapper json, AuditApi audit) {
        this.audit = audit;
        this.store = store;
        this.commands = commands;
        this.json = json;
    }

    public void register(RoutesConfig r) {
        r.get("/api/v1/devices/{id}/outputs", ctx -> ctx.json(outputs(device(ctx))));
        r.post("/api/v1/devices/{id}/outputs/{output}", this::set);
        r.post("/api/v1/devices/{id}/key/rotate", ctx -> {
            String id = device(ctx);
            try {
                StoredCommand c = commands.rotateKey(id, RequestGuard.principal(ctx).name());
                audit.record(ctx, dev.lichen.gateway.store.AuditEvent.Action.KEY_ROTATED, id,
                        "the device makes a new key pair and tells it over its current link; the old key stops at the new one's first pack");
                ctx.status(202).json(Views.command(c));
            } catch (Commands.CommandException e) {
                throw new ApiError(e.kind() == Commands.CommandException.Kind.NO_DEVICE ? 404 : 409, null, e.getMessage());
            }
        });
        r.get("/api/v1/devices/{id}/commands", ctx -> {
            String id = device(ctx);
            int limit = (int) Validate.range("limit", ctx.queryParam("limit") == null ? 50
                    : Validate.id("limit", ctx.queryParam("limit")), 1, MAX_HISTORY);
            ctx.json(commands.recent(id, limit).stream().map(Views::command).toList());
        });
        r.get("/api/v1/commands/{cid}", ctx -> ctx.json(Views.command(commands.command(Validate.id("cid", ctx.pathParam("cid")))
                .orElseThrow(() -> ApiError.notFound("command " + ctx.pathParam("cid"))))));
    }

    private String device(Context ctx) {
        String id = Validate.deviceId("id", ctx.pathParam("id"));
        if (store.device(id).isEmpty()) throw ApiError.notFound("device " + id);
        return id;
    }

    private List<Map<String, Object>> outputs(String deviceId) {
        Map<String, Channel> channels = new LinkedHashMap<>();
        for (Channel c : store.channels(deviceId)) channels.put(c.name(), c);
        Map<String, StoredCommand> newest = new LinkedHashMap<>();
        for (StoredCommand c : commands.recent(deviceId, MAX_HISTORY)) newest.putIfAbsent(c.output(), c);
        List<Map<String, Object>> out = new ArrayList<>();
        for (DeviceOutput o : commands.outputs(deviceId)) {
            Map<String, Object> m = Views.output(o);
            Channel state = channels.get(o.name());
            m.put("state", state == null ? null : Views.channel(state, true));
            StoredCommand last = newest.get(o.name());
            m.put("lastCommand", last == null ? null : Views.command(last));
            out.add(m);
        }
        return out;
    }

    private void set(Context ctx) {
        String id = device(ctx);
        String output = Validate.channel("output", ctx.pathParam("output"));
        Body b = Body.parse(json, ctx.bodyAsBytes(), SET_FIELDS);
        Boolean on = b.has("on") ? b.bool("on", false) : null;
        Double level = b.has("level") ? b.number("level") : null;
        try {
            StoredCommand c = commands.send(id, output, on, level, RequestGuard.principal(ctx).name());
            ctx.status(202).json(Views.command(c));
        } catch (Commands.CommandException e) {
            throw switch (e.kind()) {
                case NO_DEVICE, NO_OUTPUT -> new ApiError(404, null, e.getMessage());
                case NOT_ADOPTED, TOO_MANY -> new ApiError(409, null, e.getMessage());
                case BAD_VALUE -> ApiError.bad(on != null || level == null ? "on" : "level", e.getMessage());
            };
        }
    }
}
