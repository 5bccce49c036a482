package dev.lichen.sim.physics;

/** Seeded, smooth pseudo-random signals: a pure function of (seed, key, time), so runs repeat. */
final class Noise {
    private Noise() {}

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static long key(long seed, String name) {
        return mix(seed * 0x9E3779B97F4A7C15L + name.hashCode());
    }

    /** Uniform in [-1, 1) for lattice point i. */
    static double at(long key, long i) {
        return (mix(key ^ mix(i)) >>> 11) * 0x1.0p-52 - 1.0;
    }

    /** Value noise in [-1, 1], smooth over the given period (cosine interpolation). */
    static double smooth(long key, long t, long period) {
        long i = Math.floorDiv(t, period);
        double f = (double) Math.floorMod(t, period) / period;
        double w = (1 - Math.cos(Math.PI * f)) / 2;
        return at(key, i) * (1 - w) + at(key, i + 1) * w;
    }
}
