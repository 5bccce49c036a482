package dev.lichen.gateway.store.series;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Decodes a blob of {@link ChunkEncoder} back into its readings, bit for bit, in chunk order.
 * A blob that is damaged, truncated or of an unknown version throws {@link CorruptChunkException}:
 * the CRC catches damage, and every count read is bounded by the bits left, so even a crafted
 * blob with a valid CRC ends quickly, with allocations proportional to its length.
 */
public final class ChunkDecoder {
    private ChunkDecoder() {}

    /** The smallest blob: version, n, t[0], runs, boot, length, seq[0], kinds, padding, CRC. */
    private static final int MIN_BYTES = 1 + 6 + ChunkFormat.CRC_BYTES;

    public static List<ChunkReading> decode(byte[] blob) {
        Objects.requireNonNull(blob, "blob");
        if (blob.length < MIN_BYTES)
            throw new CorruptChunkException("chunk of " + blob.length + " bytes is shorter than the smallest chunk (" + MIN_BYTES + ")");
        int version = blob[0] & 0xFF;
        if (version != ChunkFormat.VERSION)
            throw new CorruptChunkException("unknown chunk format version " + version + " (this build reads " + ChunkFormat.VERSION + ")");
        int body = blob.length - ChunkFormat.CRC_BYTES;
        int stored = 0;
        for (int i = 0; i < 4; i++) stored = (stored << 8) | (blob[body + i] & 0xFF);
        if (stored != ChunkFormat.crc(blob, body))
            throw new CorruptChunkException("chunk checksum mismatch over " + body + " bytes: the blob is damaged or truncated");

        BitReader r = new BitReader(blob, 1, body);
        // after the first reading each costs at least a bit of time code and a bit of seq code
        int n = r.readCount("reading count", 1, Math.min(ChunkFormat.MAX_READINGS, 1 + r.remaining() / 2));
        long[] times = new long[n];
        readSeries(r, times, 0, n, 2);
        long[] boots = new long[n];
        long[] seqs = new long[n];
        readBootsAndSeqs(r, boots, seqs);
        boolean[] isText = new boolean[n];
        int k = readKinds(r, isText);
        int m = n - k;
        double[] numbers = m > 0 ? readNumbers(r, m) : null;
        String[] texts = k > 0 ? readTexts(r, k) : null;
        checkEnd(r);

        List<ChunkReading> out = new ArrayList<>(n);
        int ni = 0, ti = 0;
        for (int i = 0; i < n; i++) {
            ChunkValue v = isText[i] ? new ChunkValue.Text(texts[ti++]) : new ChunkValue.Num(numbers[ni++]);
            out.add(new ChunkReading(times[i], boots[i], seqs[i], v));
        }
        return out;
    }

    static void readSeries(BitReader r, long[] x, int from, int to, int order) {
        long prev = r.readZigZag(), delta = 0;
        x[from] = prev;
        for (int i = from + 1; i < to; i++) {
            long code = r.readCode();
            delta = order == 1 ? code : delta + code;
            prev += delta;
            x[i] = prev;
        }
    }

    private static void readBootsAndSeqs(BitReader r, long[] boots, long[] seqs) {
        int n = boots.length;
        int runs = r.readCount("boot runs", 1, n);
        long boot = 0;
        int at = 0;
        for (int run = 0; run < runs; run++) {
            boot += r.readZigZag();
            int len = r.readCount("boot run length", 1, n - at - (runs - run - 1));
            for (int i = at; i < at + len; i++) boots[i] = boot;
            readSeries(r, seqs, at, at + len, 2);
            at += len;
        }
        if (at != n) throw new CorruptChunkException("boot runs cover " + at + " of " + n + " readings");
    }

