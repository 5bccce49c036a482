package dev.lichen.gateway.web.api;

import dev.lichen.gateway.store.AuditEvent;
import dev.lichen.gateway.store.AuditEvent.Action;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.web.ApiError;
import dev.lichen.gateway.web.RequestGuard;
import dev.lichen.runtime.clock.Clock;
import io.javalin.config.RoutesConfig;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The audit trail: the APIs that adopt, reject and remove devices, rotate and revoke keys, log
 * people in and manage accounts record here who did it, when and from where; admins read it on
 * the Security page ({@code GET /api/v1/audit?before=<id>&limit=<n>}, newest first).
 */
public final class AuditApi {
    static final int MAX_LIMIT = 500;

    private final Store store;
    private final Clock clock;
    private final Cache<String, Boolean> recentFailures = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(1)).build();

    public AuditApi(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public void register(RoutesConfig r) {
        r.get("/api/v1/audit", this::trail);
    }

    /** Records what the signed-in person (or token) did. */
    void record(Context ctx, Action action, String subject, String detail) {
        record(ctx, RequestGuard.principal(ctx).name(), action, subject, detail);
    }

    /**
     * Records an event whose actor is not signed in (a login, the first-run setup). Failed logins
     * from one address are recorded once a minute per name at most, so that a script hammering the
     * login page fills neither the trail nor the card; every attempt is still in
     * {@code lichen_logins_total}.
     */
    void record(Context ctx, String actor, Action action, String subject, String detail) {
        String address = ctx.ip();
        if (action == Action.LOGIN_REFUSED || action == Action.LOGIN_THROTTLED) {
            if (recentFailures.asMap().putIfAbsent(action + " " + address + " " + actor, Boolean.TRUE) != null) return;
        }
        store.audit(new AuditEvent(0, clock.epochMillis(), actor, address, action, subject, detail));
    }

    private void trail(Context ctx) {
        RequestGuard.requireAdmin(ctx);
        long before = parse(ctx, "before", Long.MAX_VALUE, 1, Long.MAX_VALUE);
        int limit = (int) parse(ctx, "limit", 100, 1, MAX_LIMIT);
        List<Map<String, Object>> out = store.auditTrail(before, limit).stream().map(Views::audit).toList();
        ctx.json(out);
    }

    private static long parse(Context ctx, String name, long dflt, long min, long max) {
        String v = ctx.queryParam(name);
        if (v == null) return dflt;
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        throw ApiError.bad(name, name + " must be a whole number within " + min + ".." + max);
    }
}
