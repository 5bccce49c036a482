package dev.lichen.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.alerts.AlertEngine;
import dev.lichen.gateway.live.LiveBus;
import dev.lichen.gateway.metrics.Metrics;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.store.StoreException;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.senml.SenmlLimits;
import dev.lichen.senml.Value;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest journal between the devices and the database, with the real SQLite store made to
 * fail its writes (a full disk, a locked database): a device is acknowledged once its pack is in
 * the journal, and what the database did not take is written later, once, from memory or, after
 * a restart, from the journal.
 */
class PipelineFailureTest {
    @TempDir Path dir;
    private final SenmlCodec codec = new SenmlCodec(SenmlLimits.DEFAULT, Clock.SYSTEM);

    @Test
    void aFailedDatabaseWriteIsRetriedAndStoredOnce() throws Exception {
        Store real = Store.open(dir.resolve("db"), null);
        AtomicInteger failures = new AtomicInteger(2);
        Store store = failing(real, failures);
        var metrics = new Metrics();
        var pipeline = pipeline(store, metrics);
        try {
            var durable = pipeline.ingest(Protocol.COAP, codec.encode(pack("porch", 1), SenmlFormat.CBOR), SenmlFormat.CBOR, null)
                    .get(10, TimeUnit.SECONDS);
            assertEquals(new IngestOutcome.Queued(3), durable, "acknowledged once in the journal, though the database fails");
            assertTrue(pipeline.awaitStored(java.time.Duration.ofSeconds(10)), "the writer retried until the database took it");
            assertEquals(0, failures.get());
            assertEquals(3, real.readingCount("porch"), "stored once after two failed writes");
            var again = pipeline.submit(Protocol.COAP, pack("porch", 1), null).get(10, TimeUnit.SECONDS);
            assertEquals(new IngestOutcome.Accepted(0, 3), again, "a resend is a duplicate");
            assertTrue(metrics.render().contains("lichen_store_commit_failures_total 2"), metrics.render());
        } finally {
            pipeline.close();
            real.close();
        }
    }

    @Test
    void whatWasAcknowledgedButNotStoredIsWrittenAfterARestartEvenWithATornTail() throws Exception {
        Store real = Store.open(dir.resolve("db"), null);
        try {
            var down = pipeline(failing(real, new AtomicInteger(Integer.MAX_VALUE)), new Metrics());
            for (int i = 0; i < 2; i++) {
                var o = down.ingest(Protocol.MQTT, codec.encode(pack("hall", 1 + 3 * i), SenmlFormat.CBOR), SenmlFormat.CBOR, "hall")
                        .get(10, TimeUnit.SECONDS);
                assertInstanceOf(IngestOutcome.Queued.class, o);
            }
            down.close(); // a crash would leave the same: journal segments, nothing in the database
            assertEquals(0, real.readingCount("hall"));
            Path journal = dir.resolve("journal");
            List<Path> segments;
            try (var files = Files.list(journal)) {
                segments = files.toList();
            }
            assertEquals(1, segments.size(), segments.toString());
            // a power cut in the middle of the next append
            Files.write(segments.getFirst(), new byte[] {0, 0, 0, 40, 1, 2, 3}, StandardOpenOption.APPEND);

            var up = pipeline(real, new Metrics());
            try {
                assertEquals(6, real.readingCount("hall"), "both acknowledged packs are stored at start");
                try (var files = Files.list(journal)) {
                    assertEquals(0, files.count(), "the replayed segments are gone");
                }
                var resent = up.submit(Protocol.MQTT, pack("hall", 4), "hall").get(10, TimeUnit.SECONDS);
                assertEquals(new IngestOutcome.Accepted(0, 3), resent, "stored exactly once");
            } finally {
                up.close();
            }
        } finally {
            real.close();
        }
    }

    @Test
    void aDatabaseThatFallsBehindSlowsTheAcknowledgementsAndOnlyAPileUpIsRefused() throws Exception {
        Store real = Store.open(dir.resolve("db"), null);
        AtomicInteger failures = new AtomicInteger(Integer.MAX_VALUE);
        // room for 30 readings; the journal waits for the writer from 20 on
        var pipeline = pipeline(failing(real, failures), new Metrics(), 30);
        try {
            for (int i = 0; i < 7; i++) {
                assertEquals(new IngestOutcome.Queued(3), send(pipeline, i).get(10, TimeUnit.SECONDS), "pack " + i);
            }
            var held = new java.util.ArrayList<java.util.concurrent.CompletableFuture<IngestOutcome>>();
            for (int i = 7; i < 10; i++) held.add(send(pipeline, i));
            Thread.sleep(500);
            for (var f : held) assertTrue(!f.isDone(), "not acknowledged while the writer is 21 readings behind");
            var refused = assertInstanceOf(IngestOutcome.Rejected.class, send(pipeline, 10).get(1, TimeUnit.SECONDS));
            assertEquals(RejectReason.UNAVAILABLE, refused.reason());

            failures.set(0); // the database is back
            for (var f : held) assertEquals(new IngestOutcome.Queued(3), f.get(10, TimeUnit.SECONDS));
            assertTrue(pipeline.awaitStored(java.time.Duration.ofSeconds(10)));
            assertEquals(30, real.readingCount("cellar"), "every acknowledged reading stored, none lost");
        } finally {
            pipeline.close();
            real.close();
        }
    }

    private java.util.concurrent.CompletableFuture<IngestOutcome> send(Pipeline p, int pack) {
        return p.ingest(Protocol.COAP, codec.encode(pack("cellar", 1 + 3L * pack), SenmlFormat.CBOR), SenmlFormat.CBOR, null);
    }

    private Pipeline pipeline(Store store, Metrics metrics) {
        return pipeline(store, metrics, 100_000);
    }

    private Pipeline pipeline(Store store, Metrics metrics, int maxQueued) {
        var bus = new LiveBus();
        return new Pipeline(store, bus, metrics, java.util.List.of(new AlertEngine(store, bus)::onStored), maxQueued, codec, 120_000,
                new DeviceKeys(store), new DeviceIdentities(store), dir.resolve("journal"), dev.lichen.gateway.GatewayConfig.Limits.DEFAULTS);
    }

    /** The real store, whose writes fail while failures is above zero. */
    private static Store failing(Store real, AtomicInteger failures) {
        return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class}, (proxy, m, args) -> {
            if (m.getName().equals("write") && failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new StoreException("disk full (injected)");
            }
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    static Batch pack(String device, long firstSeq) {
        long t = System.currentTimeMillis();
        return new Batch(device, "boot-1", firstSeq, List.of(
                new Reading("temperature", "Cel", new Value.Number(20.5), t),
                new Reading("temperature", "Cel", new Value.Number(20.6), t + 1000),
                new Reading("temperature", "Cel", new Value.Number(20.7), t + 2000)));
    }
}
