package dev.lichen.sim.board;

import dev.lichen.runtime.storage.Outbox;
import dev.lichen.senml.Reading;
import java.io.IOException;
import java.util.List;

/** The device's real outbox, noting in the simulation's log each reading once it is durable. */
final class RecordingOutbox implements Outbox {
    private final String deviceId;
    private final Outbox outbox;
    private final ReadingLog log;

    RecordingOutbox(String deviceId, Outbox outbox, ReadingLog log) {
        this.deviceId = deviceId;
        this.outbox = outbox;
        this.log = log;
    }

    @Override
    public Entry append(String bootId, Reading reading) throws IOException {
        Entry e = outbox.append(bootId, reading);
        log.add(new TakenReading(deviceId, e.bootId(), e.seq(), e.reading()));
        return e;
    }

    @Override public List<Entry> pending(long after, int max) throws IOException { return outbox.pending(after, max); }

    @Override public void acknowledge(long seq) throws IOException { outbox.acknowledge(seq); }

    @Override public Stats stats() { return outbox.stats(); }

    @Override public void close() throws IOException { outbox.close(); }
}
