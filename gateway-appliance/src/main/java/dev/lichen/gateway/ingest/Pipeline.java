package dev.lichen.gateway.ingest;

import dev.lichen.gateway.alerts.AlertEngine;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one ingest pipeline behind CoAP and MQTT: validate -> queue -> group commit (dedupe by the
 * store's (device, boot, seq) key) -> complete the device's acknowledgement -> live bus and alerts.
 * Between commits the writer also marks quiet CoAP devices offline ({@link Presence}), so every
 * device change is published from this one thread.
 *
 * <p>The durable queue is the database's own write-ahead log: one writer thread takes everything
 * waiting (up to {@link #MAX_GROUP} packs), writes it in one transaction and commits once, then
 * acknowledges every pack in the group. A separate append-only queue file would be written and
 * fsynced and then written again into SQLite's WAL (fsynced again): twice the flash writes for the
 * same guarantee. Group commit gives one fsync per group however many devices send.
 */
public final class Pipeline implements AutoCloseable {
    /** Most packs in one transaction. */
    public static final int MAX_GROUP = 4000;

    private final Store store;
    private final SenmlCodec codec;
    private final LiveBus bus;
    private final AlertEngine alerts;
    private final int maxQueuedReadings;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedReadings = new AtomicInteger();
    private final Metrics.Counter packs;
    private final Metrics.Counter readings;
    private final Metrics.Counter rejects;
    private final Metrics.Histogram commitSeconds;
    private final Metrics.Histogram groupSize;
    private final Thread writer;
    private volatile boolean running = true;
    private final java.util.Map<String, dev.lichen.gateway.store.Device> lastPublished = new java.util.HashMap<>();

    private record Pending(Protocol protocol, Batch batch, CompletableFuture<IngestOutcome> done) {}

    private final Presence presence;
    private long lastSweep;

    private final DeviceKeys keys;

    public Pipeline(Store store, LiveBus bus, Metrics metrics, AlertEngine alerts, int maxQueuedReadings, SenmlCodec codec,
                    long offlineAfterMillis, DeviceKeys keys) {
        this.keys = keys;
        this.presence = new Presence(offlineAfterMillis, store.devices(), System.currentTimeMillis());
        this.codec = codec;
        this.store = store;
        this.bus = bus;
        this.alerts = alerts;
        this.maxQueuedReadings = maxQueuedReadings;
        this.packs = metrics.counter("lichen_ingest_packs_total", "SenML packs received, by protocol and outcome (accepted, duplicate, rejected)", "protocol", "outcome");
        this.readings = metrics.counter("lichen_ingest_readings_total", "Readings received, by protocol and outcome (stored, duplicate)", "protocol", "outcome");
        this.rejects = metrics.counter("lichen_ingest_rejects_total", "Rejected packs and datagrams, by protocol and reason", "protocol", "reason");
        this.commitSeconds = metrics.histogram("lichen_store_commit_seconds", "Latency of one group commit (write + fsync)",
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);
        this.groupSize = metrics.histogram("lichen_store_commit_packs", "Packs per group commit", 1, 10, 100, 1000, 4000);
        metrics.gauge("lichen_ingest_queue_depth", "Readings waiting for the next group commit", queuedReadings::get);
        this.writer = Thread.ofPlatform().name("lichen-group-commit").start(this::writeLoop);
    }

    /** The codec (and so the size limits) the pipeline decodes with. */
    public SenmlCodec codec() {
        return codec;
    }

    /**
     * Decodes a SenML pack with the project's codec, then {@link #submit}s it. Undecodable packs
     * complete at once as Rejected (MALFORMED with the codec's diagnostic, or TOO_LARGE).
     */
    public CompletableFuture<IngestOutcome> ingest(Protocol p, byte[] payload, SenmlFormat format, String expectedDeviceId) {
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
        return submit(p, batch, expectedDeviceId);
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
    public CompletableFuture<IngestOutcome> submit(Protocol p, Batch batch, String expectedDeviceId) {
        if (batch.deviceId() == null || !SenmlCodec.DEVICE_ID.matcher(batch.deviceId()).matches()) {
            return CompletableFuture.completedFuture(reject(p, RejectReason.MALFORMED,
                    "device id '" + batch.deviceId() + "' must match [a-z0-9][a-z0-9_-]{0,62}"));
        }
        if (expectedDeviceId != null && !expectedDeviceId.equals(batch.deviceId())) {
            String who = p == Protocol.COAPS ? "the DTLS key belongs to device '" : "topic names device '";
            return CompletableFuture.completedFuture(reject(p, RejectReason.DEVICE_MISMATCH,
                    who + expectedDeviceId + "' but the pack is from '" + batch.deviceId() + "'"));
        }
        if (p == Protocol.COAP && keys.hasKey(batch.deviceId())) {
            // a device with a key speaks over CoAPS only: plain CoAP could be anyone
            return CompletableFuture.completedFuture(reject(p, RejectReason.DEVICE_MISMATCH,
                    "device '" + batch.deviceId() + "' has a key: send over CoAPS (udp 5684 by default)"));
        }
        if (batch.readings().isEmpty()) {
            return CompletableFuture.completedFuture(reject(p, RejectReason.MALFORMED, "the pack holds no readings"));
        }
        var known = store.device(batch.deviceId());
        if (known.isPresent() && known.get().state() == DeviceState.REJECTED) {
            return CompletableFuture.completedFuture(reject(p, RejectReason.DEVICE_REJECTED,
                    "device '" + batch.deviceId() + "' was rejected on this gateway"));
        }
        int n = batch.readings().size();
        if (!running) {
            return CompletableFuture.completedFuture(reject(p, RejectReason.UNAVAILABLE, "the gateway is shutting down; retry"));
        }
        if (queuedReadings.addAndGet(n) > maxQueuedReadings) {
            queuedReadings.addAndGet(-n);
            return CompletableFuture.completedFuture(reject(p, RejectReason.UNAVAILABLE, "ingest queue full; retry shortly"));
        }
        CompletableFuture<IngestOutcome> f = new CompletableFuture<>();
        queue.add(new Pending(p, batch, f));
        return f;
    }

    /** Readings waiting for a commit. */
    public int queueDepth() {
        return queuedReadings.get();
    }

    private void writeLoop() {
        List<Pending> group = new ArrayList<>(MAX_GROUP);
        List<Batch> batches = new ArrayList<>(MAX_GROUP);
        while (running || !queue.isEmpty()) {
            sweepPresence();
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
            } catch (InterruptedException e) {
                if (!running) continue;
            }
            if (group.isEmpty()) continue;
            for (Pending p : group) batches.add(p.batch());
            long t0 = System.nanoTime();
            List<WriteResult> results;
            try {
                results = store.write(batches, System.currentTimeMillis());
            } catch (StoreException e) {
                System.getLogger(Pipeline.class.getName()).log(System.Logger.Level.ERROR, "group commit failed", e);
                for (Pending p : group) {
                    p.done().complete(reject(p.protocol(), RejectReason.UNAVAILABLE, "storage failed; retry: " + e.getMessage()));
                }
                release(group);
                group.clear(); // answered: the devices resend them
                batches.clear();
                sleepQuietly();
                continue;
            }
            commitSeconds.observe((System.nanoTime() - t0) / 1e9);
            groupSize.observe(group.size());
            release(group);
            for (int i = 0; i < group.size(); i++) {
                Pending p = group.get(i);
                WriteResult w = results.get(i);
                String proto = p.protocol().label();
                if (w.refused()) {
                    p.done().complete(reject(p.protocol(), RejectReason.DEVICE_REJECTED,
                            "device '" + w.device().id() + "' was rejected on this gateway"));
                    continue;
                }
                packs.inc(proto, w.stored().isEmpty() ? "duplicate" : "accepted");
                if (!w.stored().isEmpty()) readings.add(w.stored().size(), proto, "stored");
                if (w.duplicates() > 0) readings.add(w.duplicates(), proto, "duplicate");
                p.done().complete(new IngestOutcome.Accepted(w.stored().size(), w.duplicates()));
            }
            publish(group, results);
            group.clear();
            batches.clear();
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
                System.getLogger(Pipeline.class.getName()).log(System.Logger.Level.WARNING, "could not mark " + id + " offline", e);
            }
        }
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
            presence.heard(w.device().id(), group.get(i).protocol(), now);
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
        try {
            alerts.onStored(results);
        } catch (RuntimeException e) {
            System.getLogger(Pipeline.class.getName()).log(System.Logger.Level.ERROR, "alert evaluation failed", e);
        }
    }

    private void release(List<Pending> group) {
        int n = 0;
        for (Pending p : group) n += p.batch().readings().size();
        queuedReadings.addAndGet(-n);
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops taking packs, commits what is queued, and stops the writer. */
    @Override
    public void close() {
        running = false;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
