package dev.lichen.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.lichen.gateway.alerts.AlertEngine;
import dev.lichen.gateway.live.LiveBus;
import dev.lichen.gateway.metrics.Metrics;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.store.StoreException;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlLimits;
import dev.lichen.senml.Value;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group commit that fails (a full disk, a locked database): its devices are told to retry, and
 * nothing of it is written behind their backs by the next group, so their resend is stored once
 * and not counted as a duplicate. The real SQLite store, failing its first write once.
 */
class PipelineFailureTest {
    @TempDir Path dir;

    @Test
    void aFailedGroupIsAnsweredRetryAndNotWrittenLater() throws Exception {
        Store real = Store.open(dir, null);
        AtomicBoolean failNext = new AtomicBoolean(true);
        Store store = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class}, (proxy, m, args) -> {
            if (m.getName().equals("write") && failNext.getAndSet(false)) throw new StoreException("disk full (injected)");
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        var bus = new LiveBus();
        var pipeline = new Pipeline(store, bus, new Metrics(), new AlertEngine(store, bus), 100_000,
                new SenmlCodec(SenmlLimits.DEFAULT, Clock.SYSTEM), 120_000, new DeviceKeys(store));
        try {
            var first = pipeline.submit(Protocol.COAP, pack("porch", 1), null).get(10, TimeUnit.SECONDS);
            var refused = assertInstanceOf(IngestOutcome.Rejected.class, first);
            assertEquals(RejectReason.UNAVAILABLE, refused.reason());

            var other = pipeline.submit(Protocol.COAP, pack("hall", 1), null).get(10, TimeUnit.SECONDS);
            assertEquals(new IngestOutcome.Accepted(3, 0), other);
            assertEquals(0, real.readingCount("porch"), "the refused pack was not written with the next group");

            var resent = pipeline.submit(Protocol.COAP, pack("porch", 1), null).get(10, TimeUnit.SECONDS);
            assertEquals(new IngestOutcome.Accepted(3, 0), resent, "the resend is stored, once");
            assertEquals(3, real.readingCount("porch"));
        } finally {
            pipeline.close();
            real.close();
        }
    }

    static Batch pack(String device, long firstSeq) {
        long t = System.currentTimeMillis();
        return new Batch(device, "boot-1", firstSeq, List.of(
                new Reading("temperature", "Cel", new Value.Number(20.5), t),
                new Reading("temperature", "Cel", new Value.Number(20.6), t + 1000),
                new Reading("temperature", "Cel", new Value.Number(20.7), t + 2000)));
    }
}
