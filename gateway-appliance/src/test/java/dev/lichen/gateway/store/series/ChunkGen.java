package dev.lichen.gateway.store.series;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Random chunks for the property tests: every shape the store may hand the codec. */
final class ChunkGen {
    static final double[] EDGE_DOUBLES = {
        0.0, -0.0, 1.0, -1.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, 1e-310, -2.5e-315,
        Double.MAX_VALUE, -Double.MAX_VALUE, 1e300, -1e300, 0.1, 0.1 + 0.2, 21.37, -273.15, 1.0 / 3,
        0x1p53, 0x1p53 + 2, -0x1p53, 9007199254740991.0, 123456.789012, 0.000001, 1e-7, 4.9e-324 * 3,
        Math.PI, Math.nextUp(1.0), Math.nextDown(0.0),
    };
    private static final String[] WORDS = {"", "open", "closed", "on", "off", "ÿ€", "\ud83c\udf31 basil", "\ud800", "\udc00x",
        "a somewhat longer text, as a status line may be", "AAECAwQFBgcICQ=="};

    private ChunkGen() {}

    static List<ChunkReading> chunk(Random rnd) {
        int n = switch (rnd.nextInt(6)) {
            case 0 -> 1;
            case 1 -> 2 + rnd.nextInt(4);
            case 2 -> 10 + rnd.nextInt(50);
            default -> 100 + rnd.nextInt(500);
        };
        // far enough from Long.MIN_VALUE for an hour bucket's start to be a long
        long t = switch (rnd.nextInt(6)) {
            case 0 -> 1_764_170_314_000L + rnd.nextInt(1_000_000);
            case 1 -> -rnd.nextLong(1L << 45);                 // before 1970
            case 2 -> rnd.nextInt(1000) - 500;
            case 3 -> Long.MAX_VALUE - rnd.nextLong(1L << 40); // near the end of time
            case 4 -> Long.MIN_VALUE + (1L << 32) + rnd.nextLong(1L << 40);
            default -> rnd.nextLong() / 4;
        };
        int timing = rnd.nextInt(5);
        int values = rnd.nextInt(8);
        int scale = rnd.nextInt(7);
        long boot = rnd.nextBoolean() ? 1 + rnd.nextInt(100_000) : rnd.nextLong();
        long seq = rnd.nextBoolean() ? rnd.nextInt(1000) : rnd.nextLong();
        long seqStep = rnd.nextInt(4);
        double rebootChance = rnd.nextInt(3) == 0 ? 0.05 : 0.002;
        long units = rnd.nextInt(100_000) - 50_000;
        long ramp = rnd.nextBoolean() ? 0 : rnd.nextInt(200) - 100; // a counter: delta-of-delta beats deltas
        List<String> words = new ArrayList<>();
        for (int i = 0, w = 1 + rnd.nextInt(WORDS.length); i < w; i++) words.add(WORDS[rnd.nextInt(WORDS.length)]);

        List<ChunkReading> rs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rs.add(reading(rnd, t, boot, seq, values, scale, units, words));
            t = saturatedAdd(t, switch (timing) {
                case 0 -> 10_000;
                case 1 -> 10_000 + rnd.nextInt(41) - 20;                          // jitter
                case 2 -> rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(5_000);            // duplicates of one time
                case 3 -> rnd.nextInt(20) == 0 ? rnd.nextLong(1L << 37) : 1_000;   // gaps of years
                default -> rnd.nextLong(1L << 20);
            });
            if (rnd.nextDouble() < rebootChance) {
                boot = rnd.nextInt(4) == 0 ? rnd.nextLong() : boot + 1 + rnd.nextInt(3);
                seq = rnd.nextInt(3);
            } else {
                seq += rnd.nextInt(50) == 0 ? rnd.nextLong() : seqStep;
            }
            units += ramp != 0 ? ramp + (rnd.nextInt(20) == 0 ? 1 : 0) : rnd.nextInt(5) - 2;
        }
        switch (rnd.nextInt(4)) {
            case 0 -> Collections.shuffle(rs, rnd);                           // the encoder sorts
            case 1 -> { for (int i = 0, d = rnd.nextInt(n + 1); i < d; i++) rs.add(rs.get(rnd.nextInt(n))); }
            default -> { }
        }
        return rs;
    }

    private static ChunkReading reading(Random rnd, long t, long boot, long seq, int values, int scale, long units,
                                        List<String> words) {
        return switch (values) {
            case 0, 1 -> ChunkReading.number(t, boot, seq, units / ChunkFormat.POW10[scale]);  // a decimal channel
            case 2 -> ChunkReading.number(t, boot, seq, EDGE_DOUBLES[rnd.nextInt(EDGE_DOUBLES.length)]);
            case 3 -> ChunkReading.number(t, boot, seq, anyFinite(rnd));
            case 4 -> ChunkReading.number(t, boot, seq, rnd.nextInt(2));                       // a boolean
            case 5 -> ChunkReading.text(t, boot, seq, words.get(rnd.nextInt(words.size())));
            case 6 -> rnd.nextInt(10) == 0 ? ChunkReading.text(t, boot, seq, randomText(rnd))
                                           : ChunkReading.number(t, boot, seq, units / 100.0);
            default -> rnd.nextBoolean() ? ChunkReading.text(t, boot, seq, words.get(rnd.nextInt(words.size())))
                                         : ChunkReading.number(t, boot, seq, rnd.nextBoolean() ? anyFinite(rnd)
                                                 : EDGE_DOUBLES[rnd.nextInt(EDGE_DOUBLES.length)]);
        };
    }

    static double anyFinite(Random rnd) {
        while (true) {
            double d = Double.longBitsToDouble(rnd.nextLong());
            if (Double.isFinite(d)) return d;
        }
    }

    /** Any UTF-16 units, lone surrogates included. */
    static String randomText(Random rnd) {
        char[] cs = new char[rnd.nextInt(40)];
        for (int i = 0; i < cs.length; i++) cs[i] = (char) (rnd.nextBoolean() ? 32 + rnd.nextInt(95) : rnd.nextInt(65536));
        return new String(cs);
    }

    private static long saturatedAdd(long t, long d) {
        long s = t + d;
        return ((t ^ s) & (d ^ s)) < 0 ? Long.MAX_VALUE : s;
    }
}
