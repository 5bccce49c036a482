package dev.lichen.runtime.uplink;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.storage.FileOutbox;
import dev.lichen.runtime.storage.Outbox;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.senml.Value;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;

/** CoapUplink and the pump against a real Californium server on 127.0.0.1. */
public class CoapUplinkTest {
    static final String BOOT = "b0123";
    public static final long T0 = 1_764_000_000_000L;
    /** Short CoAP timers so "the gateway is away" is noticed in about a second. */
    static final CoapUplink.Options FAST = new CoapUplink.Options(SenmlFormat.CBOR, Duration.ofMillis(100), 2, 512);
    static final UplinkPump.Options PUMP = new UplinkPump.Options(20, Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofMillis(50));

    static Reading temp(int i) {
        return new Reading("temperature", "Cel", new Value.Number(20 + i / 100.0), T0 + i * 1000L);
    }

    @TempDir Path dir;

    /** The real durable outbox, in a temp folder. */
    public static Outbox newOutbox(Path dir) throws java.io.IOException {
        return FileOutbox.open(dir.resolve("outbox"), 1 << 20);
    }

    /** What a test queued: the sequence numbers in order and the reading behind each. */
    static final class Sent {
        final List<Long> seqs = new ArrayList<>();
        final Map<Long, Reading> readings = new HashMap<>();

        void queue(Outbox outbox, UplinkPump pump, String boot, int from, int to, long pauseMs) throws Exception {
            for (int i = from; i < to; i++) {
                Reading r = temp(i);
                long seq = outbox.append(boot, r).seq();
                seqs.add(seq);
                readings.put(seq, r);
                pump.wake();
                if (pauseMs > 0) Thread.sleep(pauseMs);
            }
        }
    }

    @Test
    void gatewayAwayThenBackDeliversEveryReadingOnceInOrder() throws Exception {
        try (var gw = new CoapTestGateway().start();
             var outbox = newOutbox(dir);
             var uplink = new CoapUplink("127.0.0.1", gw.port(), Optional.empty(), FAST);
             var pump = new UplinkPump("kitchen", outbox, uplink, Clock.SYSTEM, PUMP).start()) {
            var sent = new Sent();
            sent.queue(outbox, pump, BOOT, 0, 20, 0);
            Await.until(Duration.ofSeconds(5), () -> gw.arrivals.distinct() == 20, () -> "20 readings at the gateway");
            assertEquals(UplinkPump.Link.CONNECTED, pump.stats().link());

            gw.stop();
            sent.queue(outbox, pump, BOOT, 20, 80, 5);
            Await.until(Duration.ofSeconds(5), () -> pump.stats().link() == UplinkPump.Link.LOST, () -> "the pump notices the gateway is away");
            assertEquals(60, outbox.stats().pending(), "readings accumulate in the outbox while the gateway is away");

            gw.start(); // same port: the gateway is back
            Await.until(Duration.ofSeconds(10), () -> outbox.stats().pending() == 0, () -> "the backlog drains");
            assertEquals(UplinkPump.Link.CONNECTED, pump.stats().link());
            int duplicates = gw.arrivals.assertAtLeastOnceInOrder(BOOT, sent.seqs, sent.readings);
            // with the server gone (not just slow), nothing was received and left unacknowledged
            assertEquals(0, duplicates, "a stopped gateway receives nothing, so nothing is re-sent twice");
            assertEquals(80, pump.stats().delivered());
        }
    }

    @Test
    void largePackTravelsBlockwise() throws Exception {
        try (var gw = new CoapTestGateway().start();
             var uplink = new CoapUplink("127.0.0.1", gw.port(), Optional.empty(), FAST)) {
            List<Reading> readings = IntStream.range(0, 300).mapToObj(CoapUplinkTest::temp).toList();
            uplink.deliver(new Batch("kitchen", BOOT, 1, readings));
            assertTrue(gw.block1Requests.get() > 1, "the pack went in several Block1 blocks, saw " + gw.block1Requests.get());
            assertEquals(300, gw.arrivals.distinct());
            assertEquals(readings, gw.arrivals.all().stream().map(Arrivals.Seen::reading).toList());
        }
    }

    @Test
    void jsonContentFormatByConfig() throws Exception {
        var json = new CoapUplink.Options(SenmlFormat.JSON, FAST.ackTimeout(), FAST.maxRetransmit(), FAST.blockSize());
        try (var gw = new CoapTestGateway().start();
             var uplink = new CoapUplink("127.0.0.1", gw.port(), Optional.empty(), json)) {
            uplink.deliver(new Batch("kitchen", BOOT, 7, List.of(temp(0))));
            assertEquals(7, gw.arrivals.all().getFirst().seq());
        }
    }

