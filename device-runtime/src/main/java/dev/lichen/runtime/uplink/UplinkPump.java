package dev.lichen.runtime.uplink;

import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.clock.Interruptible;
import dev.lichen.runtime.storage.Outbox;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves readings from the outbox to the gateway, oldest first, and removes them from the outbox
 * only once the uplink reports them acknowledged. Runs on one virtual thread.
 *
 * <p>Acknowledgements are cumulative and written when the outbox has nothing more to send (or
 * every {@link #ACK_EVERY} readings of a long backlog), not after every batch: writing one is
 * three fsyncs (~0.2 s on an image's FAT partition under QEMU), which held back the next batch,
 * e.g. a boot's first reading behind the readings a power cut left unacknowledged. A crash before
 * the write resends what was delivered since the last one; the gateway drops the duplicates.
 *
 * <p>A batch the gateway cannot take now (away, timeout) is sent again after an exponential
 * backoff with jitter, so at-least-once delivery holds and the gateway dedups by (boot, seq).
 * A batch the gateway refuses as data is bisected until the refused readings are isolated;
 * only those are dropped and counted, the rest are delivered. A refused device keeps its data.
 */
public final class UplinkPump implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UplinkPump.class);

    /**
     * maxBatch caps the readings per pack so that a pack stays well under the gateway's size
     * limits (a refused oversize pack is still bisected); backoff doubles from minBackoff up to
     * maxBackoff; idlePoll bounds how long an empty outbox is left unchecked without a wake().
     */
    public record Options(int maxBatch, Duration minBackoff, Duration maxBackoff, Duration idlePoll) {
        public Options {
            if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be at least 1");
            if (minBackoff.isNegative() || maxBackoff.compareTo(minBackoff) < 0) {
                throw new IllegalArgumentException("need 0 <= minBackoff <= maxBackoff");
            }
        }

        public static Options defaults() {
            return new Options(50, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(1));
        }
    }

    public enum Link { STARTING, CONNECTED, LOST, DEVICE_REFUSED }

    public record Stats(Link link, long delivered, long refused, long backlog) {}

    private final String deviceId;
    private final Outbox outbox;
    private final Uplink uplink;
    private final Clock clock;
    private final Options options;
    private final Semaphore work = new Semaphore(0);
    private final Interruptible waits = new Interruptible();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile Link link = Link.STARTING;
    private volatile boolean running;
    private Thread thread;
    private int failures;
    private int backlogBucket = -1;
    /** Delivered (or dropped as refused) but not yet acknowledged to the outbox: up to this sequence, this many. */
    private long deliveredUpTo = Long.MIN_VALUE;
    private int unacknowledged;
    /** A long backlog is acknowledged at least this often, which bounds what a crash resends. */
    static final int ACK_EVERY = 200;

    public UplinkPump(String deviceId, Outbox outbox, Uplink uplink, Clock clock, Options options) {
        this.deviceId = deviceId;
        this.outbox = outbox;
        this.uplink = uplink;
        this.clock = clock;
        this.options = options;
    }

    public synchronized UplinkPump start() {
        if (thread != null) throw new IllegalStateException("already started");
        running = true;
        thread = Thread.ofVirtual().name("uplink-pump").start(this::run);
        return this;
    }

    /** Tells the pump that something was appended, so it need not wait for its idle poll. */
    public void wake() {
        if (work.availablePermits() == 0) work.release();
    }

    public Stats stats() {
        return new Stats(link, delivered.get(), refused.get(), outbox.stats().pending());
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t == null) return;
        // cut a wait short, never the outbox's file I/O (an interrupt would close its channel)
        waits.stop();
        try {
            if (!t.join(Duration.ofSeconds(10))) LOG.warn("uplink pump did not stop within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            loop();
        } finally {
            try {
                acknowledgeDelivered(); // a clean stop resends nothing
            } catch (IOException e) {
                LOG.warn("outbox: acknowledging delivered readings at stop failed: {}", e.getMessage());
            }
        }
    }

    private void loop() {
        while (running) {
            try {
                List<Outbox.Entry> pending = outbox.pending(deliveredUpTo, options.maxBatch());
                if (pending.isEmpty() || unacknowledged >= ACK_EVERY) acknowledgeDelivered();
                noteBacklog();
                if (pending.isEmpty()) {
                    if (waits.await(() -> work.tryAcquire(options.idlePoll().toMillis(), TimeUnit.MILLISECONDS))) {
                        work.drainPermits();
                    }
                    continue;
                }
                send(contiguousRun(pending));
                failures = 0;
            } catch (UplinkException e) {
                acknowledgeQuietly(); // the gateway took what came before: the backoff may be long
                if (!running) return; // cut short by close(): not news
                if (e.kind() == UplinkException.Kind.DEVICE_REFUSED) {
                    changeLink(Link.DEVICE_REFUSED, "gateway " + uplink.describe() + " refuses device "
                            + deviceId + ": " + e.getMessage() + "; keeping readings and retrying");
                } else {
                    changeLink(Link.LOST, "gateway lost (" + uplink.describe() + "): " + e.getMessage()
                            + "; readings stay in the outbox, retrying with backoff");
                }
                backoff();
            } catch (IOException e) {
                LOG.error("outbox failed: {}; retrying", e.getMessage());
                backoff();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // a bug must not stop delivery for good: log it loudly and keep going
                LOG.error("uplink pump error", e);
                backoff();
            }
        }
    }

    private void acknowledgeDelivered() throws IOException {
        if (unacknowledged == 0) return;
        outbox.acknowledge(deliveredUpTo);
        unacknowledged = 0;
    }

    private void acknowledgeQuietly() {
        try {
            acknowledgeDelivered();
        } catch (IOException e) {
            LOG.error("outbox failed: {}", e.getMessage());
        }
    }

    /** The longest prefix that one pack can carry: one boot id, consecutive sequence numbers. */
    private static List<Outbox.Entry> contiguousRun(List<Outbox.Entry> pending) {
        Outbox.Entry first = pending.getFirst();
        int n = 1;
        while (n < pending.size()
                && pending.get(n).bootId().equals(first.bootId())
                && pending.get(n).seq() == first.seq() + n) {
            n++;
        }
        return pending.subList(0, n);
    }

    /** Delivers a run; on a data refusal, bisects it so only the refused readings are dropped. */
    private void send(List<Outbox.Entry> run) throws UplinkException, IOException, InterruptedException {
        if (!running) throw new InterruptedException();
        List<Reading> readings = new ArrayList<>(run.size());
        for (Outbox.Entry e : run) readings.add(e.reading());
        Outbox.Entry first = run.getFirst();
        Outbox.Entry last = run.getLast();
        try {
            Batch batch = new Batch(deviceId, first.bootId(), first.seq(), readings);
            waits.await(() -> {
                uplink.deliver(batch);
                return null;
            });
            delivered.addAndGet(run.size());
        } catch (UplinkException e) {
            if (e.kind() != UplinkException.Kind.DATA_REFUSED) throw e;
            changeLink(Link.CONNECTED, "connected to " + uplink.describe());
            if (run.size() == 1) {
                refused.incrementAndGet();
                LOG.warn("gateway refused reading boot {} seq {} ({}): {}; dropped it ({} dropped so far)",
                        first.bootId(), first.seq(), first.reading().channel(), e.getMessage(), refused.get());
            } else {
                int mid = run.size() / 2;
                send(run.subList(0, mid));
                send(run.subList(mid, run.size()));
                return;
            }
        }
        deliveredUpTo = last.seq();
        unacknowledged += run.size();
        changeLink(Link.CONNECTED, "connected to " + uplink.describe());
    }

    private void backoff() {
        if (!running) return;
        // exponential with "equal jitter": devices that lost the gateway together do not all
        // come back in the same instant
        long min = Math.max(1, options.minBackoff().toMillis());
        long cap = options.maxBackoff().toMillis();
        long base = Math.min(cap, min << Math.min(failures, 20));
        failures++;
        long sleep = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        try {
            waits.await(() -> {
                clock.sleep(Duration.ofMillis(sleep));
                return null;
            });
        } catch (InterruptedException e) {
            running = false;
        }
    }

    private void changeLink(Link next, String line) {
        if (link == next) return;
        link = next;
        if (next == Link.CONNECTED) LOG.info(line);
        else LOG.warn(line);
    }

    /**
     * Logs the backlog when its order of magnitude changes (under 10, 10-99, 100-999...): a
     * live device always has a reading or two in flight, which is not news.
     */
    private void noteBacklog() {
        long n = outbox.stats().pending();
        int bucket = n < 10 ? 0 : (int) Math.floor(Math.log10(n));
        if (bucket != backlogBucket) {
            int previous = backlogBucket;
            backlogBucket = bucket;
            if (bucket == 0 && previous > 0) LOG.info("backlog drained ({} readings)", n);
            else if (bucket > 0) LOG.info("backlog {} readings", n);
        }
    }
}
