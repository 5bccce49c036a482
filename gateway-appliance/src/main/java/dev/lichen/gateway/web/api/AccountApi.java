package dev.lichen.gateway.web.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.gateway.metrics.Metrics;
import dev.lichen.gateway.store.Role;
import dev.lichen.gateway.store.User;
import dev.lichen.gateway.store.AuditEvent;
import dev.lichen.gateway.web.ApiError;
import dev.lichen.gateway.web.Body;
import dev.lichen.gateway.web.RequestGuard;
import dev.lichen.gateway.web.Validate;
import dev.lichen.gateway.web.auth.Authenticator;
import dev.lichen.gateway.web.auth.Authenticator.LoginOk;
import dev.lichen.gateway.web.auth.Principal;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/** First-run setup, login/logout, people's accounts and machine clients' API tokens. */
public final class AccountApi {
    private final Authenticator auth;
    private final ObjectMapper json;
    private final Metrics.Counter logins;
    private final LiveApi live;
    private final AuditApi audit;

    private final String caFingerprint;
    private final boolean https;

    /**
     * caFingerprint and https are shown on the first-run page, so that the person setting up can
     * check that the certificate their browser was given is the gateway's own.
     */
    public AccountApi(Authenticator auth, ObjectMapper json, Metrics metrics, LiveApi live, AuditApi audit,
                      String caFingerprint, boolean https) {
        this.caFingerprint = caFingerprint;
        this.https = https;
        this.auth = auth;
        this.audit = audit;
        this.json = json;
        this.live = live;
        this.logins = metrics.counter("lichen_web_logins_total", "Login attempts by outcome (ok, refused, throttled)", "outcome");
    }

    public void register(RoutesConfig r) {
        r.get("/api/v1/setup", ctx -> ctx.json(Map.of("needed", auth.setupNeeded(), "caFingerprint", caFingerprint, "https", https)));
        r.post("/api/v1/setup", this::setup);
        r.get("/api/v1/session", this::current);
        r.post("/api/v1/session", this::login);
        r.delete("/api/v1/session", this::logout);
        r.get("/api/v1/users", ctx -> {
            RequestGuard.requireAdmin(ctx);
            ctx.json(auth.people().stream().map(Views::user).toList());
        });
        r.post("/api/v1/users", this::createUser);
        r.delete("/api/v1/users/{id}", ctx -> delete(ctx, false));
        r.get("/api/v1/tokens", ctx -> {
            RequestGuard.requireAdmin(ctx);
            ctx.json(auth.tokens().stream().map(Views::user).toList());
        });
        r.post("/api/v1/tokens", this::createToken);
        r.delete("/api/v1/tokens/{id}", ctx -> delete(ctx, true));
    }

