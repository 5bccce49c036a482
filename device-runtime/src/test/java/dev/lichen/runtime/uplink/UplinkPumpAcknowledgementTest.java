package dev.lichen.runtime.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.storage.FileOutbox;
import dev.lichen.runtime.storage.Outbox;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the pump acknowledges what the gateway took: not between one batch and the next. */
class UplinkPumpAcknowledgementTest {
    private static final UplinkPump.Options PUMP = new UplinkPump.Options(50, Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofMillis(50));

    /** The real outbox, with what happens to it written down in order. */
    private static final class Recorded implements Outbox {
        final FileOutbox outbox;
        final List<String> events;
        final java.util.concurrent.atomic.AtomicLong entriesRead = new java.util.concurrent.atomic.AtomicLong();

        Recorded(FileOutbox outbox, List<String> events) {
            this.outbox = outbox;
            this.events = events;
        }

        public Entry append(String bootId, Reading reading) throws IOException { return outbox.append(bootId, reading); }
        public List<Entry> pending(long after, int max) throws IOException {
            List<Entry> p = outbox.pending(after, max);
            entriesRead.addAndGet(p.size());
            return p;
        }
        public void acknowledge(long seq) throws IOException {
            events.add("ack " + seq);
            outbox.acknowledge(seq);
        }
        public Stats stats() { return outbox.stats(); }
        public void close() throws IOException { outbox.close(); }
    }

    private static Reading reading(int i) {
        return new Reading("temperature", "Cel", new Value.Number(20 + i), 1_764_170_000_000L + i * 1000L);
    }

    @Test
    void aBootsFirstReadingIsNotHeldBackByTheAcknowledgementOfTheBacklogBeforeIt(@TempDir Path dir) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (FileOutbox file = FileOutbox.open(dir.resolve("outbox"), 1 << 20)) {
            // what a power cut left unacknowledged (boot 1), then the new boot's first reading: two packs
            for (int i = 0; i < 3; i++) file.append("1-aaaa", reading(i));
            file.append("2-bbbb", reading(3));
            Recorded outbox = new Recorded(file, events);
            Uplink gateway = new Uplink() {
                public void deliver(Batch b) {
                    events.add("deliver " + b.bootId() + " " + b.firstSeq() + "+" + b.readings().size());
                }
                public String describe() { return "test"; }
                public void close() {}
            };
            try (UplinkPump pump = new UplinkPump("d", outbox, gateway, Clock.SYSTEM, PUMP).start()) {
                long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (file.stats().pending() > 0 && System.nanoTime() < end) Thread.sleep(10);
                assertEquals(0, file.stats().pending(), "all acknowledged once nothing is left to send: " + events);
            }
            assertTrue(file.pending(10).isEmpty());
        }
        // both packs went out before the one (cumulative) acknowledgement
        assertEquals(List.of("deliver 1-aaaa 0+3", "deliver 2-bbbb 3+1", "ack 3"), events.subList(0, 3), events.toString());
    }

    @Test
    void aLongBacklogIsAcknowledgedAsItDrainsNotOnlyAtTheEnd(@TempDir Path dir) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (FileOutbox file = FileOutbox.open(dir.resolve("outbox"), 1 << 22)) {
            int n = UplinkPump.ACK_EVERY * 3;
            for (int i = 0; i < n; i++) file.append("1-aaaa", reading(i));
            Recorded outbox = new Recorded(file, events);
            Uplink gateway = new Uplink() {
                public void deliver(Batch b) { events.add("deliver " + b.firstSeq()); }
                public String describe() { return "test"; }
                public void close() {}
            };
            try (UplinkPump pump = new UplinkPump("d", outbox, gateway, Clock.SYSTEM, PUMP).start()) {
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (file.stats().pending() > 0 && System.nanoTime() < end) Thread.sleep(10);
                assertEquals(0, file.stats().pending());
            }
            List<Long> acks = events.stream().filter(e -> e.startsWith("ack ")).map(e -> Long.parseLong(e.substring(4))).toList();
            assertTrue(acks.size() >= 3, "acknowledged every " + UplinkPump.ACK_EVERY + " readings or so: " + acks);
            assertEquals((long) n - 1, acks.getLast());
            for (int i = 1; i < acks.size(); i++) assertTrue(acks.get(i) > acks.get(i - 1), "cumulative, growing: " + acks);
            assertTrue(acks.getFirst() < n - 1 - UplinkPump.ACK_EVERY, "the first well before the end: " + acks);
            assertEquals(n, outbox.entriesRead.get(), "each reading read from the outbox once, not again until acknowledged");
        }
    }
}