    @Test
    void answersMapToRetryOrRefusalWithTheDiagnostic() throws Exception {
        try (var gw = new CoapTestGateway().start();
             var uplink = new CoapUplink("127.0.0.1", gw.port(), Optional.empty(), FAST)) {
            Batch b = new Batch("kitchen", BOOT, 1, List.of(temp(0)));
            record Case(ResponseCode code, UplinkException.Kind kind) {}
            for (Case c : List.of(
                    new Case(ResponseCode.BAD_REQUEST, UplinkException.Kind.DATA_REFUSED),
                    new Case(ResponseCode.REQUEST_ENTITY_TOO_LARGE, UplinkException.Kind.DATA_REFUSED),
                    new Case(ResponseCode.UNSUPPORTED_CONTENT_FORMAT, UplinkException.Kind.DEVICE_REFUSED),
                    new Case(ResponseCode.UNAUTHORIZED, UplinkException.Kind.DEVICE_REFUSED),
                    new Case(ResponseCode.FORBIDDEN, UplinkException.Kind.DEVICE_REFUSED),
                    new Case(ResponseCode.INTERNAL_SERVER_ERROR, UplinkException.Kind.AWAY),
                    new Case(ResponseCode.SERVICE_UNAVAILABLE, UplinkException.Kind.AWAY))) {
                gw.scripted.add(c.code());
                // Californium retries a 4.13 once block-wise by itself (entity-too-large failover)
                if (c.code() == ResponseCode.REQUEST_ENTITY_TOO_LARGE) gw.scripted.add(c.code());
                var e = assertThrows(UplinkException.class, () -> uplink.deliver(b), c.code().toString());
                assertEquals(c.kind(), e.kind(), c.code() + ": " + e.getMessage());
                assertEquals(c.kind() == UplinkException.Kind.AWAY, e.retryable());
                assertTrue(e.getMessage().contains("scripted " + c.code().text), "diagnostic payload in: " + e.getMessage());
            }
            assertTrue(gw.scripted.isEmpty());
            uplink.deliver(b);
            assertEquals(1, gw.arrivals.distinct());
        }
    }

    @Test
    void silentGatewayIsRetryable() throws Exception {
        int port;
        try (var s = new DatagramSocket(0)) {
            port = s.getLocalPort(); // a port we own and never answer on
            try (var uplink = new CoapUplink("127.0.0.1", port, Optional.empty(), FAST)) {
                var e = assertThrows(UplinkException.class, () -> uplink.deliver(new Batch("kitchen", BOOT, 1, List.of(temp(0)))));
                assertTrue(e.retryable(), e.getMessage());
            }
        }
    }

    @Test
    void refusedReadingsAreBisectedOutAndTheRestDelivered() throws Exception {
        // the gateway takes bodies up to 1 KiB: a pack with a long text reading is refused 4.13
        // (NaN and the like never get this far: the outbox refuses to queue them)
        try (var gw = new CoapTestGateway(1024, Map.of()).start();
             var outbox = newOutbox(dir);
             var uplink = new CoapUplink("127.0.0.1", gw.port(), Optional.empty(), FAST)) {
            List<Long> good = new ArrayList<>();
            Map<Long, Reading> sent = new HashMap<>();
            long oversized = -1;
            long oversized2 = -1;
            for (int i = 0; i < 40; i++) {
                Reading r = switch (i) {
                    case 11 -> new Reading("note", null, new Value.Text("x".repeat(3000)), T0 + i * 1000L);
                    case 29 -> new Reading("note", null, new Value.Text("y".repeat(2000)), T0 + i * 1000L);
                    default -> temp(i);
                };
                long seq = outbox.append(BOOT, r).seq();
                if (i == 11) oversized = seq;
                else if (i == 29) oversized2 = seq;
                else {
                    good.add(seq);
                    sent.put(seq, r);
                }
            }
            try (var pump = new UplinkPump("kitchen", outbox, uplink, Clock.SYSTEM, PUMP).start()) {
                Await.until(Duration.ofSeconds(10), () -> outbox.stats().pending() == 0, () -> "the outbox drains");
                assertEquals(2, pump.stats().refused(), "only the two bad readings are dropped");
                assertEquals(38, pump.stats().delivered());
            }
            gw.arrivals.assertAtLeastOnceInOrder(BOOT, good, sent);
            long o = oversized, n = oversized2;
            assertTrue(gw.arrivals.all().stream().noneMatch(s -> s.seq() == o || s.seq() == n));
        }
    }

    @Test
    void dtlsWithPreSharedKey() throws Exception {
        byte[] key = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        try (var gw = new CoapTestGateway(8192, Map.of("kitchen", key)).start()) {
            try (var uplink = new CoapUplink("127.0.0.1", gw.port(), Optional.of(new CoapUplink.PskCredentials("kitchen", key)), FAST)) {
                assertTrue(uplink.describe().startsWith("coaps://"));
                uplink.deliver(new Batch("kitchen", BOOT, 1, List.of(temp(0))));
                assertEquals(1, gw.arrivals.distinct());
                // the gateway restarts and forgets the DTLS session: the device must handshake anew
                gw.stop();
                var away = assertThrows(UplinkException.class, () -> uplink.deliver(new Batch("kitchen", BOOT, 2, List.of(temp(1)))));
                assertTrue(away.retryable(), away.getMessage());
                gw.start();
                uplink.deliver(new Batch("kitchen", BOOT, 2, List.of(temp(1))));
                assertEquals(2, gw.arrivals.distinct());
                // restarted while the device was quiet: it is there, but drops the forgotten session's
                // records; the pack is given up before its last copies, with a new handshake next
                gw.stop();
                gw.start();
                var stale = assertThrows(UplinkException.class, () -> uplink.deliver(new Batch("kitchen", BOOT, 3, List.of(temp(2)))));
                assertTrue(stale.retryable() && stale.getMessage().contains("a new DTLS handshake next"), stale.getMessage());
                uplink.deliver(new Batch("kitchen", BOOT, 3, List.of(temp(2))));
                assertEquals(3, gw.arrivals.distinct());
            }
            byte[] wrong = "fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
            try (var uplink = new CoapUplink("127.0.0.1", gw.port(), Optional.of(new CoapUplink.PskCredentials("kitchen", wrong)), FAST)) {
                var e = assertThrows(UplinkException.class, () -> uplink.deliver(new Batch("kitchen", BOOT, 4, List.of(temp(3)))));
                assertFalse(e.getMessage().isEmpty());
                assertEquals(3, gw.arrivals.distinct(), "nothing passes with a wrong key");
            }
        }
    }
}
