package dev.lichen.gateway.web.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.runtime.clock.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The password hash format and the login back-off schedule, on a stepping clock. */
class AuthPartsTest {
    @Test
    void passwordsAreSaltedSlowHashesThatVerifyOnlyTheRightPassword() {
        PasswordHasher h = new PasswordHasher(PasswordHasher.MIN_ITERATIONS);
        String a = h.hash("correct horse".toCharArray());
        String b = h.hash("correct horse".toCharArray());
        assertNotEquals(a, b, "salted");
        assertTrue(a.startsWith("pbkdf2-sha256$310000$"), a);
        assertTrue(h.verify("correct horse".toCharArray(), a));
        assertFalse(h.verify("correct horsf".toCharArray(), a));
        // a stored hash with a weaker cost than the floor never verifies, nor does garbage
        String weak = a.replace("$310000$", "$1000$");
        assertFalse(h.verify("correct horse".toCharArray(), weak));
        assertFalse(h.verify("x".toCharArray(), "sha256$abc"));
        assertFalse(h.verify("x".toCharArray(), "pbkdf2-sha256$notanumber$a$b"));
        assertThrows(IllegalArgumentException.class, () -> new PasswordHasher(100_000));
        assertTrue(PasswordHasher.ITERATIONS >= 310_000);
    }

    /** A clock a test moves by hand. */
    static final class StepClock implements Clock {
        long now = 1_764_000_000_000L;

        @Override public long epochMillis() { return now; }

        @Override public long monotonicNanos() { return now * 1_000_000; }

        @Override public void sleep(Duration d) { now += d.toMillis(); }
    }

    @Test
    void failedLoginsBackOffExponentiallyPerAccountAndPerAddress() {
        StepClock clock = new StepClock();
        LoginThrottle t = new LoginThrottle(clock);
        for (int i = 0; i < LoginThrottle.FREE_ATTEMPTS - 1; i++) {
            t.failed("admin", "10.0.0.9");
            assertEquals(0, t.waitMillis("admin", "10.0.0.9"));
        }
        long[] expected = {1000, 2000, 4000, 8000, 16000};
        for (long e : expected) {
            t.failed("admin", "10.0.0.9");
            assertEquals(e, t.waitMillis("admin", "10.0.0.9"));
            // the account is throttled from any address, and the address for any account
            assertEquals(e, t.waitMillis("admin", "10.0.0.77"));
            assertEquals(e, t.waitMillis("ADMIN", "10.0.0.77"), "names compare case-insensitively");
            assertEquals(e, t.waitMillis("guest", "10.0.0.9"));
            assertEquals(0, t.waitMillis("guest", "10.0.0.77"));
            clock.now += e;
        }
        for (int i = 0; i < 30; i++) t.failed("admin", "10.0.0.9");
        assertEquals(LoginThrottle.MAX_WAIT_MILLIS, t.waitMillis("admin", "10.0.0.9"));
        t.succeeded("admin", "10.0.0.9");
        assertEquals(0, t.waitMillis("admin", "10.0.0.9"));
    }
}
