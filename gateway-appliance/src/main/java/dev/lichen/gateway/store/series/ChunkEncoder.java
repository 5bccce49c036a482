package dev.lichen.gateway.store.series;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Encodes one channel's readings into a chunk blob (layout in {@link ChunkFormat}), Gorilla-style:
 * times and seqs as delta-of-delta, boots run-length, numbers as XOR'ed doubles or, when every
 * number of the chunk is a short decimal, as integer deltas (whichever is smaller), texts as a
 * dictionary with runs; and the chunk's {@link ChunkSummary} in the same pass.
 *
 * <p>Our own encoder rather than a Gorilla library such as fi.iki.yak:compression-gorilla: those
 * encode only (long time, double value) pairs, while a chunk also carries boot and seq per reading,
 * texts, and numbers that are far smaller as scaled integers; the whole format is a few hundred lines.
 *
 * <p>Input in any order is accepted: it is sorted (stably) by {@link ChunkReading#ORDER}, so the
 * decoder gives back the readings in that order. Nothing is dropped: duplicates, even of the same
 * (boot, seq), are kept, since exactly-once is the store's business.
 */
public final class ChunkEncoder {
    private ChunkEncoder() {}

    /** @throws IllegalArgumentException for no readings, or more than {@value ChunkFormat#MAX_READINGS} */
    public static EncodedChunk encode(List<ChunkReading> readings) {
        Objects.requireNonNull(readings, "readings");
        if (readings.isEmpty()) throw new IllegalArgumentException("a chunk needs at least one reading");
        if (readings.size() > ChunkFormat.MAX_READINGS)
            throw new IllegalArgumentException("a chunk holds at most " + ChunkFormat.MAX_READINGS + " readings, got " + readings.size());
        List<ChunkReading> rs = sorted(readings);
        int n = rs.size();

        long[] times = new long[n];
        double[] numbers = new double[n];
        String[] texts = new String[n];
        boolean[] isText = new boolean[n];
        int m = 0, k = 0;
        ChunkSummary.Accumulator summary = new ChunkSummary.Accumulator();
        for (int i = 0; i < n; i++) {
            ChunkReading r = rs.get(i);
            times[i] = r.timeMillis();
            switch (r.value()) {
                case ChunkValue.Num(double v) -> numbers[m++] = v;
                case ChunkValue.Text(String t) -> { texts[k++] = t; isText[i] = true; }
            }
            summary.add(r);
        }

        BitWriter w = new BitWriter(n + 32);
        w.writeBits(ChunkFormat.VERSION, 8);
        w.writeVarLong(n);
        writeSeries(w, times, 0, n, 2);
        writeBootsAndSeqs(w, rs);
        writeKinds(w, isText, m, k);
        if (m > 0) writeNumbers(w, numbers, m);
        if (k > 0) writeTexts(w, texts, k);

        byte[] blob = w.toByteArray(ChunkFormat.CRC_BYTES);
        int body = blob.length - ChunkFormat.CRC_BYTES;
        int crc = ChunkFormat.crc(blob, body);
        for (int i = 0; i < 4; i++) blob[body + i] = (byte) (crc >>> (24 - 8 * i));
        return new EncodedChunk(blob, summary.summary());
    }

    private static List<ChunkReading> sorted(List<ChunkReading> readings) {
        for (int i = 1; i < readings.size(); i++) {
            if (ChunkReading.ORDER.compare(readings.get(i - 1), readings.get(i)) > 0) {
                List<ChunkReading> copy = new ArrayList<>(readings);
                copy.sort(ChunkReading.ORDER); // List.sort is stable
                return copy;
            }
        }
        return readings;
    }

    /** x[from] as a zigzag varint, then one code per value of its delta (order 1) or delta-of-delta (2). */
    static void writeSeries(BitWriter w, long[] x, int from, int to, int order) {
        w.writeZigZag(x[from]);
        long prev = x[from], prevDelta = 0;
        for (int i = from + 1; i < to; i++) {
            long delta = x[i] - prev;
            w.writeCode(order == 1 ? delta : delta - prevDelta);
            prev = x[i];
            prevDelta = delta;
        }
    }

    /** Boots change rarely: runs. Each run's seqs start a series of their own, as a reboot restarts them. */
    private static void writeBootsAndSeqs(BitWriter w, List<ChunkReading> rs) {
        int n = rs.size();
        long[] seqs = new long[n];
        int runs = 1;
        for (int i = 0; i < n; i++) {
            seqs[i] = rs.get(i).seq();
            if (i > 0 && rs.get(i).boot() != rs.get(i - 1).boot()) runs++;
        }
        w.writeVarLong(runs);
        long prevBoot = 0;
        int start = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || rs.get(i).boot() != rs.get(start).boot()) {
                long boot = rs.get(start).boot();
                w.writeZigZag(boot - prevBoot);
                w.writeVarLong(i - start);
                writeSeries(w, seqs, start, i, 2);
                prevBoot = boot;
                start = i;
            }
        }
    }

    private static void writeKinds(BitWriter w, boolean[] isText, int m, int k) {
        if (k == 0) { w.writeBits(ChunkFormat.KINDS_NUMBERS, 2); return; }
        if (m == 0) { w.writeBits(ChunkFormat.KINDS_TEXTS, 2); return; }
        w.writeBits(ChunkFormat.KINDS_MIXED, 2);
        w.writeBit(isText[0]);
        List<Integer> lengths = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= isText.length; i++) {
            if (i == isText.length || isText[i] != isText[i - 1]) {
                lengths.add(i - start);
                start = i;
            }
        }
        w.writeVarLong(lengths.size());
        for (int len : lengths) w.writeVarLong(len);
    }

    /** Every applicable method is written aside and the smallest kept: a chunk is encoded once, read often. */
    private static void writeNumbers(BitWriter w, double[] v, int m) {
        BitWriter best = xor(v, m);
        int scale = Decimal.scaleOf(v, m);
        if (scale >= 0) {
            long[] units = Decimal.units(v, m, scale);
            for (int order = 1; order <= 2; order++) {
                BitWriter d = new BitWriter(m);
                d.writeBits(order == 1 ? ChunkFormat.METHOD_DECIMAL_1 : ChunkFormat.METHOD_DECIMAL_2, 2);
                d.writeBits(scale, 3);
                writeSeries(d, units, 0, m, order);
                if (d.bitLength() < best.bitLength()) best = d;
            }
        }
        w.append(best);
    }

    /**
     * Gorilla's XOR: '0' for the same bits as the previous value; '10' and the meaningful bits when
     * they fit the previous window of leading/trailing zeros; '11', 6 bits leading zeros, 6 bits
     * (meaningful bits - 1) and the bits otherwise.
     */
    private static BitWriter xor(double[] v, int m) {
        BitWriter w = new BitWriter(m * 2);
        w.writeBits(ChunkFormat.METHOD_XOR, 2);
        long prev = Double.doubleToRawLongBits(v[0]);
        w.writeBits(prev, 64);
        int leading = -1, trailing = 0;
        for (int i = 1; i < m; i++) {
            long bits = Double.doubleToRawLongBits(v[i]);
            long x = bits ^ prev;
            prev = bits;
            if (x == 0) {
                w.writeBits(0, 1);
                continue;
            }
            int lz = Long.numberOfLeadingZeros(x), tz = Long.numberOfTrailingZeros(x);
            if (leading >= 0 && lz >= leading && tz >= trailing) {
                w.writeBits(0b10, 2);
                w.writeBits(x >>> trailing, 64 - leading - trailing);
            } else {
                leading = lz;
                trailing = tz;
                int meaningful = 64 - lz - tz;
                w.writeBits(0b11, 2);
                w.writeBits(lz, 6);
                w.writeBits(meaningful - 1, 6);
                w.writeBits(x >>> tz, meaningful);
            }
        }
        return w;
    }

    private static void writeTexts(BitWriter w, String[] texts, int k) {
        Map<String, Integer> index = new HashMap<>();
        List<String> dictionary = new ArrayList<>();
        int[] ids = new int[k];
        for (int i = 0; i < k; i++) {
            ids[i] = index.computeIfAbsent(texts[i], t -> { dictionary.add(t); return dictionary.size() - 1; });
        }
        w.writeVarLong(dictionary.size());
        for (String t : dictionary) {
            w.writeVarLong(t.length());
            for (int c = 0; c < t.length(); c++) w.writeVarLong(t.charAt(c));
        }
        int bits = ChunkFormat.indexBits(dictionary.size());
        int runs = 1;
        for (int i = 1; i < k; i++) if (ids[i] != ids[i - 1]) runs++;
        w.writeVarLong(runs);
        int start = 0;
        for (int i = 1; i <= k; i++) {
            if (i == k || ids[i] != ids[i - 1]) {
                w.writeBits(ids[start], bits);
                w.writeVarLong(i - start);
                start = i;
            }
        }
    }
}
