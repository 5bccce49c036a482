package dev.lichen.runtime.storage;

import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlException;
import dev.lichen.senml.Value;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * The device's {@link Outbox} as a log of segment files on flash.
 *
 * <h2>On disk</h2>
 * A directory of segments {@code seg-<first seq, 20 digits>.log}, oldest first, the last one
 * taking appends, plus {@code acked} (the acknowledged sequence, written atomically by
 * {@link FileKeyValueStore}) and {@code lock}. A record is framed as
 * {@code u32 length | u32 CRC32C(length, payload) | payload}; the payload holds a format byte,
 * the sequence number, the time, boot id, channel, unit and value.
 *
 * <h2>Recovery</h2>
 * Opening scans every segment. A frame whose length is out of range, whose checksum fails, or
 * whose sequence does not grow is damage. If no good frame follows, the damage is a torn tail
 * (a kill or power cut in mid-write, or garbage appended): the file is truncated at the end of
 * the last good frame, so nothing before it is lost. If good frames follow (garbage in the
 * middle), the scan resynchronises on the next frame whose length, checksum and growing sequence
 * all hold, keeps the records on both sides, and rewrites the segment without the damaged bytes;
 * only the records inside the damaged range are lost. {@link #recovery()} reports what was cut.
 *
 * <h2>Sequence numbers</h2>
 * Each segment is named after the sequence its first record takes, and a fresh segment is created
 * (and its directory entry fsynced) before it receives a record, so even after every record was
 * acknowledged and compacted away the next sequence is on flash: sequences only grow across
 * restarts. (A record cut off as a torn tail may see its sequence taken again; it was never
 * fsynced, so never reported durable, never returned by {@link #pending} and never sent.)
 *
 * <h2>Compaction: segments, not rewrites</h2>
 * Acknowledged records go away by deleting whole segments once all their records are
 * acknowledged (the active one is rolled first when at least a quarter full). Deleting a file
 * costs one directory update, where rewriting the live tail of a single log would copy the
 * backlog again on every acknowledgement and wear an SD card for nothing.
 *
 * <h2>Flash budget and the drop policy</h2>
 * Segments hold at most {@code segmentBytes} (default budget/8, between 4 KiB and 1 MiB). When
 * an append would take the files past the budget, the <b>oldest segment is deleted with every
 * unacknowledged record in it</b> (the oldest readings go first: fresh readings are worth more to
 * a home than old ones), and those records are counted in {@link Stats#dropped()}.
 *
 * <h2>Grouped fsync</h2>
 * An append writes its frame into the active segment under a short lock and then waits until a
 * group commit covers it. A sync thread fdatasyncs everything written so far while later
 * appenders queue behind it; when it finishes, all of them return at once and it starts the next
 * fsync for those that arrived meanwhile. One fsync thus serves every append that arrived while
 * the previous one ran, with no timer and no added latency for a lone appender. A failed fsync makes the outbox refuse further use (the kernel may have
 * dropped the dirty pages; retrying would lie): reopen it to recover from what is on flash.
 */
public final class FileOutbox implements Outbox {
    // SLF4J as everywhere in device-runtime; System.getLogger's first use looks for a LoggerFinder
    // service, which opens every jar on the class path (~0.4 s of an image's boot under emulation)
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileOutbox.class);
    static final int HEADER = 8;
    static final int MAX_PAYLOAD = 64 * 1024;
    private static final byte FORMAT = 1;
    private static final int MIN_PAYLOAD = 1 + 8 + 8 + 2 + 2 + 2 + 1 + 1;
    private static final String ACK_KEY = "acked";
    private static final int MAX_SEGMENT = 256 << 20;
    private static final String SEGMENT_PREFIX = "seg-";
    private static final String SEGMENT_SUFFIX = ".log";

    /** What opening found and cut. */
    public record Recovery(int segments, long records, long truncatedBytes, long skippedBytes) {}

    private final Path dir;
    private final long budgetBytes;
    private final int segmentBytes;
    private final FileKeyValueStore state;
    private final FileChannel lockFile;
    private final FileLock dirLock;
    private final Recovery recovery;

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private long nextSeq;
    private long acked;
    private long written;
    private long bytesOnFlash;
    private long dropped;
    private long pendingCount;
    private volatile boolean closed;

    private final ReentrantLock syncLock = new ReentrantLock();
    private final Condition syncDone = syncLock.newCondition();
    private final Condition syncWanted = syncLock.newCondition();
    private long wanted = -1;
    private boolean stopSync;
    private Thread syncer;
    private volatile long synced;
    private volatile IOException broken;
    private final AtomicLong fsyncs = new AtomicLong();

    /** Opens (or creates) the outbox in dir with segments of budget/8 (4 KiB..1 MiB). */
    public static FileOutbox open(Path dir, long budgetBytes) throws IOException {
        return open(dir, budgetBytes, (int) Math.clamp(budgetBytes / 8, 4096, 1 << 20));
    }

    public static FileOutbox open(Path dir, long budgetBytes, int segmentBytes) throws IOException {
        if (segmentBytes < 4096 || segmentBytes > MAX_SEGMENT)
            throw new IllegalArgumentException("segmentBytes must be between 4096 and " + MAX_SEGMENT + ", got " + segmentBytes);
        if (budgetBytes < 4L * segmentBytes)
            throw new IllegalArgumentException("the outbox budget (" + budgetBytes + " bytes) must hold at least 4 segments of "
                    + segmentBytes + " bytes; raise outbox.budgetBytes");
        return new FileOutbox(dir, budgetBytes, segmentBytes);
    }

    private FileOutbox(Path dir, long budgetBytes, int segmentBytes) throws IOException {
        this.dir = dir;
        this.budgetBytes = budgetBytes;
        this.segmentBytes = segmentBytes;
        Files.createDirectories(dir);
        lockFile = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockFile.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockFile.close();
            throw new IOException("outbox " + dir + " is in use by another process or instance; stop it first");
        }
        dirLock = l;
        try {
            state = new FileKeyValueStore(dir);
            acked = readAcked(state, dir);
            recovery = recover();
            syncer = Thread.ofPlatform().daemon().name("outbox-sync " + dir.getFileName()).start(this::syncLoop);
        } catch (IOException | RuntimeException e) {
            closeChannels();
            throw e;
        }
    }

    /** The acknowledged sequence; an unreadable one means "nothing acknowledged": resending is safe, losing is not. */
    private static long readAcked(FileKeyValueStore state, Path dir) throws IOException {
        String text = state.get(ACK_KEY).orElse("-1").strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            LOG.warn("outbox {}: unreadable acknowledgement \"{}\"; every pending reading is resent",
                    dir, text.length() > 40 ? text.substring(0, 40) : text);
            return -1;
        }
    }

    // ---------------------------------------------------------------- append

    @Override
    public Entry append(String bootId, Reading reading) throws IOException {
        byte[] frame = frame(bootId, reading);
        long seq;
        lock.lock();
        try {
            ensureUsable();
            makeRoom(frame.length);
            seq = nextSeq++;
            ByteBuffer.wrap(frame).putLong(HEADER + 1, seq);
            CRC32C crc = new CRC32C();
            crc.update(frame, 0, 4);
            crc.update(frame, HEADER, frame.length - HEADER);
            ByteBuffer.wrap(frame).putInt(4, (int) crc.getValue());
            Segment active = segments.getLast();
            long at = active.size;
            try {
                ByteBuffer buf = ByteBuffer.wrap(frame);
                active.io(c -> {
                    while (buf.hasRemaining()) c.write(buf, at + buf.position()); // positional: a retry rewrites the same bytes
                    return null;
                });
            } catch (IOException e) {
                active.io(c -> c.truncate(at)); // a half-written frame must not sit before the next one
                throw e;
            }
            active.add(seq, at, frame.length);
            bytesOnFlash += frame.length;
            pendingCount++;
            written = seq;
        } finally {
            lock.unlock();
        }
        awaitDurable(seq);
        return new Entry(seq, bootId, reading);
    }

    /** The whole frame with seq and checksum left blank; built outside the lock. */
    private static byte[] frame(String bootId, Reading r) {
        if (!SenmlCodec.isBootId(bootId))
            throw new IllegalArgumentException("boot id " + bootId + " must match " + SenmlCodec.BOOT_ID.pattern());
        try {
            SenmlCodec.check(r); // nothing unsendable is ever queued
        } catch (SenmlException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        byte[] boot = bootId.getBytes(StandardCharsets.UTF_8);
        byte[] channel = r.channel().getBytes(StandardCharsets.UTF_8);
        byte[] unit = r.unit() == null ? null : r.unit().getBytes(StandardCharsets.UTF_8);
        byte[] value = switch (r.value()) {
            case Value.Number n -> ByteBuffer.allocate(8).putDouble(n.value()).array();
            case Value.Bool b -> new byte[] {(byte) (b.value() ? 1 : 0)};
            case Value.Text t -> t.value().getBytes(StandardCharsets.UTF_8);
            case Value.Data d -> d.value();
        };
        int payload = 1 + 8 + 8 + 2 + boot.length + 2 + channel.length + 2 + (unit == null ? 0 : unit.length) + 1 + 4 + value.length;
        if (payload > MAX_PAYLOAD)
            throw new IllegalArgumentException("reading of " + r.channel() + " takes " + payload + " bytes; the outbox holds at most "
                    + MAX_PAYLOAD + " a reading");
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload);
        b.putInt(payload).putInt(0).put(FORMAT).putLong(0).putLong(r.timeMillis());
        b.putShort((short) boot.length).put(boot).putShort((short) channel.length).put(channel);
        if (unit == null) b.putShort((short) -1);
        else b.putShort((short) unit.length).put(unit);
        b.put((byte) switch (r.value()) {
            case Value.Number n -> 0;
            case Value.Bool bo -> 1;
            case Value.Text t -> 2;
            case Value.Data d -> 3;
        });
        b.putInt(value.length).put(value);
        return b.array();
    }

    private void ensureUsable() throws IOException {
        if (closed) throw new IOException("outbox " + dir + " is closed");
        IOException b = broken;
        if (b != null) throw new IOException("outbox " + dir + " refuses writes after a failed fsync; reopen it", b);
    }

    /** Rolls a full segment and drops the oldest segments while the budget would overflow. Under lock. */
    private void makeRoom(int frameBytes) throws IOException {
        Segment active = segments.getLast();
        if (active.size + frameBytes > segmentBytes && active.count > 0) roll();
        while (bytesOnFlash + frameBytes > budgetBytes && segments.size() > 1) {
            Segment oldest = segments.removeFirst();
            int unacked = oldest.count - oldest.firstAfter(acked);
            dropped += unacked;
            pendingCount -= unacked;
            delete(oldest);
            LOG.warn("outbox {} is full ({} bytes): dropped the {} oldest unacknowledged readings",
                    dir, budgetBytes, unacked);
        }
    }

    interface IoCall<T> { T call() throws IOException; }

    /**
     * Runs file work that {@link Segment#io} does not guard (creating a segment, syncing the
     * folder, writing the ack mark) on a caller that may be interrupted at any moment (a stopping
     * sampler or pump): an interrupt closes the channel in use, which is no disk error, so the work
     * is redone with the interrupt held back and the interrupt status restored afterwards.
     */
    private static <T> T shielded(IoCall<T> work) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 0; ; attempt++) {
                try {
                    return work.call();
                } catch (java.nio.channels.ClosedByInterruptException e) {
                    interrupted |= Thread.interrupted();
                    if (attempt >= 10) throw e;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Makes everything written durable and starts a new segment named after the next sequence. Under lock. */
    private void roll() throws IOException {
        Segment old = segments.getLast();
        try {
            old.io(c -> { c.force(false); return null; });
        } catch (IOException e) {
            broken = e; // as in awaitDurable: never retry a failed fsync
            throw e;
        }
        markSynced(written);
        Segment fresh = shielded(() -> Segment.create(dir, nextSeq));
        segments.addLast(fresh);
    }

    private void delete(Segment s) throws IOException {
        s.retire();
        Files.deleteIfExists(s.path);
        shielded(() -> { FileKeyValueStore.syncDirectory(dir); return null; });
        bytesOnFlash -= s.size;
    }

    private void markSynced(long seq) {
        syncLock.lock();
        try {
            if (seq > synced) synced = seq;
            syncDone.signalAll();
        } finally {
            syncLock.unlock();
        }
    }

    /** Waits until a group commit covers seq; the commit itself runs on the sync thread. */
    private void awaitDurable(long seq) throws IOException {
        syncLock.lock();
        try {
            while (synced < seq) {
                IOException b = broken;
                if (b != null) throw new IOException("outbox " + dir + ": fsync failed, reading " + seq + " may not be durable", b);
                if (closed) throw new IOException("outbox " + dir + " closed before reading " + seq + " was durable");
                if (wanted < seq) {
                    wanted = seq;
                    syncWanted.signal();
                }
                try {
                    syncDone.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the reading is written and will still become durable
                    throw new InterruptedIOException("interrupted while waiting for reading " + seq + " to become durable");
                }
            }
        } finally {
            syncLock.unlock();
        }
    }

    /**
     * The sync thread: fdatasyncs whatever was written while appenders asked for it, then wakes
     * them all; appends arriving during an fsync are covered by the next one. It runs on its own
     * thread because FileChannel closes itself when the thread in force() is interrupted, and
     * appenders (samplers) do get interrupted when they are stopped.
     */
    private void syncLoop() {
        syncLock.lock();
        try {
            while (true) {
                while (!stopSync && wanted <= synced) syncWanted.awaitUninterruptibly();
                if (stopSync) return;
                syncLock.unlock();
                long target;
                Segment active;
                IOException failure = null;
                lock.lock();
                try {
                    target = written;
                    active = segments.getLast();
                } finally {
                    lock.unlock();
                }
                try {
                    active.io(c -> { c.force(false); return null; });
                    fsyncs.incrementAndGet();
                } catch (IOException e) {
                    failure = e; // a segment retired by a roll+delete was forced before
                }
                syncLock.lock();
                if (failure == null || synced >= target) {
                    if (target > synced) synced = target;
                } else {
                    broken = failure;
                    LOG.error("outbox {}: fsync failed; no further appends", dir, failure);
                }
                syncDone.signalAll();
            }
        } finally {
            syncLock.unlock();
        }
    }

    // ---------------------------------------------------------------- read and acknowledge

    @Override
    public List<Entry> pending(long after, int max) throws IOException {
        List<Entry> out = new ArrayList<>(Math.min(Math.max(max, 0), 1024));
        lock.lock();
        try {
            if (closed) throw new IOException("outbox " + dir + " is closed");
            long durable = synced;
            for (Segment s : segments) {
                for (int i = s.firstAfter(Math.max(acked, after)); i < s.count && out.size() < max; i++) {
                    if (s.seqs[i] > durable) return out;
                    long start = s.offsets[i];
                    long end = i + 1 < s.count ? s.offsets[i + 1] : s.size; // the frame, or more after a removal
                    ByteBuffer buf = ByteBuffer.allocate((int) (end - start));
                    s.io(c -> {
                        while (buf.hasRemaining() && c.read(buf, start + buf.position()) >= 0) { }
                        return null;
                    });
                    Entry e = buf.hasRemaining() ? null : decode(buf.array(), 0);
                    if (e == null) { // flash damage since open: one unreadable record must not stall the uplink
                        LOG.warn("outbox {}: reading {} in {} fails its checksum; dropped it",
                                dir, s.seqs[i], s.path.getFileName());
                        s.removeAt(i--);
                        dropped++;
                        pendingCount--;
                        continue;
                    }
                    out.add(e);
                }
                if (out.size() >= max) break;
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void acknowledge(long seq) throws IOException {
        lock.lock();
        try {
            if (closed) throw new IOException("outbox " + dir + " is closed");
            long upTo = Math.min(seq, synced);
            if (upTo <= acked) return;
            shielded(() -> { state.put(ACK_KEY, Long.toString(upTo)); return null; }); // before deleting: a crash in between only resends
            for (Segment s : segments) pendingCount -= s.firstAfter(upTo) - s.firstAfter(acked);
            acked = upTo;
            Segment active = segments.getLast();
            if (active.count > 0 && active.seqs[active.count - 1] <= acked && active.size >= segmentBytes / 4) roll();
            while (segments.size() > 1) {
                Segment first = segments.getFirst();
                if (first.count > 0 && first.seqs[first.count - 1] > acked) break;
                delete(segments.removeFirst());
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Stats stats() {
        lock.lock();
        try {
            return new Stats(pendingCount, bytesOnFlash, dropped, synced);
        } finally {
            lock.unlock();
        }
    }

    public Recovery recovery() { return recovery; }

    /** Group commits so far: appends divided by this is how many readings share an fsync. */
    public long groupCommits() { return fsyncs.get(); }

    @Override
    public void close() throws IOException {
        syncLock.lock();
        try {
            stopSync = true;
            syncWanted.signalAll();
        } finally {
            syncLock.unlock();
        }
        if (syncer != null && syncer != Thread.currentThread()) {
            try {
                syncer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            if (closed) return;
            IOException first = null;
            if (broken == null) {
                try {
                    segments.getLast().io(c -> { c.force(false); return null; });
                    markSynced(written);
                } catch (IOException e) {
                    first = e;
                }
            }
            closed = true;
            markSynced(synced); // wake waiters so they see closed
            closeChannels();
            if (first != null) throw first;
        } finally {
            lock.unlock();
        }
    }

    private void closeChannels() throws IOException {
        for (Segment s : segments) s.retire();
        dirLock.release();
        lockFile.close();
    }

    // ---------------------------------------------------------------- recovery

    private Recovery recover() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, SEGMENT_PREFIX + "*" + SEGMENT_SUFFIX)) {
            for (Path p : ds) if (baseOf(p) >= 0) files.add(p);
        }
        files.sort(null); // zero-padded names sort by sequence
        long prev = -1; // sequences grow across all segments, acknowledged ones included
        long maxBase = -1;
        long truncated = 0, skipped = 0, records = 0;
        for (int f = 0; f < files.size(); f++) {
            Path p = files.get(f);
            long base = baseOf(p);
            maxBase = Math.max(maxBase, base);
            if (Files.size(p) > MAX_SEGMENT + HEADER + MAX_PAYLOAD)
                throw new IOException(p + " is larger than any outbox segment can be; it is not Lichen's: move it out of " + dir);
            byte[] data = Files.readAllBytes(p);
            Segment s = Segment.openExisting(p, base);
            segments.addLast(s);
            int pos = 0;
            long segSkipped = 0;
            List<int[]> keep = new ArrayList<>(); // [from, to) of kept frames when rewriting
            while (pos < data.length) {
                int len = frameAt(data, pos, Math.max(prev, base - 1));
                if (len > 0) {
                    long seq = ByteBuffer.wrap(data, pos + HEADER + 1, 8).getLong();
                    keep.add(new int[] {pos, pos + len});
                    s.add(seq, pos, 0);
                    prev = seq;
                    pos += len;
                    continue;
                }
                int next = pos + 1;
                while (next < data.length && frameAt(data, next, Math.max(prev, base - 1)) <= 0) next++;
                if (next >= data.length) break; // no good frame follows: a torn tail
                segSkipped += next - pos;
                LOG.warn("outbox {}: skipped {} damaged bytes at offset {} of {}",
                        dir, next - pos, pos, p.getFileName());
                pos = next;
            }
            long good = keep.isEmpty() ? 0 : keep.getLast()[1];
            truncated += data.length - good;
            if (segSkipped > 0) {
                s.rewrite(data, keep); // garbage in the middle: keep the frames on both sides
                skipped += segSkipped;
            } else {
                if (good < data.length) {
                    LOG.warn("outbox {}: cut a torn tail of {} bytes from {}",
                            dir, data.length - good, p.getFileName());
                    s.ch.truncate(good);
                    s.ch.force(false);
                }
                s.size = good;
            }
            records += s.count;
        }
        // compact what the last run acknowledged but did not get to delete, and empty leftovers
        while (segments.size() > 1) {
            Segment first = segments.getFirst();
            if (first.count > 0 && first.seqs[first.count - 1] > acked) break;
            segments.removeFirst();
            first.retire();
            Files.deleteIfExists(first.path);
        }
        long last = prev;
        nextSeq = Math.max(Math.max(maxBase, last + 1), acked + 1);
        if (segments.isEmpty()) segments.addLast(Segment.create(dir, nextSeq));
        FileKeyValueStore.syncDirectory(dir);
        segments.getLast().ch.force(false); // what a killed process left in the page cache is durable from here on
        written = nextSeq - 1;
        synced = written;
        for (Segment s : segments) {
            bytesOnFlash += s.size;
            pendingCount += s.count - s.firstAfter(acked);
        }
        Recovery r = new Recovery(files.size(), records, truncated, skipped);
        if (truncated > 0 || skipped > 0) LOG.warn("outbox {} recovered: {}", dir, r);
        return r;
    }

    /** Length of a valid frame at pos whose sequence exceeds prev, or -1. */
    static int frameAt(byte[] d, int pos, long prev) {
        if (d.length - pos < HEADER + MIN_PAYLOAD) return -1;
        ByteBuffer b = ByteBuffer.wrap(d);
        int len = b.getInt(pos);
        if (len < MIN_PAYLOAD || len > MAX_PAYLOAD || len > d.length - pos - HEADER) return -1;
        CRC32C crc = new CRC32C();
        crc.update(d, pos, 4);
        crc.update(d, pos + HEADER, len);
        if ((int) crc.getValue() != b.getInt(pos + 4) || d[pos + HEADER] != FORMAT) return -1;
        long seq = b.getLong(pos + HEADER + 1);
        return seq > prev ? HEADER + len : -1;
    }

    /** The entry of the checked frame at pos, or null if the checksum or the layout does not hold. */
    static Entry decode(byte[] d, int pos) {
        int frameLen = frameAt(d, pos, Long.MIN_VALUE);
        if (frameLen <= 0) return null;
        try {
            ByteBuffer b = ByteBuffer.wrap(d, pos + HEADER + 1, frameLen - HEADER - 1);
            long seq = b.getLong();
            long time = b.getLong();
            String boot = string(b, b.getShort());
            String channel = string(b, b.getShort());
            short unitLen = b.getShort();
            String unit = unitLen == -1 ? null : string(b, unitLen);
            int kind = b.get();
            byte[] v = new byte[b.getInt()];
            b.get(v);
            Value value = switch (kind) {
                case 0 -> new Value.Number(ByteBuffer.wrap(v).getDouble());
                case 1 -> new Value.Bool(v[0] != 0);
                case 2 -> new Value.Text(new String(v, StandardCharsets.UTF_8));
                case 3 -> new Value.Data(v);
                default -> null;
            };
            return value == null ? null : new Entry(seq, boot, new Reading(channel, unit, value, time));
        } catch (BufferUnderflowException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            return null;
        }
    }

    private static String string(ByteBuffer b, int len) {
        byte[] s = new byte[len & 0xffff];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static long baseOf(Path p) {
        String n = p.getFileName().toString();
        String digits = n.substring(SEGMENT_PREFIX.length(), n.length() - SEGMENT_SUFFIX.length());
        if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit)) return -1;
        return Long.parseLong(digits);
    }

    /** One segment file and the sequence/offset of each record in it (12 bytes a record in memory). */
    private static final class Segment {
        final Path path;
        final long base;
        volatile FileChannel ch;
        private boolean retired;
        long size;
        int count;
        long[] seqs = new long[64];
        int[] offsets = new int[64]; // segments stay far below 2 GiB

        private Segment(Path path, long base, FileChannel ch) {
            this.path = path;
            this.base = base;
            this.ch = ch;
        }

        static Segment create(Path dir, long base) throws IOException {
            Path p = dir.resolve(String.format(Locale.ROOT, "%s%020d%s", SEGMENT_PREFIX, base, SEGMENT_SUFFIX));
            FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            ch.truncate(0);
            ch.force(true);
            FileKeyValueStore.syncDirectory(dir); // the name carries the next sequence: make it durable
            return new Segment(p, base, ch);
        }

        static Segment openExisting(Path p, long base) throws IOException {
            return new Segment(p, base, FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE));
        }

        void add(long seq, long offset, int bytes) {
            if (count == seqs.length) {
                seqs = Arrays.copyOf(seqs, count * 2);
                offsets = Arrays.copyOf(offsets, count * 2);
            }
            seqs[count] = seq;
            offsets[count] = (int) offset;
            count++;
            size += bytes;
        }

        interface Op<T> { T on(FileChannel c) throws IOException; }

        /**
         * Runs op on the channel. A FileChannel closes itself when a thread using it is interrupted
         * (a sampler or the pump being stopped), which would take the outbox down for every other
         * thread: the caller's interrupt is held back during the I/O and, if the channel was closed
         * by an interrupt anyway, it is reopened and op retried (the close was not a disk error, so
         * a retried fsync is honest). The caller's interrupt status is restored afterwards.
         */
        <T> T io(Op<T> op) throws IOException {
            boolean interrupted = Thread.interrupted();
            try {
                for (int attempt = 0; ; attempt++) {
                    FileChannel c = ch;
                    try {
                        return op.on(c);
                    } catch (ClosedChannelException e) {
                        interrupted |= Thread.interrupted();
                        synchronized (this) {
                            if (retired || attempt >= 10) throw e;
                            if (ch == c) ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                        }
                    }
                }
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        /** Closes the channel for good (segment deleted or outbox closed). */
        synchronized void retire() throws IOException {
            retired = true;
            ch.close();
        }

        /** Forgets record i (its bytes stay until the segment is deleted). */
        void removeAt(int i) {
            System.arraycopy(seqs, i + 1, seqs, i, count - i - 1);
            System.arraycopy(offsets, i + 1, offsets, i, count - i - 1);
            count--;
        }

        /** Index of the first record with a sequence above seq. */
        int firstAfter(long seq) {
            int i = Arrays.binarySearch(seqs, 0, count, seq);
            return i >= 0 ? i + 1 : -i - 1;
        }

        /** Replaces the file by its kept frames (temp, fsync, rename, fsync dir) and renumbers offsets. */
        void rewrite(byte[] data, List<int[]> keep) throws IOException {
            Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
            long at = 0;
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (int i = 0; i < keep.size(); i++) {
                    int[] k = keep.get(i);
                    offsets[i] = (int) at;
                    ByteBuffer buf = ByteBuffer.wrap(data, k[0], k[1] - k[0]);
                    while (buf.hasRemaining()) at += out.write(buf);
                }
                out.force(true);
            }
            ch.close();
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            FileKeyValueStore.syncDirectory(path.getParent());
            ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            size = at;
        }
    }
}
