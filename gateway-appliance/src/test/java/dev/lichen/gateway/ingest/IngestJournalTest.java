package dev.lichen.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's files: a finished segment goes once nothing in it waits, and a restart reads back what is left. */
class IngestJournalTest {
    @TempDir Path dir;

    private long segments() throws Exception {
        try (var files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void finishedSegmentsAreDeletedOnlyOnceEveryPackInThemIsStored() throws Exception {
        List<Long> segs = new ArrayList<>();
        byte[] pack = new byte[100_000];
        try (var j = new IngestJournal(dir)) {
            for (int i = 0; i < 100; i++) { // 10 MB: three segments
                pack[0] = (byte) i;
                segs.add(j.add(Protocol.MQTT, 1, pack.clone()));
                j.sync();
            }
            assertEquals(3, segments());
            long first = segs.getFirst();
            // all but the first pack of the first segment are stored
            long[] most = segs.subList(1, segs.size()).stream().mapToLong(Long::longValue).toArray();
            j.release(most);
            assertEquals(2, segments(), "the second segment went; the first still holds a waiting pack");
            j.release(new long[] {first});
            assertEquals(1, segments(), "only the active segment is left");
        }
    }

    @Test
    void aRestartReadsBackEveryRecordOfTheSegmentsLeft() throws Exception {
        try (var j = new IngestJournal(dir)) {
            j.add(Protocol.COAP, 0, new byte[] {1, 2, 3});
            j.add(Protocol.COAPS, 1, new byte[] {4});
            j.sync();
        }
        var again = new IngestJournal(dir);
        var rec = again.recovery();
        assertEquals(2, rec.records().size());
        assertEquals(Protocol.COAP.ordinal(), rec.records().get(0).protocol());
        assertArrayEquals(new byte[] {1, 2, 3}, rec.records().get(0).bytes());
        assertEquals(Protocol.COAPS.ordinal(), rec.records().get(1).protocol());
        assertEquals(1, rec.records().get(1).format());
        assertEquals(0, rec.cutBytes());
        again.replayDone();
        assertEquals(0, segments());
        again.close();
    }
}
