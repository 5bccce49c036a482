package dev.lichen.gateway.store.series;

/**
 * Finds whether a chunk's numbers are all decimals of few digits: v == u / 10^s bit for bit, for
 * integers u and one scale s in 0..6. Sensors report at a fixed resolution (21.37 = 2137 / 10^2),
 * and small integer steps encode in far fewer bits than XOR'ed mantissas.
 */
final class Decimal {
    /** Beyond 2^53 not every integer is a double, so u / 10^s would no longer be exact to check. */
    private static final double MAX_UNITS = 0x1p53;

    private Decimal() {}

    /** The smallest scale at which every value round-trips, or -1 (-0.0, 1e300, 1/3 ... have none). */
    static int scaleOf(double[] v, int n) {
        for (int s = 0; s <= ChunkFormat.MAX_SCALE; s++) {
            if (fits(v, n, s)) return s;
        }
        return -1;
    }

    static long[] units(double[] v, int n, int scale) {
        long[] u = new long[n];
        for (int i = 0; i < n; i++) u[i] = (long) Math.rint(v[i] * ChunkFormat.POW10[scale]);
        return u;
    }

    /** The decoder's one formula: a correctly rounded division, so the same on every JVM. */
    static double value(long units, int scale) {
        return units / ChunkFormat.POW10[scale];
    }

    private static boolean fits(double[] v, int n, int s) {
        double p = ChunkFormat.POW10[s];
        for (int i = 0; i < n; i++) {
            double x = Math.rint(v[i] * p);
            if (!(Math.abs(x) <= MAX_UNITS)) return false;
            if (Double.doubleToRawLongBits(value((long) x, s)) != Double.doubleToRawLongBits(v[i])) return false;
        }
        return true;
    }
}
