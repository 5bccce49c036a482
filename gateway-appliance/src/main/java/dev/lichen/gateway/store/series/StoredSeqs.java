package dev.lichen.gateway.store.series;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The sequence numbers of one boot that the store holds, as sorted disjoint ranges. It is the exact
 * set, not an approximation: a device numbers its readings 0, 1, 2... from each boot, so what has
 * arrived is one range (the high-water mark) plus the few holes that late or lost packs leave; the
 * holes are the window, and they close as the missing packs come. A boot that sent a million
 * readings in order costs two longs, where a b-tree of every (boot, seq) key costs a row each.
 *
 * <p>Not thread-safe: the store's writer owns it.
 */
public final class StoredSeqs {
    /** Range i is [from[i], to[i]] inclusive; from[i+1] > to[i] + 1 (ranges never touch). */
    private long[] from;
    private long[] to;
    private int n;

    public StoredSeqs() {
        from = new long[2];
        to = new long[2];
    }

    private StoredSeqs(long[] from, long[] to, int n) {
        this.from = from;
        this.to = to;
        this.n = n;
    }

    /** Adds seq; false when it was there already (a duplicate). */
    public boolean add(long seq) {
        // the common case: the next seq after the newest range
        if (n > 0 && seq == to[n - 1] + 1) {
            to[n - 1] = seq;
            return true;
        }
        int i = floor(seq);
        if (i >= 0 && seq <= to[i]) return false;
        boolean joinsLeft = i >= 0 && to[i] + 1 == seq;
        boolean joinsRight = i + 1 < n && from[i + 1] - 1 == seq;
        if (joinsLeft && joinsRight) {
            to[i] = to[i + 1];
            remove(i + 1);
        } else if (joinsLeft) {
            to[i] = seq;
        } else if (joinsRight) {
            from[i + 1] = seq;
        } else {
            insert(i + 1, seq);
        }
        return true;
    }

    public boolean contains(long seq) {
        int i = floor(seq);
        return i >= 0 && seq <= to[i];
    }

    /** Adds every seq of other (used when a flush makes open seqs stored). */
    public void addAll(StoredSeqs other) {
        for (int i = 0; i < other.n; i++) {
            for (long s = other.from[i]; ; s++) {
                add(s);
                if (s == other.to[i]) break;
            }
        }
    }

    public int ranges() {
        return n;
    }

    public long size() {
        long s = 0;
        for (int i = 0; i < n; i++) s += to[i] - from[i] + 1;
        return s;
    }

    public boolean isEmpty() {
        return n == 0;
    }

    /** Index of the last range starting at or below seq, or -1. */
    private int floor(long seq) {
        int lo = 0, hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (from[mid] <= seq) lo = mid + 1;
            else hi = mid - 1;
        }
        return hi;
    }

    private void insert(int at, long seq) {
        if (n == from.length) {
            from = Arrays.copyOf(from, n * 2);
            to = Arrays.copyOf(to, n * 2);
        }
        System.arraycopy(from, at, from, at + 1, n - at);
        System.arraycopy(to, at, to, at + 1, n - at);
        from[at] = seq;
        to[at] = seq;
        n++;
    }

    private void remove(int at) {
        System.arraycopy(from, at + 1, from, at, n - at - 1);
        System.arraycopy(to, at + 1, to, at, n - at - 1);
        n--;
    }

    /** As stored: a varint count, then per range the zigzag gap from the previous range's end and its length - 1. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4 + n * 4);
        varint(out, n);
        long prev = 0;
        for (int i = 0; i < n; i++) {
            long gap = from[i] - prev;
            varint(out, (gap << 1) ^ (gap >> 63));
            varint(out, to[i] - from[i]);
            prev = to[i];
        }
        return out.toByteArray();
    }

    /** @throws CorruptChunkException when the bytes are not what {@link #toBytes} writes */
    public static StoredSeqs fromBytes(byte[] b) {
        int[] pos = {0};
        long count = readVarint(b, pos);
        if (count < 0 || count > b.length) throw new CorruptChunkException("stored seqs: " + count + " ranges in " + b.length + " bytes");
        int k = (int) count;
        long[] from = new long[Math.max(2, k)];
        long[] to = new long[Math.max(2, k)];
        long prev = 0;
        for (int i = 0; i < k; i++) {
            long z = readVarint(b, pos);
            long gap = (z >>> 1) ^ -(z & 1);
            from[i] = prev + gap;
            to[i] = from[i] + readVarint(b, pos);
            if (to[i] < from[i] || (i > 0 && from[i] <= to[i - 1] + 1))
                throw new CorruptChunkException("stored seqs: range " + i + " overlaps or touches the one before");
            prev = to[i];
        }
        if (pos[0] != b.length) throw new CorruptChunkException("stored seqs: " + (b.length - pos[0]) + " bytes after the last range");
        return new StoredSeqs(from, to, k);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long readVarint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= b.length) throw new CorruptChunkException("stored seqs: cut short");
            int x = b[pos[0]++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) return v;
        }
        throw new CorruptChunkException("stored seqs: a varint longer than 10 bytes");
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < n; i++) s.append(i == 0 ? "" : ", ").append(from[i]).append("..").append(to[i]);
        return s.append(']').toString();
    }
}
