package dev.lichen.gateway.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The pipeline's durable queue: packs are appended to segment files and fsynced in groups before
 * a device is acknowledged; the database writer takes them from memory later, in large batches,
 * and a segment is deleted once everything in it is in the database. After a crash the segments
 * left are replayed into the database (the store's (device, boot, seq) key drops what was
 * already there).
 *
 * <p>Why a queue of its own in front of SQLite: with 1,000 devices a group commit straight into
 * SQLite carries one pack per device, so every pack dirties its own b-tree leaf pages (about 10 MB
 * of WAL per commit). Acknowledging from this log lets the writer batch ten or more packs per
 * device, sorted, so each page it writes carries many rows (BENCHMARKS.md: 2.7 us instead of 7.6
 * us of writer CPU per reading). The log itself writes each pack once, sequentially.
 *
 * <p>On disk: {@code <dir>/j-<segment number, 12 digits>.log} (4 MB each); a record is
 * {@code u32 length | u32 CRC32C(payload) | payload}, payload = protocol ordinal, format ordinal,
 * the pack's SenML bytes as the device sent them. Used by one appending thread and one committing
 * thread. Packs handed to the pipeline already decoded (an add-on's derived readings) skip it:
 * their caller waits for the database commit itself.
 */
final class IngestJournal implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IngestJournal.class.getName());
    static final int HEADER = 8;
    /** The segment of a pack that was not journalled. */
    static final long NONE = -1;
    static final int MAX_RECORD = 4 << 20;
    /** About 20,000 packs: a few seconds at full rate, and what a restart reads back stays small. */
    private static final long SEGMENT_BYTES = 4L << 20;

    /** A journalled pack as read back after a restart. */
    record Record(int protocol, int format, byte[] bytes) {}

    /** What was found on opening. */
    record Recovery(int segments, List<Record> records, long cutBytes) {}

    private final Path dir;
    /** Packs not yet in the database, by segment; guarded by this. */
    private final TreeMap<Long, Integer> outstanding = new TreeMap<>();
    /** Segments no longer appended to, still on disk; guarded by this. */
    private final java.util.TreeSet<Long> finished = new java.util.TreeSet<>();
    private FileChannel active;
    private long activeNumber;
    private long activeBytes;
    private ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
    private final CRC32C crc = new CRC32C();
    private final Recovery recovery;
    private final List<Path> replayed;

    IngestJournal(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        List<Path> files = segments();
        List<Record> records = new ArrayList<>();
        long cut = 0;
        for (Path f : files) cut += read(f, records);
        this.recovery = new Recovery(files.size(), records, cut);
        this.replayed = files;
        this.activeNumber = files.isEmpty() ? 0 : number(files.getLast());
        if (cut > 0) LOG.log(System.Logger.Level.WARNING, "ingest journal {0}: cut {1} bytes of a torn or damaged tail", dir, cut);
    }

    Recovery recovery() { return recovery; }

    /** Called once the recovered records are in the database. */
    void replayDone() throws IOException {
        for (Path f : replayed) Files.deleteIfExists(f);
        fsyncDir();
    }

    /** Adds one record to the current write; {@link #sync} makes it durable. Returns its segment. */
    long add(Protocol protocol, int format, byte[] bytes) throws IOException {
        if (active == null || activeBytes >= SEGMENT_BYTES) roll();
        int need = HEADER + 2 + bytes.length;
        if (buffer.remaining() < need) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + need));
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
        crc.reset();
        crc.update((byte) protocol.ordinal());
        crc.update((byte) format);
        crc.update(bytes);
        buffer.putInt(2 + bytes.length).putInt((int) crc.getValue()).put((byte) protocol.ordinal()).put((byte) format).put(bytes);
        activeBytes += need;
        addedToActive++;
        return activeNumber;
    }

    /** Writes what was added and fsyncs it. */
    void sync() throws IOException {
        countAdded();
        if (buffer.position() == 0) return;
        buffer.flip();
        try {
            while (buffer.hasRemaining()) active.write(buffer);
            active.force(false);
        } finally {
            buffer.clear();
        }
    }

    /** After a failed write or sync: the next add starts a fresh segment (the old one may be damaged). */
    void abandonSegment() {
        countAdded(); // the caller releases what it added
        buffer.clear();
        activeBytes = SEGMENT_BYTES;
    }

    /** These packs no longer need the journal (stored, or answered "retry"): deletes the finished segments nothing waits on. */
    void release(long[] segmentsOfPacks) {
        List<Path> delete = new ArrayList<>();
        synchronized (this) {
            for (long s : segmentsOfPacks) {
                if (s == NONE) continue;
                Integer left = outstanding.merge(s, -1, Integer::sum);
                if (left != null && left == 0) outstanding.remove(s);
            }
            for (var it = finished.iterator(); it.hasNext(); ) {
                long s = it.next();
                if (outstanding.containsKey(s)) continue;
                it.remove();
                delete.add(file(s));
            }
        }
        for (Path p : delete) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not delete ingest journal segment " + p + ": " + e.getMessage());
            }
        }
    }

    /** Records added to the active segment since they were last counted as waiting. */
    private int addedToActive;

    /** Counts what was added as waiting, once per group rather than once per record. */
    private void countAdded() {
        if (addedToActive == 0) return;
        synchronized (this) {
            outstanding.merge(activeNumber, addedToActive, Integer::sum);
        }
        addedToActive = 0;
    }

    private void roll() throws IOException {
        countAdded();
        if (active != null) {
            active.close();
            synchronized (this) {
                finished.add(activeNumber);
            }
        }
        activeNumber++;
        activeBytes = 0;
        active = FileChannel.open(file(activeNumber), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        fsyncDir();
        release(new long[0]); // the old segment may hold nothing that still waits
    }

    private Path file(long number) {
        return dir.resolve(String.format(Locale.ROOT, "j-%012d.log", number));
    }

    private static long number(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring(2, n.length() - 4));
    }

    private List<Path> segments() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "j-*.log")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.matches("j-\\d{12}\\.log")) out.add(p);
            }
        }
        out.sort(null);
        return out;
    }

    /** Reads a segment's good records; returns how many bytes after the last good one were dropped. */
    private static long read(Path f, List<Record> into) throws IOException {
        byte[] d = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(d);
        int pos = 0;
        CRC32C c = new CRC32C();
        while (d.length - pos >= HEADER + 2) {
            int len = b.getInt(pos);
            if (len < 2 || len > MAX_RECORD || len > d.length - pos - HEADER) break;
            c.reset();
            c.update(d, pos + HEADER, len);
            if ((int) c.getValue() != b.getInt(pos + 4)) break;
            byte[] bytes = new byte[len - 2];
            System.arraycopy(d, pos + HEADER + 2, bytes, 0, bytes.length);
            into.add(new Record(d[pos + HEADER], d[pos + HEADER + 1], bytes));
            pos += HEADER + len;
        }
        return d.length - pos;
    }

    private void fsyncDir() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public void close() throws IOException {
        if (active != null) active.close();
        active = null;
    }
}
