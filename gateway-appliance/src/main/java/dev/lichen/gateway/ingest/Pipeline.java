package dev.lichen.gateway.ingest;

import dev.lichen.gateway.live.LiveBus;
import dev.lichen.gateway.live.LiveEvent;
import dev.lichen.gateway.metrics.Metrics;
import dev.lichen.gateway.store.DeviceState;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.store.StoreException;
import dev.lichen.gateway.store.WriteResult;
import dev.lichen.senml.Batch;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlException;
import dev.lichen.senml.SenmlFormat;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one ingest pipeline behind CoAP and MQTT: validate -> durable queue ({@link IngestJournal},
 * group fsync) -> acknowledge the device -> batched writer (dedupe by the store's (device, boot,
 * seq) key) -> live bus and alerts. Between commits the writer also marks quiet CoAP devices
 * offline ({@link Presence}), so every device change is published from this one thread.
 *
 * <p>Two threads: the journal thread takes everything submitted, appends it to the journal and
 * fsyncs once per group, then acknowledges each pack ({@link #ingest}'s future) and hands the
 * group to the writer. The writer takes everything journalled (up to {@link #MAX_GROUP} packs),
 * sorts it by device so that each database page it touches takes many rows, writes it in one
 * transaction, and only then completes {@link #submit}'s futures, publishes, and lets the
 * journal delete what it no longer needs. A failed database write is retried from memory (the
 * devices were told "stored" already, and the journal still has it for a restart).
 *
 * <p>Flow control: when the writer falls behind by two thirds of {@code maxQueuedReadings}, the
 * journal thread waits for it, so acknowledgements slow down to the database's pace and devices
 * (which wait for them) slow down with them. Only when packs still pile up past
 * {@code maxQueuedReadings} (far more packs in flight than devices) are devices told to retry.
 */
public final class Pipeline implements AutoCloseable {
    /** Most packs in one database transaction. */
    public static final int MAX_GROUP = 10_000;
    /** Most packs in one journal fsync. */
    private static final int MAX_JOURNAL_GROUP = 10_000;

    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    private final Store store;
    private final SenmlCodec codec;
    private final LiveBus bus;
    /** Told of every group commit's results: alert rules, command acknowledgements. */
    private final List<java.util.function.Consumer<List<WriteResult>>> afterStore;
    private final int maxQueuedReadings;
    private final IngestJournal journal;
    private final LinkedBlockingQueue<Pending> incoming = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Pending> journalled = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedReadings = new AtomicInteger();
    private final Metrics.Counter packs;
    private final Metrics.Counter readings;
    private final Metrics.Counter rejects;
    private final Metrics.Counter commitFailures;
    private final Metrics.Histogram commitSeconds;
    private final Metrics.Histogram groupSize;
    private final Metrics.Histogram journalSeconds;
    private final Thread journalThread;
    private volatile Thread writer; // read by the journal thread, which starts first
    private volatile boolean running = true;
    private final java.util.Map<String, dev.lichen.gateway.store.Device> lastPublished = new java.util.HashMap<>();
    /** Packs made durable, and packs the writer is done with (stored or refused), in journal order; guarded by progress. */
    private long journalledPacks;
    private long finishedPacks;
    /** Readings journalled and not yet finished by the writer; guarded by progress. */
    private long backlogReadings;
    private final long backlogLimit;
    private final Object progress = new Object();

    /** A pack on its way; segment is set by the journal thread. */
    private static final class Pending {
        final Protocol protocol;
        final Batch batch;
        final byte[] raw;
        final SenmlFormat format;
        final CompletableFuture<IngestOutcome> durable = new CompletableFuture<>();
        final CompletableFuture<IngestOutcome> stored = new CompletableFuture<>();
        long segment = IngestJournal.NONE;

        Pending(Protocol protocol, Batch batch, byte[] raw, SenmlFormat format) {
            this.protocol = protocol;
            this.batch = batch;
            this.raw = raw;
            this.format = format;
        }

        void answer(IngestOutcome o) {
            durable.complete(o);
            stored.complete(o);
        }
    }

    private final Presence presence;
    private long lastSweep;

    private final DeviceKeys keys;
    private final DeviceIdentities identities;
    private final NewDeviceLimit newDevices;
    private final AddressRate firstContacts;

    /**
     * Opens the journal in journalDir and first writes into the store what an earlier run
     * acknowledged but did not store (a crash, a power cut).
     */
    public Pipeline(Store store, LiveBus bus, Metrics metrics, List<java.util.function.Consumer<List<WriteResult>>> afterStore, int maxQueuedReadings, SenmlCodec codec,
                    long offlineAfterMillis, DeviceKeys keys, DeviceIdentities identities, Path journalDir,
                    dev.lichen.gateway.GatewayConfig.Limits limits) {
        this.keys = keys;
        this.identities = identities;
        this.newDevices = new NewDeviceLimit(store, limits.newDevices());
        this.firstContacts = new AddressRate(limits.perAddressPerSecond());
        this.presence = new Presence(offlineAfterMillis, store.devices(), System.currentTimeMillis());
        this.codec = codec;
        this.store = store;
        this.bus = bus;
        this.afterStore = List.copyOf(afterStore);
        this.maxQueuedReadings = maxQueuedReadings;
        this.backlogLimit = maxQueuedReadings * 2L / 3;
        this.packs = metrics.counter("lichen_ingest_packs_total", "SenML packs received, by protocol and outcome (accepted, duplicate, rejected)", "protocol", "outcome");
        this.readings = metrics.counter("lichen_ingest_readings_total", "Readings received, by protocol and outcome (stored, duplicate)", "protocol", "outcome");
        this.rejects = metrics.counter("lichen_ingest_rejects_total", "Rejected packs and datagrams, by protocol and reason", "protocol", "reason");
        this.commitFailures = metrics.counter("lichen_store_commit_failures_total", "Database writes that failed and were retried");
        this.commitSeconds = metrics.histogram("lichen_store_commit_seconds", "Latency of one group commit into the database (write + fsync)",
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);
        this.groupSize = metrics.histogram("lichen_store_commit_packs", "Packs per group commit", 1, 10, 100, 1000, 10000);
        this.journalSeconds = metrics.histogram("lichen_journal_sync_seconds", "Latency of one journal append + fsync (a device waits for it)",
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1);
        metrics.gauge("lichen_ingest_queue_depth", "Readings accepted but not yet in the database", queuedReadings::get);
        metrics.gauge("lichen_devices_waiting", "Devices waiting for adoption, counted against --max-new-devices", newDevices::waiting);
        try {
            this.journal = new IngestJournal(journalDir);
            replay();
        } catch (java.io.IOException e) {
            throw new StoreException("cannot open the ingest journal in " + journalDir + ": " + e.getMessage()
                    + " (check that the data folder is writable and not full)", e);
        }
        this.journalThread = Thread.ofPlatform().name("lichen-journal").start(this::journalLoop);
        this.writer = Thread.ofPlatform().name("lichen-group-commit").start(this::writeLoop);
    }

    /** Writes what the journal holds from an earlier run (acknowledged then, maybe not stored). */
    private void replay() throws java.io.IOException {
        var rec = journal.recovery();
        if (rec.records().isEmpty()) {
            journal.replayDone();
            return;
        }
        // decoded a group at a time: a whole journal's packs decoded at once would not fit the heap
        var records = rec.records();
        int bad = 0, packsWritten = 0;
        for (int from = 0; from < records.size(); from += MAX_GROUP) {
            List<Pending> part = new ArrayList<>(MAX_GROUP);
            for (var r : records.subList(from, Math.min(records.size(), from + MAX_GROUP))) {
                Protocol p = r.protocol() >= 0 && r.protocol() < Protocol.values().length ? Protocol.values()[r.protocol()] : Protocol.COAP;
                SenmlFormat f = r.format() == SenmlFormat.JSON.ordinal() ? SenmlFormat.JSON : SenmlFormat.CBOR;
                try {
                    part.add(new Pending(p, codec.decodeBatch(r.bytes(), f), null, f));
                } catch (SenmlException | RuntimeException e) {
                    bad++; // it passed the codec when it came in; a codec that got stricter since
                }
            }
            sortForWrite(part);
            var results = store.write(batchesOf(part), System.currentTimeMillis());
            count(part, results);
            packsWritten += part.size();
            afterStore(results);
        }
        LOG.log(System.Logger.Level.INFO, "ingest journal: wrote " + packsWritten + " packs from " + rec.segments()
                + " segment(s) of an earlier run into the store" + (bad > 0 ? "; " + bad + " could not be decoded and were left out" : ""));
        journal.replayDone();
    }

    /** The codec (and so the size limits) the pipeline decodes with. */
    public SenmlCodec codec() {
        return codec;
    }

    /**
     * Decodes a SenML pack with the project's codec and queues it; the future completes once the
     * pack is durable (Queued: acknowledge the device now) or refused (Rejected). Undecodable packs
     * complete at once as Rejected (MALFORMED with the codec's diagnostic, or TOO_LARGE).
     */
    public CompletableFuture<IngestOutcome> ingest(Protocol p, byte[] payload, SenmlFormat format, String expectedDeviceId) {
        return ingest(p, payload, format, expectedDeviceId, null, null);
    }

    /**
     * As {@link #ingest(Protocol, byte[], SenmlFormat, String)}, from a network address (null: from
     * within the gateway), with the public key the sender's DTLS session presented (its
     * SubjectPublicKeyInfo; null when the link carried none).
     */
    public CompletableFuture<IngestOutcome> ingest(Protocol p, byte[] payload, SenmlFormat format, String expectedDeviceId,
                                                   InetAddress from, byte[] presentedKey) {
        if (payload.length > codec.limits().maxBytes()) {
            return CompletableFuture.completedFuture(reject(p, RejectReason.TOO_LARGE,
                    "pack of " + payload.length + " bytes; at most " + codec.limits().maxBytes() + " are accepted: send fewer readings per pack"));
        }
        Batch batch;
        try {
            batch = codec.decodeBatch(payload, format);
        } catch (SenmlException e) {
            RejectReason r = e.reason() == SenmlException.Reason.TOO_LARGE ? RejectReason.TOO_LARGE : RejectReason.MALFORMED;
            return CompletableFuture.completedFuture(reject(p, r, "invalid SenML " + format.name() + ": " + e.getMessage()));
        } catch (RuntimeException e) {
            // the codec should catch everything; a parser bug must still not reach the device as a 5.00
            return CompletableFuture.completedFuture(reject(p, RejectReason.MALFORMED, "invalid SenML " + format.name() + ": " + e));
        }
        return enqueue(p, batch, payload, format, expectedDeviceId, from, presentedKey).durable;
    }

    /**
     * Validates and queues a decoded pack; the future completes once it is in the store
     * (Accepted, with how many readings were new) or refused (Rejected). expectedDeviceId, when
     * not null, must equal the pack's device (MQTT topic, CoAPS key identity).
     */
    public CompletableFuture<IngestOutcome> submit(Protocol p, Batch batch, String expectedDeviceId) {
        return enqueue(p, batch, null, SenmlFormat.CBOR, expectedDeviceId, null, null).stored;
    }

    /**
     * Waits until every pack acknowledged before this call is in the store (or refused by it):
     * what a reader who was told "sent" expects to find. False if that took longer than timeout.
     */
    public boolean awaitStored(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            long target = journalledPacks;
            while (finishedPacks < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(progress, left);
            }
        }
        return true;
    }

    /** Counts a reject that happened before the pipeline (decode, size, content format, garbage). */
    public IngestOutcome.Rejected reject(Protocol p, RejectReason reason, String message) {
        rejects.inc(p.label(), reason.label());
        packs.inc(p.label(), "rejected");
        return new IngestOutcome.Rejected(reason, message);
    }

    /** Counts a reject that is not a pack (e.g. a garbage datagram): no packs_total entry. */
    public void countReject(Protocol p, RejectReason reason) {
        rejects.inc(p.label(), reason.label());
    }

    /**
     * Validates and queues a decoded pack; the future completes once it is committed (Accepted)
     * or refused (Rejected). expectedDeviceId, when not null, must equal the pack's device (MQTT
     * topic, CoAPS key identity).
     */
    private Pending enqueue(Protocol p, Batch batch, byte[] raw, SenmlFormat format, String expectedDeviceId, InetAddress from,
                            byte[] presentedKey) {
        Pending pending = new Pending(p, batch, raw, format);
        IngestOutcome.Rejected refused = validate(p, batch, expectedDeviceId, from, presentedKey);
        if (refused != null) {
            pending.answer(refused);
            return pending;
        }
        int n = batch.readings().size();
        if (queuedReadings.addAndGet(n) > maxQueuedReadings) {
            queuedReadings.addAndGet(-n);
            pending.answer(reject(p, RejectReason.UNAVAILABLE, "ingest queue full; retry shortly"));
            return pending;
        }
        incoming.add(pending);
        return pending;
    }

    /** Why the pack is refused before queueing, or null. */
    private IngestOutcome.Rejected validate(Protocol p, Batch batch, String expectedDeviceId, InetAddress from, byte[] presentedKey) {
        if (!SenmlCodec.isDeviceId(batch.deviceId())) { // false for null too
            return reject(p, RejectReason.MALFORMED,
                    "device id '" + batch.deviceId() + "' must match " + SenmlCodec.DEVICE_ID.pattern());
        }
        if (expectedDeviceId != null && !expectedDeviceId.equals(batch.deviceId())) {
            String who = p == Protocol.COAPS ? "the DTLS key belongs to device '" : "topic names device '";
            return reject(p, RejectReason.DEVICE_MISMATCH,
                    who + expectedDeviceId + "' but the pack is from '" + batch.deviceId() + "'");
        }
        if ((p == Protocol.COAP || presentedKey != null) && keys.hasKey(batch.deviceId())) {
            // a device with a pre-shared key speaks with it only: plain CoAP, or another key, could be anyone
            return reject(p, RejectReason.DEVICE_MISMATCH, "device '" + batch.deviceId() + "' has a pre-shared key: send over CoAPS"
                    + " (udp 5684 by default) with it");
        }
        if (batch.readings().isEmpty()) {
            return reject(p, RejectReason.MALFORMED, "the pack holds no readings");
        }
        var known = store.device(batch.deviceId());
        if (known.isPresent() && known.get().state() == DeviceState.REJECTED) {
            return reject(p, RejectReason.DEVICE_REJECTED,
                    "device '" + batch.deviceId() + "' was rejected on this gateway");
        }
        if (!running) {
            return reject(p, RejectReason.UNAVAILABLE, "the gateway is shutting down; retry");
        }
        IngestOutcome.Rejected first = known.isPresent() ? null : firstContact(p, batch.deviceId(), from);
        if (first != null) return first;
        // last: only a device that is known or let in records the key it presented
        String why = identities.check(batch.deviceId(), presentedKey, System.currentTimeMillis());
        return why == null ? null : reject(p, RejectReason.UNKNOWN_KEY, why);
    }

    /**
     * Whether a device the store does not know may be heard now (its first pack, or an MQTT status
     * that would create it): not when its address sent too many first contacts this second, nor
     * when the devices waiting for adoption fill their places. Null when it may; the refusal is
     * counted.
     */
    public IngestOutcome.Rejected firstContact(Protocol p, String deviceId, InetAddress from) {
        if (newDevices.holdsPlace(deviceId)) return null;
        if (from != null && !firstContacts.tryAcquire(from, System.nanoTime())) {
            return reject(p, RejectReason.RATE_LIMITED, "too many new devices from " + from.getHostAddress()
                    + " this second; retry in a few seconds");
        }
        if (!newDevices.admit(deviceId, System.currentTimeMillis())) {
            return reject(p, RejectReason.NEW_DEVICE_LIMIT, newDevices.cap() + " devices are waiting for adoption already:"
                    + " a person adopts or rejects some on the gateway's Devices page, then '" + deviceId + "' is let in; retry later");
        }
        return null;
    }

    /** Readings waiting for a commit. */
    public int queueDepth() {
        return queuedReadings.get();
    }

    /** Appends what was submitted to the journal, one fsync per group, then acknowledges it. */
    private void journalLoop() {
        List<Pending> group = new ArrayList<>(MAX_JOURNAL_GROUP);
        while (running || !incoming.isEmpty()) {
            try {
                waitForWriter();
            } catch (InterruptedException e) {
                continue;
            }
            if (!takeGroup(incoming, group, MAX_JOURNAL_GROUP)) continue;
            long t0 = System.nanoTime();
            try {
                for (Pending p : group) {
                    // a pack handed over decoded (an add-on's readings) has no device waiting on
                    // an ack: its caller waits for the database, so it needs no journal record
                    if (p.raw != null) p.segment = journal.add(p.protocol, p.format.ordinal(), p.raw);
                }
                journal.sync();
            } catch (java.io.IOException e) {
                LOG.log(System.Logger.Level.ERROR, "ingest journal write failed; the devices will resend", e);
                journal.abandonSegment();
                journal.release(segmentsOf(group));
                for (Pending p : group) p.answer(reject(p.protocol, RejectReason.UNAVAILABLE, "storage failed; retry: " + e.getMessage()));
                release(group);
                group.clear();
                sleepQuietly();
                continue;
            }
            journalSeconds.observe((System.nanoTime() - t0) / 1e9);
            synchronized (progress) {
                journalledPacks += group.size(); // before any ack, so awaitStored after an ack waits for it
                for (Pending p : group) backlogReadings += p.batch.readings().size();
            }
            journalled.addAll(group);
            for (Pending p : group) p.durable.complete(new IngestOutcome.Queued(p.batch.readings().size()));
            group.clear();
        }
    }

    /** Waits up to 100 ms for a first pack, then takes what else waits, up to max in all; false if none came. */
    private static boolean takeGroup(LinkedBlockingQueue<Pending> from, List<Pending> into, int max) {
        try {
            Pending first = from.poll(100, TimeUnit.MILLISECONDS);
            if (first == null) return false;
            into.add(first);
            from.drainTo(into, max - 1);
            return true;
        } catch (InterruptedException e) {
            return false; // the loops re-check whether they should stop
        }
    }

    private static long[] segmentsOf(List<Pending> group) {
        long[] segs = new long[group.size()];
        for (int i = 0; i < segs.length; i++) segs[i] = group.get(i).segment;
        return segs;
    }

    /** Holds the journal (and so the devices' acks) while the writer is too far behind. */
    private void waitForWriter() throws InterruptedException {
        synchronized (progress) {
            while (backlogReadings >= backlogLimit && (writer == null || writer.isAlive())) progress.wait(100);
        }
    }

    /** Writes journalled packs into the store in large sorted groups, then answers and publishes. */
    private void writeLoop() {
        List<Pending> group = new ArrayList<>(MAX_GROUP);
        while (running || journalThread.isAlive() || !journalled.isEmpty()) {
            sweepPresence();
            if (!takeGroup(journalled, group, MAX_GROUP)) continue;
            sortForWrite(group);
            List<Batch> batches = batchesOf(group);
            long t0 = System.nanoTime();
            List<WriteResult> results = null;
            for (long pause = 100; results == null; pause = Math.min(pause * 2, 5000)) {
                try {
                    results = store.write(batches, System.currentTimeMillis());
                } catch (StoreException e) {
                    commitFailures.inc();
                    LOG.log(System.Logger.Level.ERROR, "group commit failed; retrying in " + pause + " ms (the packs are safe in the journal)", e);
                    if (!running && !journalThread.isAlive()) {
                        // shutting down: the journal keeps them for the next start
                        group.clear();
                        return;
                    }
                    sleepQuietly(pause);
                }
            }
            commitSeconds.observe((System.nanoTime() - t0) / 1e9);
            groupSize.observe(group.size());
            release(group);
            count(group, results);
            journal.release(segmentsOf(group));
            synchronized (progress) {
                finishedPacks += group.size();
                for (Pending p : group) backlogReadings -= p.batch.readings().size();
                progress.notifyAll();
            }
            publish(group, results);
            group.clear();
        }
    }

    /** By device, boot and sequence: each b-tree page the transaction touches then takes many rows. */
    private static void sortForWrite(List<Pending> group) {
        group.sort(WRITE_ORDER);
    }

    // spelled out: the shipped C1 compiler does not inline a chain of comparing() lambdas
    private static final java.util.Comparator<Pending> WRITE_ORDER = (x, y) -> {
        int c = x.batch.deviceId().compareTo(y.batch.deviceId());
        if (c == 0) c = x.batch.bootId().compareTo(y.batch.bootId());
        return c != 0 ? c : Long.compare(x.batch.firstSeq(), y.batch.firstSeq());
    };

    private static List<Batch> batchesOf(List<Pending> group) {
        List<Batch> out = new ArrayList<>(group.size());
        for (Pending p : group) out.add(p.batch);
        return out;
    }

    /** Counts the written group in the metrics and completes submit()'s futures. */
    private void count(List<Pending> group, List<WriteResult> results) {
        for (int i = 0; i < group.size(); i++) {
            Pending p = group.get(i);
            WriteResult w = results.get(i);
            String proto = p.protocol.label();
            if (w.refused()) {
                p.stored.complete(reject(p.protocol, RejectReason.DEVICE_REJECTED,
                        "device '" + w.device().id() + "' was rejected on this gateway"));
                continue;
            }
            // a device keeps its link: a read per pack, a write only when it changes
            if (p.protocol != Protocol.ADDON && links.get(w.device().id()) != p.protocol) links.put(w.device().id(), p.protocol);
            packs.inc(proto, w.stored().isEmpty() ? "duplicate" : "accepted");
            if (!w.stored().isEmpty()) readings.add(w.stored().size(), proto, "stored");
            if (w.duplicates() > 0) readings.add(w.duplicates(), proto, "duplicate");
            p.stored.complete(new IngestOutcome.Accepted(w.stored().size(), w.duplicates()));
        }
    }

    /** Marks devices offline that {@link Presence} finds quiet; runs on the writer thread. */
    private void sweepPresence() {
        long now = System.currentTimeMillis();
        if (now - lastSweep < presence.sweepMillis()) return;
        lastSweep = now;
        for (String id : presence.due(now)) {
            try {
                var d = store.device(id);
                if (d.isEmpty() || !d.get().online()) continue; // deleted, or already offline
                var off = store.setOnline(id, false, now);
                lastPublished.put(id, shown(off));
                bus.publish(new LiveEvent.DeviceChanged(off));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not mark " + id + " offline", e);
            }
        }
    }

    /**
     * How each device's last accepted pack came (CoAP or CoAPS, MQTT or MQTT over TLS), for the
     * "unencrypted" badge; kept in memory only (after a restart, known again from the next pack),
     * bounded like the devices a hostile network can make.
     */
    private final java.util.Map<String, Protocol> links = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
            .maximumSize(100_000).<String, Protocol>build().asMap();

    /** The link the device's last accepted pack came over, if one came since the gateway started. */
    public java.util.Optional<Protocol> link(String deviceId) {
        return java.util.Optional.ofNullable(links.get(deviceId));
    }

    /** An MQTT status "online" for the device: its broker session, not silence, decides from now on. */
    public void statusHeard(String deviceId, Protocol p) {
        presence.heard(deviceId, p, System.currentTimeMillis());
    }

    /** When a quiet device will be marked offline (epoch millis; Long.MAX_VALUE when it is not watched). */
    public long offlineDeadline(String deviceId) {
        return presence.deadline(deviceId);
    }

    /** A device as the live bus compares it: last-seen left out, it moves with every pack. */
    private static dev.lichen.gateway.store.Device shown(dev.lichen.gateway.store.Device d) {
        return new dev.lichen.gateway.store.Device(d.id(), d.name(), d.room(), d.state(), d.firstSeenMillis(), 0,
                d.battery(), d.signal(), d.online());
    }

    private void publish(List<Pending> group, List<WriteResult> results) {
        java.util.Set<String> changedDevices = new java.util.HashSet<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < results.size(); i++) {
            WriteResult w = results.get(i);
            if (w.refused()) continue;
            presence.heard(w.device().id(), group.get(i).protocol, now);
            if (!w.stored().isEmpty()) {
                bus.publish(new LiveEvent.Readings(w.device().id(), w.device().state() == DeviceState.ADOPTED, w.stored()));
            }
            // last-seen moves with every pack: publish a device only when something else changed
            if (changedDevices.add(w.device().id())) {
                var d = w.device();
                var shown = shown(d);
                if (!shown.equals(lastPublished.put(d.id(), shown))) bus.publish(new LiveEvent.DeviceChanged(d));
            }
        }
        afterStore(results);
    }

    /** Each listener on its own: a failing one (a bug) keeps neither the others nor the writer from going on. */
    private void afterStore(List<WriteResult> results) {
        for (var l : afterStore) {
            try {
                l.accept(results);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "after-store listener " + l + " failed", e);
            }
        }
    }

    private void release(List<Pending> group) {
        int n = 0;
        for (Pending p : group) n += p.batch.readings().size();
        queuedReadings.addAndGet(-n);
    }

    private static void sleepQuietly() {
        sleepQuietly(100);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops taking packs, journals and stores what is queued, and stops both threads. */
    @Override
    public void close() {
        running = false;
        try {
            journalThread.join(10_000);
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // a pack that slipped in as the journal thread stopped
        for (Pending p; (p = incoming.poll()) != null; ) p.answer(reject(p.protocol, RejectReason.UNAVAILABLE, "the gateway is shutting down; retry"));
        try {
            journal.close();
        } catch (java.io.IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the ingest journal: " + e.getMessage());
        }
    }
}
