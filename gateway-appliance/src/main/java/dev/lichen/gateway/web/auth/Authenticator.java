package dev.lichen.gateway.web.auth;

import dev.lichen.gateway.store.Role;
import dev.lichen.gateway.store.Session;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.store.User;
import dev.lichen.runtime.clock.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Accounts, sessions and API tokens over the gateway's {@link Store}.
 *
 * <p>A session cookie carries 256 random bits; the store keeps only their SHA-256, with the
 * session's CSRF token (synchronizer pattern). An API token is a machine account: a user named
 * {@code token:<name>} whose password field holds {@code sha256$<digest>} of the token's secret,
 * which the password verifier never accepts, so a token can't be used to log in and a person's
 * password can't be used as a token.
 */
public final class Authenticator {
    public static final Duration SESSION_LIFETIME = Duration.ofDays(30);
    public static final String TOKEN_USER_PREFIX = "token:";
    private static final String TOKEN_HASH_PREFIX = "sha256$";
    private static final String TOKEN_PREFIX = "lichen_";

    private final Store store;
    private final PasswordHasher hasher;
    private final LoginThrottle throttle;
    private final Clock clock;

    public Authenticator(Store store, PasswordHasher hasher, Clock clock) {
        this.store = store;
        this.hasher = hasher;
        this.throttle = new LoginThrottle(clock);
        this.clock = clock;
    }

    /** A successful login: the cookie value goes to the browser, the session's CSRF token to the page. */
    public record LoginOk(User user, String cookieValue, Session session) {}

    public sealed interface LoginResult {}

    public record Granted(LoginOk ok) implements LoginResult {}

    public record Throttled(long waitMillis) implements LoginResult {}

    public record Refused() implements LoginResult {}

    /** True while no person has an account: only then does first-run setup work. */
    public boolean setupNeeded() {
        return store.users().stream().noneMatch(u -> !isMachine(u));
    }

    /**
     * Creates the first admin and logs them in; empty when an account already exists (setup is
     * over). Synchronized so that two racing setup requests can't both create an admin.
     */
    public synchronized Optional<LoginOk> setup(String username, char[] password) {
        if (!setupNeeded()) {
            return Optional.empty();
        }
        User u = store.createUser(username, hasher.hash(password), Role.ADMIN, clock.epochMillis());
        return Optional.of(openSession(u));
    }

    public LoginResult login(String username, char[] password, String address) {
        long wait = throttle.waitMillis(username, address);
        if (wait > 0) {
            return new Throttled(wait);
        }
        Optional<User> user = username.startsWith(TOKEN_USER_PREFIX) ? Optional.empty() : store.user(username);
        boolean ok;
        if (user.isPresent()) {
            ok = hasher.verify(password, user.get().passwordHash());
        } else {
            hasher.verifyDummy(password); // same cost: timing does not tell which names exist
            ok = false;
        }
        if (!ok) {
            throttle.failed(username, address);
            return new Refused();
        }
        throttle.succeeded(username, address);
        return new Granted(openSession(user.get()));
    }

    private LoginOk openSession(User u) {
        String cookie = Secrets.random();
        long now = clock.epochMillis();
        Session s = new Session(Secrets.digest(cookie), u.id(), Secrets.random(), now,
                now + SESSION_LIFETIME.toMillis());
        store.saveSession(s);
        return new LoginOk(u, cookie, s);
    }

    /** The person behind a session cookie, if the session exists and has not expired. */
    public Optional<Principal> fromCookie(String cookieValue) {
        if (cookieValue == null || cookieValue.length() != 43) {
            return Optional.empty();
        }
        Optional<Session> s = store.session(Secrets.digest(cookieValue));
        if (s.isEmpty()) {
            return Optional.empty();
        }
        if (s.get().expiresMillis() <= clock.epochMillis()) {
            store.deleteSession(s.get().id());
            return Optional.empty();
        }
        return store.user(s.get().userId())
                .map(u -> new Principal(u.id(), u.username(), u.role(), s.get()));
    }

    /** The machine account behind {@code Authorization: Bearer lichen_<name>.<secret>}. */
    public Optional<Principal> fromToken(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 200) {
            return Optional.empty();
        }
        int dot = token.lastIndexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        String name = token.substring(TOKEN_PREFIX.length(), dot);
        String secret = token.substring(dot + 1);
        return store.user(TOKEN_USER_PREFIX + name)
                .filter(u -> Secrets.same(u.passwordHash(), TOKEN_HASH_PREFIX + Secrets.digest(secret)))
                .map(u -> new Principal(u.id(), u.username(), u.role(), null));
    }

    public void logout(Principal p) {
        if (p.session() != null) {
            store.deleteSession(p.session().id());
        }
    }

    /** A new API token; the returned string is shown once, only its digest is kept. */
    public record IssuedToken(User account, String token) {}

    public IssuedToken issueToken(String name, Role role) {
        String secret = Secrets.random();
        User u = store.createUser(TOKEN_USER_PREFIX + name, TOKEN_HASH_PREFIX + Secrets.digest(secret), role,
                clock.epochMillis());
        return new IssuedToken(u, TOKEN_PREFIX + name + "." + secret);
    }

    public User createUser(String username, char[] password, Role role) {
        return store.createUser(username, hasher.hash(password), role, clock.epochMillis());
    }

    public List<User> people() {
        return store.users().stream().filter(u -> !isMachine(u)).toList();
    }

    public List<User> tokens() {
        return store.users().stream().filter(Authenticator::isMachine).toList();
    }

    public static boolean isMachine(User u) {
        return u.username().startsWith(TOKEN_USER_PREFIX);
    }

    /** Deletes a person or token; refuses to remove the last admin person (the house would be locked out). */
    public synchronized boolean delete(long userId) {
        Optional<User> u = store.user(userId);
        if (u.isEmpty()) {
            return false;
        }
        if (!isMachine(u.get()) && u.get().role() == Role.ADMIN
                && people().stream().filter(p -> p.role() == Role.ADMIN).count() <= 1) {
            throw new IllegalStateException("the last admin can't be deleted: create another admin first");
        }
        return store.deleteUser(userId);
    }
}
