package dev.lichen.gateway.web.auth;

import dev.lichen.runtime.clock.Clock;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exponential back-off after failed logins, kept per account and per client address: after
 * {@link #FREE_ATTEMPTS} failures the next try waits 1 s, and each further failure doubles it (2 s,
 * 4 s ... up to {@link #MAX_WAIT_MILLIS}). A success clears the account's and address's record.
 * Bounded: the oldest entries go first when many addresses try.
 */
public final class LoginThrottle {
    public static final int FREE_ATTEMPTS = 5;
    public static final long MAX_WAIT_MILLIS = 15 * 60_000L;
    private static final int MAX_ENTRIES = 10_000;

    private record Failures(int count, long lockedUntil) {}

    private final Clock clock;
    private final Map<String, Failures> failures = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> e) {
            return size() > MAX_ENTRIES;
        }
    };

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** Milliseconds the caller must still wait before trying again; 0 when it may try now. */
    public synchronized long waitMillis(String account, String address) {
        long now = clock.epochMillis();
        long until = Math.max(lockedUntil(key("a", account)), lockedUntil(key("ip", address)));
        return Math.max(0, until - now);
    }

    public synchronized void failed(String account, String address) {
        bump(key("a", account));
        bump(key("ip", address));
    }

    public synchronized void succeeded(String account, String address) {
        failures.remove(key("a", account));
        failures.remove(key("ip", address));
    }

    private void bump(String key) {
        Failures f = failures.get(key);
        int n = f == null ? 1 : f.count() + 1;
        long wait = 0;
        if (n >= FREE_ATTEMPTS) {
            int shift = Math.min(n - FREE_ATTEMPTS, 20);
            wait = Math.min(MAX_WAIT_MILLIS, 1000L << shift);
        }
        failures.put(key, new Failures(n, clock.epochMillis() + wait));
    }

    private long lockedUntil(String key) {
        Failures f = failures.get(key);
        return f == null ? 0 : f.lockedUntil();
    }

    private static String key(String kind, String v) {
        return kind + ":" + (v == null ? "" : v.toLowerCase(Locale.ROOT));
    }
}
