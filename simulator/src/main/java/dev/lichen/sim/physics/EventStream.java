package dev.lichen.sim.physics;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Moments something happens (someone moves, a door opens), as a seeded Poisson process with a day
 * rate (07:00-23:00) and a night rate, each lasting a while. Generated lazily and kept, so that
 * the same seed gives the same moments however the simulation queries them.
 */
final class EventStream {
    private final SplittableRandom random;
    private final double dayPerHour;
    private final double nightPerHour;
    private final long lasts;
    private final long origin;
    private final List<long[]> events = new ArrayList<>(); // {start, end}, merged and sorted
    private long generatedUntil;

    EventStream(long key, double dayPerHour, double nightPerHour, long lastsMillis, long originMillis) {
        this.random = new SplittableRandom(key);
        this.dayPerHour = dayPerHour;
        this.nightPerHour = nightPerHour;
        this.lasts = lastsMillis;
        this.origin = originMillis;
        this.generatedUntil = originMillis;
    }

    private void generate(long until) {
        double max = Math.max(dayPerHour, nightPerHour);
        if (max <= 0) {
            generatedUntil = Long.MAX_VALUE;
            return;
        }
        long t = generatedUntil;
        while (t <= until) {
            // thinning: candidates at the higher rate, kept with probability rate(t)/max
            t += (long) (-Math.log(1 - random.nextDouble()) / max * 3_600_000);
            double rate = isDay(t) ? dayPerHour : nightPerHour;
            if (random.nextDouble() * max < rate) {
                long[] last = events.isEmpty() ? null : events.getLast();
                if (last != null && t <= last[1]) {
                    last[1] = Math.max(last[1], t + lasts);
                } else {
                    events.add(new long[] {t, t + lasts});
                }
            }
        }
        generatedUntil = t;
    }

    static boolean isDay(long t) {
        long minute = Math.floorMod(t, 86_400_000L) / 60_000;
        return minute >= 7 * 60 && minute < 23 * 60;
    }

    /**
     * Something happens in [start, end) beside the random moments (a scripted walk into a room):
     * generated up to its end first, so later random moments still come after the kept ones.
     */
    synchronized void add(long start, long end) {
        if (end <= start) throw new IllegalArgumentException("an event ends after it starts");
        generate(end + lasts);
        events.add(new long[] {start, end});
        events.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> merged = new ArrayList<>(events.size());
        for (long[] e : events) {
            long[] last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && e[0] <= last[1]) last[1] = Math.max(last[1], e[1]);
            else merged.add(new long[] {e[0], e[1]});
        }
        events.clear();
        events.addAll(merged);
    }

    synchronized boolean active(long t) {
        generate(t + lasts);
        long[] e = latestStartingBy(t);
        return e != null && t < e[1];
    }

    /** Start of the latest event that began at or before t, or Long.MIN_VALUE. */
    synchronized long lastStartBy(long t) {
        generate(t + lasts);
        long[] e = latestStartingBy(t);
        return e == null ? Long.MIN_VALUE : e[0];
    }

    /** The next moment after t where active() changes, or Long.MAX_VALUE. */
    synchronized long nextEdgeAfter(long t) {
        long horizon = t + 30L * 86_400_000L;
        generate(Math.min(horizon, t + lasts + 1));
        int i = 0;
        while (true) {
            while (i < events.size()) {
                long[] e = events.get(i++);
                if (e[0] > t) return e[0];
                if (e[1] > t) return e[1];
            }
            if (generatedUntil >= horizon) return Long.MAX_VALUE;
            generate(Math.min(horizon, generatedUntil + 3_600_000L));
        }
    }

    private long[] latestStartingBy(long t) {
        int lo = 0;
        int hi = events.size() - 1;
        long[] best = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (events.get(mid)[0] <= t) {
                best = events.get(mid);
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best;
    }

    long origin() { return origin; }
}
