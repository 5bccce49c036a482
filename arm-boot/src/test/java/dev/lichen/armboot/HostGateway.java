package dev.lichen.armboot;

import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlException;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.senml.Value;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;

/**
 * The gateway's CoAP ingest as a guest reaches it through QEMU's user-mode network: a real
 * Californium server on the host's 127.0.0.1 (port chosen by the OS) taking SenML packs at /r and
 * decoding them with the wire codec. It can refuse with 5.03 (readings stay in the device's
 * outbox): the packs it refused are kept too, as the readings the device had made durable.
 */
final class HostGateway implements AutoCloseable {
    /** One reading as it crossed the wire, keyed "bootId:seq" in the maps below. */
    record Received(String channel, String unit, double value) {}

    private final CoapServer server;
    private final SenmlCodec codec = new SenmlCodec();
    private final AtomicBoolean accepting = new AtomicBoolean();
    private final Map<String, Long> firstAcceptedNanos = new ConcurrentSkipListMap<>();
    private final Map<String, Received> accepted = new ConcurrentSkipListMap<>();
    private final Map<String, Received> refused = new ConcurrentSkipListMap<>();

    HostGateway() {
        Configuration cfg = Configuration.createStandardWithoutFile();
        server = new CoapServer(cfg);
        server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(cfg)
                .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build());
        server.add(new CoapResource("r") {
            @Override
            public void handlePOST(CoapExchange exchange) {
                Batch b;
                try {
                    b = codec.decodeBatch(exchange.getRequestPayload(),
                            SenmlFormat.ofContentFormat(exchange.getRequestOptions().getContentFormat()));
                } catch (SenmlException | IllegalArgumentException e) {
                    exchange.respond(CoAP.ResponseCode.BAD_REQUEST, e.getMessage());
                    return;
                }
                boolean ok = accepting.get();
                for (int i = 0; i < b.readings().size(); i++) {
                    Reading r = b.readings().get(i);
                    double v = r.value() instanceof Value.Number n ? n.value() : Double.NaN;
                    (ok ? accepted : refused).put(b.bootId() + ":" + (b.firstSeq() + i), new Received(r.channel(), r.unit(), v));
                }
                if (ok) firstAcceptedNanos.putIfAbsent(b.bootId(), System.nanoTime());
                exchange.respond(ok ? CoAP.ResponseCode.CHANGED : CoAP.ResponseCode.SERVICE_UNAVAILABLE);
            }
        });
        server.start();
    }

    int port() {
        return server.getEndpoints().getFirst().getAddress().getPort();
    }

    void accept(boolean yes) {
        accepting.set(yes);
    }

    Map<String, Received> accepted() {
        return Map.copyOf(accepted);
    }

    Map<String, Received> refused() {
        return Map.copyOf(refused);
    }

    /** Per boot id, System.nanoTime() when its first pack was accepted. */
    Map<String, Long> firstAcceptedNanos() {
        return Map.copyOf(firstAcceptedNanos);
    }

    /** Waits until the accepted readings satisfy the condition; fails naming what is missing. */
    void awaitAccepted(Predicate<Map<String, Received>> done, Duration max, String what) throws InterruptedException {
        await(() -> done.test(accepted()), max, what);
    }

    void awaitRefused(int atLeast, Duration max) throws InterruptedException {
        await(() -> refused.size() >= atLeast, max, atLeast + " readings offered (and refused)");
    }

    private void await(java.util.function.BooleanSupplier done, Duration max, String what) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("no " + what + " at the gateway within " + max.toSeconds()
                    + " s; accepted " + accepted.size() + ", refused " + refused.size());
            Thread.sleep(200);
        }
    }

    @Override
    public void close() {
        server.destroy();
    }
}
