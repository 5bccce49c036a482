package dev.lichen.runtime.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What a receiving gateway saw, in arrival order, WITHOUT dedup: every (boot, seq) is kept as
 * often as it came, so duplicates are counted, not hidden.
 */
public final class Arrivals {
    public record Seen(String bootId, long seq, Reading reading) {}

    private final List<Seen> seen = new ArrayList<>();

    public synchronized void add(Batch b) {
        for (int i = 0; i < b.readings().size(); i++) {
            seen.add(new Seen(b.bootId(), b.firstSeq() + i, b.readings().get(i)));
        }
    }

    public synchronized int total() {
        return seen.size();
    }

    public synchronized int distinct() {
        return (int) seen.stream().map(s -> s.bootId() + "/" + s.seq()).distinct().count();
    }

    public synchronized List<Seen> all() {
        return List.copyOf(seen);
    }

    /**
     * What at-least-once delivery in order promises: the first arrivals of each reading are
     * exactly the expected readings, in sequence order, with their values intact; any later
     * arrival of a reading is a re-send of one already seen (a retry whose ack was lost), never a
     * reading overtaking an older one. Returns the number of duplicates.
     */
    public synchronized int assertAtLeastOnceInOrder(String bootId, List<Long> expectedSeqs, Map<Long, Reading> expected) {
        LinkedHashSet<Long> firsts = new LinkedHashSet<>();
        Map<Long, Integer> times = new HashMap<>();
        long maxSoFar = Long.MIN_VALUE;
        for (Seen s : seen) {
            assertEquals(bootId, s.bootId(), "boot id");
            times.merge(s.seq(), 1, Integer::sum);
            if (firsts.add(s.seq())) {
                assertTrue(s.seq() > maxSoFar, "reading " + s.seq() + " arrived after " + maxSoFar + ": out of order");
                maxSoFar = s.seq();
                if (expected != null) assertEquals(expected.get(s.seq()), s.reading(), "reading " + s.seq() + " changed on the way");
            }
        }
        assertEquals(expectedSeqs, new ArrayList<>(firsts), "every reading arrives, in order");
        int duplicates = seen.size() - firsts.size();
        System.out.printf("arrivals: %d readings, %d distinct, %d duplicates (re-sends after a lost ack)%n",
                seen.size(), firsts.size(), duplicates);
        return duplicates;
    }
}
