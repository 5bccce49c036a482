package dev.lichen.gateway.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.InetAddress;
import java.time.Duration;

/**
 * A token bucket per source address: {@code perSecond} a second, bursts of five seconds' worth.
 * The buckets live in a Caffeine cache bounded in size and idle time, so that a network of
 * spoofed or many addresses cannot grow the heap: an address evicted early only gets a fresh
 * (full) bucket, which the bound on devices waiting for adoption still covers.
 */
final class AddressRate {
    static final int MAX_ADDRESSES = 10_000;

    private final double perNano;
    private final double burst;
    private final Cache<InetAddress, Bucket> buckets;

    AddressRate(int perSecond) {
        this.perNano = perSecond / 1e9;
        this.burst = perSecond * 5.0;
        // a bucket idle this long has refilled anyway: forgetting it changes nothing
        this.buckets = Caffeine.newBuilder().maximumSize(MAX_ADDRESSES)
                .expireAfterAccess(Duration.ofSeconds(10)).build();
    }

    /** Takes one token for {@code from}; false when its bucket is empty (refuse, it comes back later). */
    boolean tryAcquire(InetAddress from, long nowNanos) {
        return buckets.get(from, a -> new Bucket(burst, nowNanos)).take(nowNanos, perNano, burst);
    }

    /** Addresses with a bucket now (for tests and the flood run's figures). */
    long addresses() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    private static final class Bucket {
        private double tokens;
        private long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }

        synchronized boolean take(long now, double perNano, double burst) {
            tokens = Math.min(burst, tokens + Math.max(0, now - at) * perNano);
            at = now;
            if (tokens < 1) return false;
            tokens -= 1;
            return true;
        }
    }
}
