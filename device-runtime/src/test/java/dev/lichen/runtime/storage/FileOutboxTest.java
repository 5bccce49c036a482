package dev.lichen.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileOutboxTest {
    static final long T0 = 1_764_170_000_000L;
    @TempDir Path dir;

    static Reading reading(long i) {
        return new Reading("temperature", "Cel", new Value.Number(20 + i / 100.0), T0 + i * 1000);
    }

    static List<Long> seqs(List<Outbox.Entry> es) { return es.stream().map(Outbox.Entry::seq).toList(); }

    static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
        }
    }

    static long segmentBytes(Path dir) throws IOException {
        long sum = 0;
        for (Path p : segmentFiles(dir)) sum += Files.size(p);
        return sum;
    }

    List<Long> appendN(FileOutbox o, int n) throws IOException {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(o.append("b1", reading(i)).seq());
        return out;
    }

    @Test
    void appends_come_back_in_order_with_every_value_kind() throws Exception {
        List<Reading> rs = List.of(
                new Reading("temperature", "Cel", new Value.Number(-0.0), T0),
                new Reading("door", null, new Value.Bool(true), T0 + 1),
                new Reading("label", null, new Value.Text("Küche ☕"), T0 + 2),
                new Reading("raw", null, new Value.Data(new byte[] {0, 1, (byte) 0xff}), T0 + 3));
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20)) {
            for (Reading r : rs) o.append("boot-7", r);
            List<Outbox.Entry> p = o.pending(10);
            assertEquals(List.of(0L, 1L, 2L, 3L), seqs(p));
            for (int i = 0; i < 3; i++) assertEquals(rs.get(i), p.get(i).reading());
            assertEquals("boot-7", p.get(0).bootId());
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(((Value.Number) p.get(0).reading().value()).value()));
            assertArrayEquals(new byte[] {0, 1, (byte) 0xff}, ((Value.Data) p.get(3).reading().value()).value());
            assertEquals(List.of(0L, 1L), seqs(o.pending(2)));
            assertEquals(List.of(2L, 3L), seqs(o.pending(1, 10)), "after a sequence: what a sender has not sent yet");
            assertEquals(List.of(0L, 1L), seqs(o.pending(-5, 2)), "a sequence before the first changes nothing");
            o.acknowledge(1);
            assertEquals(List.of(2L, 3L), seqs(o.pending(10)));
            assertEquals(List.of(2L, 3L), seqs(o.pending(0, 10)), "never what is acknowledged");
            assertEquals(new Outbox.Stats(2, o.stats().bytesOnFlash(), 0, 3), o.stats());
        }
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20)) {
            assertEquals(List.of(2L, 3L), seqs(o.pending(10)), "the acknowledgement survives a restart");
        }
    }

    @Test
    void unsendable_readings_are_refused_and_nothing_is_written() throws Exception {
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20)) {
            var nan = assertThrows(IllegalArgumentException.class, () -> o.append("b", new Reading("t", "Cel", new Value.Number(Double.NaN), T0)));
            assertTrue(nan.getMessage().contains("NOT_FINITE"), nan.getMessage());
            assertThrows(IllegalArgumentException.class, () -> o.append("b", new Reading("t t", "Cel", new Value.Number(1), T0)));
            assertThrows(IllegalArgumentException.class, () -> o.append("b", new Reading("t", "degC", new Value.Number(1), T0)));
            assertThrows(IllegalArgumentException.class, () -> o.append("bad boot", reading(0)));
            assertEquals(0, o.stats().pending());
            assertEquals(0, o.append("b", reading(0)).seq());
        }
    }

    @Test
    void a_garbled_acknowledgement_resends_rather_than_loses() throws Exception {
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20)) {
            appendN(o, 5);
            o.acknowledge(2);
        }
        Files.writeString(dir.resolve("acked"), "\u0000\u0000garbage");
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20)) {
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), seqs(o.pending(10)));
            assertEquals(5, o.append("b", reading(5)).seq());
        }
    }

    @Test
    void a_second_opener_is_refused() throws Exception {
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20)) {
            var e = assertThrows(IOException.class, () -> FileOutbox.open(dir, 1 << 20));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void restart_keeps_sequences_growing_even_when_everything_was_compacted() throws Exception {
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20, 4096)) {
            appendConcurrently(o, 200);
            o.acknowledge(199);
            assertEquals(0, o.stats().pending());
        }
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20, 4096)) {
            assertEquals(List.of(), o.pending(10));
            assertEquals(200, o.append("b2", reading(0)).seq());
        }
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20, 4096)) {
            assertEquals(List.of(200L), seqs(o.pending(10)));
            assertEquals(201, o.append("b3", reading(0)).seq());
        }
    }

    @Test
    void acknowledging_compacts_segments_away() throws Exception {
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20, 4096)) {
            List<Long> s = appendConcurrently(o, 1000);
            long before = segmentBytes(dir);
            assertTrue(segmentFiles(dir).size() > 5, "1000 readings fill several 4 KiB segments");
            assertEquals(before, o.stats().bytesOnFlash());
            o.acknowledge(s.get(499));
            assertTrue(segmentBytes(dir) < before * 0.6, "half acknowledged: " + segmentBytes(dir) + " of " + before);
            assertEquals(500, o.stats().pending());
            assertEquals(500L, o.pending(1).getFirst().seq());
            o.acknowledge(s.getLast());
            assertTrue(segmentBytes(dir) < 4096, "all acknowledged: " + segmentBytes(dir) + " bytes left");
            assertEquals(segmentBytes(dir), o.stats().bytesOnFlash());
            assertEquals(1000, o.append("b", reading(0)).seq());
        }
    }

    @Test
    void a_full_budget_drops_the_oldest_and_counts_them() throws Exception {
        long budget = 16 * 1024;
        int appended = 2000;
        try (FileOutbox o = FileOutbox.open(dir, budget, 4096)) {
            appendConcurrently(o, appended);
            Outbox.Stats st = o.stats();
            assertTrue(st.dropped() > 0, "a 16 KiB budget cannot hold 2000 readings");
            assertTrue(segmentBytes(dir) <= budget, segmentBytes(dir) + " bytes on flash, budget " + budget);
            List<Outbox.Entry> p = o.pending(Integer.MAX_VALUE);
            assertEquals(st.pending(), p.size());
            assertEquals(appended, p.size() + st.dropped(), "every reading is either pending or counted as dropped");
            assertEquals(appended - 1, p.getLast().seq(), "the newest are kept");
            assertEquals(st.dropped(), p.getFirst().seq(), "the oldest went first");
        }
    }

    @Test
    void concurrent_appenders_get_unique_sequences_in_file_order() throws Exception {
        var seen = ConcurrentHashMap.<Long>newKeySet();
        try (FileOutbox o = FileOutbox.open(dir, 8 << 20); var ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 16; t++)
                ex.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        try { seen.add(o.append("b", reading(i)).seq()); } catch (IOException e) { throw new UncheckedIOException(e); }
                    }
                    return null;
                });
            ex.shutdown();
            ex.close();
            assertEquals(3200, seen.size());
            List<Long> p = seqs(o.pending(Integer.MAX_VALUE));
            assertEquals(3200, p.size());
            for (int i = 0; i < p.size(); i++) assertEquals(i, p.get(i));
        }
    }

    @Test
    void interrupting_appenders_and_readers_does_not_break_the_outbox() throws Exception {
        try (FileOutbox o = FileOutbox.open(dir, 8 << 20)) {
            var durable = ConcurrentHashMap.<Long>newKeySet();
            var failures = new java.util.concurrent.ConcurrentLinkedQueue<Throwable>();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++)
                workers.add(Thread.ofVirtual().uncaughtExceptionHandler((th, e) -> failures.add(e)).start(() -> {
                    for (int i = 0; i < 300; i++) {
                        try {
                            durable.add(o.append("b", reading(i)).seq());
                        } catch (IOException e) {
                            // an interrupted append may fail (InterruptedIOException); the outbox must not
                            if (!(e instanceof java.io.InterruptedIOException)) throw new UncheckedIOException(e);
                        }
                        if (i % 50 == 0) {
                            try { o.pending(20); } catch (IOException e) { throw new UncheckedIOException(e); }
                        }
                    }
                }));
            Random rnd = new Random(11);
            while (workers.stream().anyMatch(Thread::isAlive)) {
                workers.get(rnd.nextInt(workers.size())).interrupt(); // as a stopping sampler or pump gets
                Thread.sleep(0, 200_000);
            }
            for (Thread w : workers) w.join();
            assertEquals(List.of(), List.copyOf(failures), "only InterruptedIOException may reach an interrupted caller");
            Outbox.Entry after = o.append("b", reading(0)); // FileChannel closes itself on interrupt: this proves it was reopened
            List<Long> p = seqs(o.pending(Integer.MAX_VALUE));
            assertTrue(p.containsAll(durable), "every durable append is pending");
            assertEquals(after.seq(), p.getLast());
            for (int i = 1; i < p.size(); i++) assertTrue(p.get(i) > p.get(i - 1));
        }
    }

    /** n appends from 32 virtual threads, so group commits keep the test short; returns the sorted seqs. */
    static List<Long> appendConcurrently(FileOutbox o, int n) throws Exception {
        var seen = ConcurrentHashMap.<Long>newKeySet();
        try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 32; t++) {
                int share = n / 32 + (t < n % 32 ? 1 : 0);
                ex.submit(() -> {
                    for (int i = 0; i < share; i++) seen.add(o.append("b", reading(i)).seq());
                    return null;
                });
            }
        }
        return seen.stream().sorted().toList();
    }

    /** Writes 100 readings in one segment, closes, and returns the frame boundaries. */
    long[] hundredReadings() throws IOException {
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20)) {
            appendN(o, 100);
        }
        Path seg = segmentFiles(dir).getFirst();
        byte[] d = Files.readAllBytes(seg);
        long[] ends = new long[100];
        int pos = 0;
        for (int i = 0; i < 100; i++) {
            pos += FileOutbox.HEADER + ByteBuffer.wrap(d).getInt(pos);
            ends[i] = pos;
        }
        assertEquals(d.length, pos);
        return ends;
    }

    @Test
    void power_cut_torn_writes_keep_every_whole_record_before_the_cut() throws Exception {
        long[] ends = hundredReadings();
        Path seg = segmentFiles(dir).getFirst();
        byte[] original = Files.readAllBytes(seg);
        Random rnd = new Random(7);
        for (int trial = 0; trial < 40; trial++) {
            int cut = trial == 0 ? original.length - 1 : rnd.nextInt(original.length);
            Files.write(seg, java.util.Arrays.copyOf(original, cut));
            int whole = 0;
            while (whole < 100 && ends[whole] <= cut) whole++;
            try (FileOutbox o = FileOutbox.open(dir, 1 << 20)) {
                List<Long> p = seqs(o.pending(Integer.MAX_VALUE));
                assertEquals(whole, p.size(), "cut at " + cut);
                for (int i = 0; i < whole; i++) assertEquals(i, p.get(i));
                assertEquals(cut - (whole == 0 ? 0 : ends[whole - 1]), o.recovery().truncatedBytes());
                assertEquals(whole, o.append("b", reading(0)).seq(), "appends continue after the last whole record");
            }
            try (FileOutbox o = FileOutbox.open(dir, 1 << 20)) {
                assertEquals(whole + 1, o.pending(Integer.MAX_VALUE).size(), "the repaired file reopens cleanly");
                assertEquals(0, o.recovery().truncatedBytes());
            }
            for (Path p : segmentFiles(dir)) Files.delete(p);
            Files.deleteIfExists(dir.resolve("acked"));
            Files.write(seg, original);
        }
    }

    @Test
    void garbage_appended_is_cut_and_nothing_is_lost() throws Exception {
        hundredReadings();
        Path seg = segmentFiles(dir).getFirst();
        byte[] junk = new byte[777];
        new Random(3).nextBytes(junk);
        Files.write(seg, junk, StandardOpenOption.APPEND);
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20)) {
            assertEquals(100, o.pending(Integer.MAX_VALUE).size());
            assertEquals(777, o.recovery().truncatedBytes());
            assertEquals(100, o.append("b", reading(0)).seq());
        }
    }

    @Test
    void garbage_in_the_middle_loses_only_the_damaged_records() throws Exception {
        long[] ends = hundredReadings();
        Path seg = segmentFiles(dir).getFirst();
        // smash 30 bytes starting inside record 40 (records 40 and maybe 41 are hit)
        long from = ends[39] + 5;
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            byte[] junk = new byte[30];
            new Random(5).nextBytes(junk);
            ch.write(ByteBuffer.wrap(junk), from);
        }
        int firstHit = 40, lastHit = 40;
        while (ends[lastHit] < from + 30) lastHit++;
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20)) {
            List<Long> p = seqs(o.pending(Integer.MAX_VALUE));
            List<Long> want = new ArrayList<>();
            for (long i = 0; i < 100; i++) if (i < firstHit || i > lastHit) want.add(i);
            assertEquals(want, p, "records before and after the damage are kept");
            assertEquals(ends[lastHit] - ends[39], o.recovery().skippedBytes());
            assertEquals(100, o.append("b", reading(0)).seq());
        }
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20)) {
            assertEquals(0, o.recovery().skippedBytes(), "the segment was rewritten without the damage");
            assertEquals(100 - (lastHit - firstHit + 1) + 1, o.pending(Integer.MAX_VALUE).size());
        }
    }

    @Test
    void a_record_damaged_while_open_is_skipped_and_counted() throws Exception {
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20)) {
            appendN(o, 10);
            Path seg = segmentFiles(dir).getFirst();
            byte[] d = Files.readAllBytes(seg);
            int third = 2 * (d.length / 10) + 20; // inside record 2 (all frames have one size)
            try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {(byte) ~d[third]}), third);
            }
            assertEquals(List.of(0L, 1L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), seqs(o.pending(100)));
            assertEquals(1, o.stats().dropped());
            assertEquals(9, o.stats().pending());
            o.acknowledge(9);
            assertEquals(0, o.stats().pending());
        }
    }

    @Test
    void damage_in_an_older_segment_keeps_later_segments() throws Exception {
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20, 4096)) {
            appendConcurrently(o, 300);
        }
        List<Path> files = segmentFiles(dir);
        assertTrue(files.size() >= 3);
        Path first = files.getFirst();
        long size = Files.size(first);
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
            ch.truncate(size - 3); // the end of an old segment is torn
        }
        try (FileOutbox o = FileOutbox.open(dir, 1 << 20, 4096)) {
            List<Long> p = seqs(o.pending(Integer.MAX_VALUE));
            assertEquals(299, p.size(), "only the torn record is gone");
            assertEquals(299L, p.getLast());
            assertTrue(p.stream().sorted(Comparator.naturalOrder()).toList().equals(p));
        }
    }
}
