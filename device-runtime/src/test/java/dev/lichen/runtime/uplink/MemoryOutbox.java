package dev.lichen.runtime.uplink;

import dev.lichen.runtime.storage.Outbox;
import dev.lichen.senml.Reading;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** An outbox in memory: the pump's side of the contract without the file underneath. */
public final class MemoryOutbox implements Outbox {
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long next = 1;

    @Override
    public synchronized Entry append(String bootId, Reading reading) {
        Entry e = new Entry(next++, bootId, reading);
        entries.add(e);
        return e;
    }

    @Override
    public synchronized List<Entry> pending(int max) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (out.size() == max) break;
            out.add(e);
        }
        return out;
    }

    @Override
    public synchronized void acknowledge(long seq) {
        while (!entries.isEmpty() && entries.peekFirst().seq() <= seq) entries.removeFirst();
    }

    @Override
    public synchronized Stats stats() {
        return new Stats(entries.size(), 0, 0, next - 1);
    }

    @Override
    public void close() {}
}
