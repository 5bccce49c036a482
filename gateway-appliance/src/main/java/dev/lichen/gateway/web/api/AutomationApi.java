package dev.lichen.gateway.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.gateway.automations.Automation;
import dev.lichen.gateway.automations.AutomationEngine;
import dev.lichen.gateway.automations.AutomationJson;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.web.ApiError;
import dev.lichen.gateway.web.Validate;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Automations: the list with when each last ran and why (anyone signed in), making, changing,
 * enabling/disabling (a PUT of the whole definition) and deleting them (admins; the guard gives a
 * viewer 403), and each one's runs.
 */
public final class AutomationApi {
    static final int MAX_RUNS = 200;
    private final AutomationEngine engine;
    private final Store store;
    private final ObjectMapper json;

    public AutomationApi(AutomationEngine engine, Store store, ObjectMapper json) {
        this.engine = engine;
        this.store = store;
        this.json = json;
    }

    public void register(RoutesConfig r) {
        r.get("/api/v1/automations", ctx -> ctx.json(engine.list().stream().map(AutomationEngine::view).toList()));
        r.post("/api/v1/automations", ctx -> {
            Automation a = definition(ctx);
            try {
                ctx.status(201).json(AutomationEngine.view(engine.create(a)));
            } catch (AutomationJson.InvalidAutomation e) {
                throw ApiError.bad(e.field(), e.getMessage());
            }
        });
        r.get("/api/v1/automations/{id}", ctx -> ctx.json(AutomationEngine.view(engine.get(id(ctx))
                .orElseThrow(() -> ApiError.notFound("automation " + ctx.pathParam("id"))))));
        r.put("/api/v1/automations/{id}", ctx -> {
            long id = id(ctx);
            Automation a = definition(ctx);
            try {
                ctx.json(AutomationEngine.view(engine.update(id, a).orElseThrow(() -> ApiError.notFound("automation " + id))));
            } catch (AutomationJson.InvalidAutomation e) {
                throw ApiError.bad(e.field(), e.getMessage());
            }
        });
        r.delete("/api/v1/automations/{id}", ctx -> {
            if (!engine.delete(id(ctx))) throw ApiError.notFound("automation " + ctx.pathParam("id"));
            ctx.status(204);
        });
        r.get("/api/v1/automations/{id}/runs", ctx -> {
            long id = id(ctx);
            if (engine.get(id).isEmpty()) throw ApiError.notFound("automation " + id);
            int limit = (int) Validate.range("limit", ctx.queryParam("limit") == null ? 50
                    : Validate.id("limit", ctx.queryParam("limit")), 1, MAX_RUNS);
            ctx.json(store.automationRuns(id, limit).stream().map(run -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("at", run.atMillis());
                m.put("event", run.event());
                m.put("kind", kind(run.event()));
                m.put("reason", run.reason());
                return m;
            }).toList());
        });
    }

    /** What set a run off, from its event's key. */
    static String kind(String event) {
        return switch (event.isEmpty() ? ' ' : event.charAt(0)) {
            case 'r' -> "reading";
            case 'h' -> "reading held";
            case 't' -> "time";
            case 'o' -> "offline";
            case 'v' -> "set back";
            case 'x' -> "run by another automation";
            default -> "other";
        };
    }

    private static long id(Context ctx) {
        return Validate.id("id", ctx.pathParam("id"));
    }

    private Automation definition(Context ctx) {
        JsonNode n;
        try {
            n = json.readTree(ctx.bodyAsBytes());
        } catch (java.io.IOException e) {
            throw ApiError.bad(null, "the body is not valid JSON");
        }
        try {
            return AutomationJson.parse(n);
        } catch (AutomationJson.InvalidAutomation e) {
            throw ApiError.bad(e.field(), e.getMessage());
        }
    }
}
