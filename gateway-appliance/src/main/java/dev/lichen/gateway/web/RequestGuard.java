package dev.lichen.gateway.web;

import dev.lichen.gateway.store.Role;
import dev.lichen.gateway.web.auth.Authenticator;
import dev.lichen.gateway.web.auth.Principal;
import dev.lichen.gateway.web.auth.Secrets;
import io.javalin.http.Context;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Deny by default: every route the router resolves needs a session or token, unless the one
 * table {@link #open} names it. The check runs on the route's template as the router matched it
 * (through Javalin's handler wrapper), so no spelling of a path (trailing slash, case, %-encoding,
 * {@code //}, {@code ;}) reaches a handler unchecked. For every state change: the origin check,
 * the CSRF token of a cookie session, and the role (viewers change nothing: 403).
 */
public final class RequestGuard {
    public static final String SESSION_COOKIE = "lichen_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    static final String PRINCIPAL = "lichen.principal";

    /** No inline script or style anywhere; the page can only talk to its own origin. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; manifest-src 'self'; frame-ancestors 'none'; "
            + "base-uri 'none'; form-action 'self'";

    /** How a route that needs no session is open. */
    public enum Open {
        /** Anyone: setup, login, liveness, the API description, static assets. */
        PUBLIC,
        /** The handler authenticates by itself (an add-on's bearer token, an add-on's own public paths). */
        SELF_CHECKED
    }

    /** The gateway's own open routes, as "METHOD template"; extensions add theirs (WebExtension.openRoutes). */
    static final Map<String, Open> CORE_OPEN = Map.of(
            "GET /api/v1/setup", Open.PUBLIC,
            "POST /api/v1/setup", Open.PUBLIC,
            "POST /api/v1/session", Open.PUBLIC,
            "GET /api/v1/health", Open.PUBLIC,
            "GET /api/v1/openapi.json", Open.PUBLIC,
            "GET /vendor/{file}", Open.PUBLIC,
            // the CA certificate is public by nature: a browser asks to trust it before anyone logs in
            "GET /ca.crt", Open.PUBLIC);
    /** The one state change a viewer may make: logging out. */
    private static final String LOGOUT = "DELETE /api/v1/session";

    private final Authenticator auth;
    private final Map<String, Open> open;

    public RequestGuard(Authenticator auth, Map<String, Open> open) {
        this.auth = auth;
        this.open = Map.copyOf(open);
    }

    /** The routes that need no session: the whole list, for the test that walks every route. */
    public Map<String, Open> open() {
        return open;
    }

    /**
     * A HEAD request for a GET route, which the router answers without running the handler: a
     * route that checks its caller itself can't, so it is not served by HEAD.
     */
    public void checkHead(Context ctx, String route) {
        if (open.get(route) == Open.SELF_CHECKED) {
            throw new ApiError(405, null, "HEAD is not served here: send GET");
        }
        check(ctx, route);
    }

    /** Runs before the handler of {@code route} ("METHOD template", as the router matched it). */
    public void check(Context ctx, String route) {
        ctx.header("Cache-Control", "no-store");
        String method = ctx.method().name();
        Optional<Principal> who = identify(ctx);
        who.ifPresent(p -> ctx.attribute(PRINCIPAL, p));
        Open how = open.get(route);
        if (how == Open.SELF_CHECKED) {
            return;
        }
        boolean changes = !(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
        if (changes && !sameOrigin(ctx)) {
            throw new ApiError(403, null, "cross-origin request refused");
        }
        if (who.isEmpty()) {
            if (how == Open.PUBLIC) {
                if (changes && !isJson(ctx)) {
                    // a cross-site form can't send JSON without a CORS preflight, which is never granted
                    throw new ApiError(415, null, "send the body as application/json");
                }
                return;
            }
            throw new ApiError(401, null, "log in first (session cookie) or send Authorization: Bearer <token>");
        }
        if (!changes) {
            return;
        }
        Principal p = who.get();
        if (!p.viaToken() && !Secrets.same(ctx.header(CSRF_HEADER), p.session().csrfToken())) {
            throw new ApiError(403, null, "missing or wrong " + CSRF_HEADER + " header: reload the page");
        }
        if (p.role() != Role.ADMIN && !route.equals(LOGOUT)) {
            throw new ApiError(403, null, "viewers can't change anything: ask an admin");
        }
    }

    private Optional<Principal> identify(Context ctx) {
        String authz = ctx.header("Authorization");
        if (authz != null) {
            if (!authz.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Optional.empty();
            }
            return auth.fromToken(authz.substring(7).strip());
        }
        return auth.fromCookie(ctx.cookie(SESSION_COOKIE));
    }

    /** The caller of a handler behind this guard (present on every non-public API route). */
    public static Principal principal(Context ctx) {
        Principal p = ctx.attribute(PRINCIPAL);
        if (p == null) {
            throw new ApiError(401, null, "log in first");
        }
        return p;
    }

    public static Optional<Principal> maybePrincipal(Context ctx) {
        return Optional.ofNullable(ctx.attribute(PRINCIPAL));
    }

    public static void requireAdmin(Context ctx) {
        if (!principal(ctx).isAdmin()) {
            throw new ApiError(403, null, "only an admin may see this");
        }
    }

    /**
     * A browser always sends Origin on a cross-origin state change, and Sec-Fetch-Site when it
     * supports it; either naming another site is refused. Clients that send neither (curl, a
     * machine client) are not browsers and can't be driven by another site.
     */
    public static boolean sameOrigin(Context ctx) {
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && site.equals("cross-site")) {
            return false;
        }
        String origin = ctx.header("Origin");
        if (origin == null) {
            return true;
        }
        String host = Optional.ofNullable(ctx.header("X-Forwarded-Host")).orElse(ctx.header("Host"));
        try {
            URI o = URI.create(origin);
            String authority = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
            return host != null && o.getHost() != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isJson(Context ctx) {
        String ct = ctx.header("Content-Type");
        return ct != null && ct.toLowerCase(Locale.ROOT).startsWith("application/json");
    }

    /** Before every request, matched or not (static files too). */
    static void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        ctx.header("Cross-Origin-Resource-Policy", "same-origin");
        ctx.header("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        // HSTS binds a host name on every port for a year: not for localhost, where the person's
        // other local servers live (browsers ignore it for IP addresses anyway, RFC 6797 8.1)
        if (ctx.req().isSecure() && !isLocalhost(ctx.header("Host"))) ctx.header("Strict-Transport-Security", "max-age=31536000");
    }

    static boolean isLocalhost(String hostHeader) {
        if (hostHeader == null) return false;
        String h = hostHeader.trim().toLowerCase(java.util.Locale.ROOT);
        int colon = h.startsWith("[") ? -1 : h.lastIndexOf(':');
        if (colon >= 0) h = h.substring(0, colon);
        return h.equals("localhost") || h.endsWith(".localhost");
    }

    public static void startSession(Context ctx, Authenticator.LoginOk ok) {
        setSessionCookie(ctx, ok.cookieValue(), Authenticator.SESSION_LIFETIME.toSeconds());
    }

    public static void endSession(Context ctx) {
        setSessionCookie(ctx, "", 0);
    }

    /** The session cookie: HttpOnly, SameSite=Strict, Secure when the browser reached us over https. */
    static void setSessionCookie(Context ctx, String value, long maxAgeSeconds) {
        boolean https = ctx.scheme().equals("https")
                || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
        ctx.header("Set-Cookie", SESSION_COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Strict" + (https ? "; Secure" : ""));
    }
}
