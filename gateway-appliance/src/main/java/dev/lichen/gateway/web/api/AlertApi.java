package dev.lichen.gateway.web.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.gateway.alerts.AlertEngine;
import dev.lichen.gateway.store.Alert;
import dev.lichen.gateway.store.AlertRule;
import dev.lichen.gateway.store.Op;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.web.ApiError;
import dev.lichen.gateway.web.Body;
import dev.lichen.gateway.web.RequestGuard;
import dev.lichen.gateway.web.Validate;
import dev.lichen.runtime.clock.Clock;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Threshold rules with a duration, and the alerts they raise (acknowledge, clear). */
public final class AlertApi {
    static final long MAX_DURATION = Duration.ofDays(7).toSeconds();

    private final Store store;
    private final AlertEngine engine;
    private final ObjectMapper json;
    private final Clock clock;

    /** Rule and alert changes go through the engine, which keeps its view current and publishes them live. */
    public AlertApi(Store store, AlertEngine engine, ObjectMapper json, Clock clock) {
        this.store = store;
        this.engine = engine;
        this.json = json;
        this.clock = clock;
    }

    public void register(RoutesConfig r) {
        r.get("/api/v1/rules", ctx -> ctx.json(store.rules().stream().map(Views::rule).toList()));
        r.post("/api/v1/rules", this::create);
        r.get("/api/v1/rules/{id}", ctx -> ctx.json(Views.rule(rule(ctx))));
        r.put("/api/v1/rules/{id}", this::update);
        r.delete("/api/v1/rules/{id}", ctx -> {
            engine.deleteRule(rule(ctx).id());
            ctx.status(204);
        });
        r.get("/api/v1/alerts", this::list);
        r.post("/api/v1/alerts/{id}/acknowledge", ctx -> {
            Alert a = alert(ctx);
            String by = RequestGuard.principal(ctx).name();
            answer(ctx, engine.acknowledge(a.id(), by, clock.epochMillis()));
        });
        r.post("/api/v1/alerts/{id}/clear", ctx -> answer(ctx, engine.clear(alert(ctx).id(), clock.epochMillis())));
    }

    private void create(Context ctx) {
        AlertRule saved = engine.createRule(parse(ctx, 0));
        ctx.status(201).json(Views.rule(saved));
    }

    /** Replaces a rule's fields (the same body as create). */
    private void update(Context ctx) {
        long id = rule(ctx).id();
        AlertRule saved = engine.updateRule(parse(ctx, id)).orElseThrow(() -> ApiError.notFound("rule " + id));
        ctx.json(Views.rule(saved));
    }

    private AlertRule parse(Context ctx, long id) {
        Body b = Body.parse(json, ctx.bodyAsBytes(),
                Set.of("name", "deviceId", "channel", "op", "threshold", "durationSeconds", "enabled"));
        String name = Validate.label("name", b.text("name"));
        String device = Validate.deviceId("deviceId", b.text("deviceId"));
        String channel = Validate.channel("channel", b.text("channel"));
        if (store.device(device).isEmpty()) {
            throw ApiError.bad("deviceId", "no device " + device);
        }
        if (store.channels(device).stream().noneMatch(c -> c.name().equals(channel))) {
            throw ApiError.bad("channel", "device " + device + " has no channel " + channel);
        }
        String opText = b.text("op");
        Op op;
        try {
            op = Op.parse(opText == null ? "" : opText);
        } catch (IllegalArgumentException e) {
            throw ApiError.bad("op", "op must be <, <=, > or >=");
        }
        double threshold = b.number("threshold");
        long duration = Validate.range("durationSeconds", b.integer("durationSeconds", 0), 0, MAX_DURATION);
        boolean enabled = b.bool("enabled", true);
        return new AlertRule(id, name, device, channel, op, threshold, duration, enabled);
    }

    private AlertRule rule(Context ctx) {
        long id = Validate.id("id", ctx.pathParam("id"));
        return store.rule(id).orElseThrow(() -> ApiError.notFound("rule " + id));
    }

    private Alert alert(Context ctx) {
        long id = Validate.id("id", ctx.pathParam("id"));
        return store.alert(id).orElseThrow(() -> ApiError.notFound("alert " + id));
    }

    private void list(Context ctx) {
        String active = ctx.queryParam("active");
        if (active != null && !active.equals("true") && !active.equals("false")) {
            throw ApiError.bad("active", "active must be true or false");
        }
        ctx.json(store.alerts("true".equals(active)).stream().map(this::view).toList());
    }

    private void answer(Context ctx, Optional<Alert> a) {
        ctx.json(view(a.orElseThrow(() -> ApiError.notFound("alert"))));
    }

    Map<String, Object> view(Alert a) {
        return Views.alert(a, store.rule(a.ruleId()).map(AlertRule::name).orElse(null));
    }
}
