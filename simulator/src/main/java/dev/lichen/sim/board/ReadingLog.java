package dev.lichen.sim.board;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every reading the simulation took, so that a test can check that the gateway stored each
 * exactly once. Keeping them costs memory: large runs keep only the count.
 */
public final class ReadingLog {
    private final boolean keep;
    private final ConcurrentLinkedQueue<TakenReading> taken = new ConcurrentLinkedQueue<>();
    private final AtomicLong count = new AtomicLong();

    public ReadingLog(boolean keep) {
        this.keep = keep;
    }

    void add(TakenReading r) {
        count.incrementAndGet();
        if (keep) taken.add(r);
    }

    public long count() {
        return count.get();
    }

    /** Sorted by device, then boot order of appearance is lost: by device, boot id, seq. */
    public List<TakenReading> all() {
        List<TakenReading> l = new ArrayList<>(taken);
        l.sort(Comparator.comparing(TakenReading::deviceId).thenComparing(TakenReading::bootId)
                .thenComparingLong(TakenReading::seq));
        return l;
    }
}