    private void setup(Context ctx) {
        Body b = Body.parse(json, ctx.bodyAsBytes(), Set.of("username", "password"));
        String name = Validate.username("username", b.text("username"));
        char[] pw = Validate.password("password", b.text("password"));
        try {
            LoginOk ok = auth.setup(name, pw).orElseThrow(
                    () -> new ApiError(409, null, "setup is done: an account exists already; log in instead"));
            RequestGuard.startSession(ctx, ok);
            audit.record(ctx, name, AuditEvent.Action.SETUP, name, "the first admin account");
            ctx.status(201).json(session(ok.user().username(), ok.user().role(), ok.session().csrfToken()));
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    private void login(Context ctx) {
        Body b = Body.parse(json, ctx.bodyAsBytes(), Set.of("username", "password"));
        String name = b.text("username");
        String pwText = b.text("password");
        if (name == null || name.isEmpty() || name.length() > 64) {
            throw ApiError.bad("username", "username is required (at most 64 characters)");
        }
        if (pwText == null || pwText.isEmpty() || pwText.length() > Validate.MAX_PASSWORD) {
            throw ApiError.bad("password", "password is required (at most " + Validate.MAX_PASSWORD + " characters)");
        }
        char[] pw = pwText.toCharArray();
        try {
            switch (auth.login(name, pw, ctx.ip())) {
                case Authenticator.Granted g -> {
                    logins.inc("ok");
                    audit.record(ctx, name, AuditEvent.Action.LOGIN, name, null);
                    RequestGuard.startSession(ctx, g.ok());
                    ctx.json(session(g.ok().user().username(), g.ok().user().role(), g.ok().session().csrfToken()));
                }
                case Authenticator.Throttled t -> {
                    logins.inc("throttled");
                    long s = Math.max(1, (t.waitMillis() + 999) / 1000);
                    audit.record(ctx, name, AuditEvent.Action.LOGIN_THROTTLED, name, "asked to wait " + s + " s");
                    ctx.header("Retry-After", Long.toString(s));
                    throw new ApiError(429, null, "too many failed logins: wait " + s + " s and try again");
                }
                case Authenticator.Refused x -> {
                    logins.inc("refused");
                    audit.record(ctx, name, AuditEvent.Action.LOGIN_REFUSED, name, "wrong username or password");
                    throw new ApiError(401, null, "wrong username or password");
                }
            }
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    private void current(Context ctx) {
        Principal p = RequestGuard.principal(ctx);
        ctx.json(session(p.name(), p.role(), p.session() == null ? null : p.session().csrfToken()));
    }

    private void logout(Context ctx) {
        Principal p = RequestGuard.principal(ctx);
        auth.logout(p);
        audit.record(ctx, AuditEvent.Action.LOGOUT, p.name(), null);
        if (p.session() != null) {
            live.disconnect(x -> x.session() != null && x.session().id().equals(p.session().id()));
        }
        RequestGuard.endSession(ctx);
        ctx.status(204);
    }

    private void createUser(Context ctx) {
        Body b = Body.parse(json, ctx.bodyAsBytes(), Set.of("username", "password", "role"));
        String name = Validate.username("username", b.text("username"));
        char[] pw = Validate.password("password", b.text("password"));
        Role role = role(b.text("role"));
        if (auth.people().stream().anyMatch(x -> x.username().equals(name))) {
            throw new ApiError(409, "username", "username '" + name + "' is taken");
        }
        User u = auth.createUser(name, pw, role);
        Arrays.fill(pw, '\0');
        audit.record(ctx, AuditEvent.Action.USER_CREATED, name, "role " + role.name().toLowerCase(java.util.Locale.ROOT));
        ctx.status(201).json(Views.user(u));
    }

    private void createToken(Context ctx) {
        Body b = Body.parse(json, ctx.bodyAsBytes(), Set.of("name", "role"));
        String name = Validate.matches("name", b.text("name"), Validate.TOKEN_NAME,
                "lower-case letters, digits, _ and -, at most 32");
        Role role = role(b.text("role"));
        if (auth.tokens().stream().anyMatch(x -> x.username().equals(Authenticator.TOKEN_USER_PREFIX + name))) {
            throw new ApiError(409, "name", "a token named '" + name + "' exists");
        }
        var issued = auth.issueToken(name, role);
        audit.record(ctx, AuditEvent.Action.TOKEN_CREATED, name, "role " + role.name().toLowerCase(java.util.Locale.ROOT));
        var view = new java.util.LinkedHashMap<>(Views.user(issued.account()));
        view.put("token", issued.token()); // shown once; only its digest is stored
        ctx.status(201).json(view);
    }

    private void delete(Context ctx, boolean token) {
        long id = Validate.id("id", ctx.pathParam("id"));
        User u = auth.people().stream().filter(x -> x.id() == id).findFirst()
                .or(() -> auth.tokens().stream().filter(x -> x.id() == id).findFirst())
                .filter(x -> Authenticator.isMachine(x) == token)
                .orElseThrow(() -> ApiError.notFound(token ? "token " + id : "user " + id));
        try {
            auth.delete(u.id());
        } catch (IllegalStateException e) {
            throw new ApiError(409, "id", e.getMessage());
        }
        live.disconnect(x -> x.userId() == u.id()); // a revoked account sees no more live data
        audit.record(ctx, token ? AuditEvent.Action.TOKEN_REVOKED : AuditEvent.Action.USER_DELETED,
                token ? u.username().substring(Authenticator.TOKEN_USER_PREFIX.length()) : u.username(), null);
        ctx.status(204);
    }

    private static Role role(String s) {
        if (s == null) {
            throw ApiError.bad("role", "role is required: admin or viewer");
        }
        return switch (s) {
            case "admin" -> Role.ADMIN;
            case "viewer" -> Role.VIEWER;
            default -> throw ApiError.bad("role", "role must be admin or viewer");
        };
    }

    private static Map<String, Object> session(String user, Role role, String csrf) {
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("username", user);
        m.put("role", Views.wire(role));
        m.put("csrfToken", csrf);
        return m;
    }
}