    /** Marks the texts and returns how many there are. */
    private static int readKinds(BitReader r, boolean[] isText) {
        int n = isText.length;
        int kinds = (int) r.readBits(2);
        switch (kinds) {
            case ChunkFormat.KINDS_NUMBERS -> { return 0; }
            case ChunkFormat.KINDS_TEXTS -> { Arrays.fill(isText, true); return n; }
            case ChunkFormat.KINDS_MIXED -> { }
            default -> throw new CorruptChunkException("unknown value kinds " + kinds);
        }
        boolean text = r.readBit();
        int runs = r.readCount("kind runs", 2, n);
        int at = 0, k = 0;
        for (int run = 0; run < runs; run++, text = !text) {
            int len = r.readCount("kind run length", 1, n - at - (runs - run - 1));
            if (text) {
                Arrays.fill(isText, at, at + len, true);
                k += len;
            }
            at += len;
        }
        if (at != n) throw new CorruptChunkException("kind runs cover " + at + " of " + n + " readings");
        return k;
    }

    private static double[] readNumbers(BitReader r, int m) {
        int method = (int) r.readBits(2);
        double[] v = new double[m];
        switch (method) {
            case ChunkFormat.METHOD_XOR -> readXor(r, v);
            case ChunkFormat.METHOD_DECIMAL_1, ChunkFormat.METHOD_DECIMAL_2 -> {
                int scale = (int) r.readBits(3);
                if (scale > ChunkFormat.MAX_SCALE) throw new CorruptChunkException("decimal scale " + scale + " above " + ChunkFormat.MAX_SCALE);
                long[] units = new long[m];
                readSeries(r, units, 0, m, method == ChunkFormat.METHOD_DECIMAL_1 ? 1 : 2);
                for (int i = 0; i < m; i++) v[i] = Decimal.value(units[i], scale);
            }
            default -> throw new CorruptChunkException("unknown number method " + method);
        }
        return v;
    }

    private static void readXor(BitReader r, double[] v) {
        long bits = r.readBits(64);
        int leading = -1, trailing = 0;
        v[0] = finite(bits, 0);
        for (int i = 1; i < v.length; i++) {
            if (r.readBit()) {
                if (r.readBit()) {
                    leading = (int) r.readBits(6);
                    int meaningful = (int) r.readBits(6) + 1;
                    if (leading + meaningful > 64)
                        throw new CorruptChunkException("XOR window of " + leading + " leading zeros and " + meaningful + " bits");
                    trailing = 64 - leading - meaningful;
                } else if (leading < 0) {
                    throw new CorruptChunkException("XOR value " + i + " reuses a window never set");
                }
                bits ^= r.readBits(64 - leading - trailing) << trailing;
            }
            v[i] = finite(bits, i);
        }
    }

    private static double finite(long bits, int i) {
        double d = Double.longBitsToDouble(bits);
        if (!Double.isFinite(d)) throw new CorruptChunkException("number " + i + " decodes to " + d);
        return d;
    }

    private static String[] readTexts(BitReader r, int k) {
        int d = r.readCount("dictionary size", 1, k);
        String[] dictionary = new String[d];
        for (int e = 0; e < d; e++) {
            int len = r.readCount("text length", 0, r.remaining() / 8); // a char takes at least a byte
            char[] cs = new char[len];
            for (int c = 0; c < len; c++) {
                long u = r.readVarLong();
                if (u < 0 || u > Character.MAX_VALUE) throw new CorruptChunkException("UTF-16 unit " + u + " out of range");
                cs[c] = (char) u;
            }
            dictionary[e] = new String(cs);
        }
        int bits = ChunkFormat.indexBits(d);
        int runs = r.readCount("text runs", 1, k);
        String[] texts = new String[k];
        int at = 0;
        for (int run = 0; run < runs; run++) {
            int id = (int) r.readBits(bits);
            if (id >= d) throw new CorruptChunkException("text index " + id + " outside a dictionary of " + d);
            int len = r.readCount("text run length", 1, k - at - (runs - run - 1));
            Arrays.fill(texts, at, at + len, dictionary[id]);
            at += len;
        }
        if (at != k) throw new CorruptChunkException("text runs cover " + at + " of " + k + " texts");
        return texts;
    }

    /** Only the zero padding of the last byte may be left. */
    private static void checkEnd(BitReader r) {
        long left = r.remaining();
        if (left >= 8) throw new CorruptChunkException((left / 8) + " bytes left over after the last reading");
        if (left > 0 && r.readBits((int) left) != 0) throw new CorruptChunkException("non-zero padding after the last reading");
    }
}
