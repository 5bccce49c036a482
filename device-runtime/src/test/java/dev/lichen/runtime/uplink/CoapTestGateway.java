package dev.lichen.runtime.uplink;

import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlException;
import dev.lichen.senml.SenmlFormat;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedMultiPskStore;

/**
 * A real Californium CoAP server on 127.0.0.1 with the gateway's {@code POST /r}: it decodes the
 * pack with the SenML codec, records every reading it got (duplicates included) and answers
 * 2.04; invalid SenML gets 4.00 with the reason. It can be stopped and started again on the
 * same port (the gateway going away and coming back), and can speak DTLS with PSKs.
 */
public final class CoapTestGateway implements AutoCloseable {
    public final Arrivals arrivals = new Arrivals();
    final AtomicInteger block1Requests = new AtomicInteger();
    final AtomicInteger posts = new AtomicInteger();
    /** When not empty, /r answers the next POSTs with these codes instead of decoding. */
    final ConcurrentLinkedQueue<ResponseCode> scripted = new ConcurrentLinkedQueue<>();
    private final SenmlCodec codec = new SenmlCodec();
    private final int maxBodyBytes;
    private final Map<String, byte[]> psks;
    private CoapServer server;
    private int port;

    public CoapTestGateway(int maxBodyBytes, Map<String, byte[]> psks) {
        this.maxBodyBytes = maxBodyBytes;
        this.psks = psks;
    }

    public CoapTestGateway() {
        this(8192, Map.of());
    }

    public synchronized CoapTestGateway start() throws Exception {
        Configuration config = psks.isEmpty() ? CoapUplink.configuration(CoapUplink.Options.defaults())
                : CoapUplink.dtlsConfiguration(CoapUplink.Options.defaults());
        config.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, maxBodyBytes);
        var address = new InetSocketAddress("127.0.0.1", port);
        var endpoint = new CoapEndpoint.Builder().setConfiguration(config);
        if (psks.isEmpty()) {
            endpoint.setInetSocketAddress(address);
        } else {
            var store = new AdvancedMultiPskStore();
            psks.forEach(store::setKey);
            endpoint.setConnector(new DTLSConnector(DtlsConnectorConfig.builder(config)
                    .setAddress(address)
                    .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY)
                    .setAdvancedPskStore(store)
                    .build()));
        }
        CoapEndpoint ep = endpoint.build();
        ep.addInterceptor(new MessageInterceptorAdapter() {
            @Override
            public void receiveRequest(Request request) {
                if (request.getOptions().hasBlock1()) block1Requests.incrementAndGet();
            }
        });
        server = new CoapServer(config);
        server.addEndpoint(ep);
        server.add(new CoapResource("r") {
            @Override
            public void handlePOST(CoapExchange exchange) {
                posts.incrementAndGet();
                ResponseCode forced = scripted.poll();
                if (forced != null) {
                    exchange.respond(forced, "scripted " + forced.text);
                    return;
                }
                SenmlFormat format = SenmlFormat.ofContentFormat(exchange.getRequestOptions().getContentFormat());
                if (format == null) {
                    exchange.respond(ResponseCode.UNSUPPORTED_CONTENT_FORMAT, "send senml+cbor (112) or senml+json (110)");
                    return;
                }
                try {
                    arrivals.add(codec.decodeBatch(exchange.getRequestPayload(), format));
                    exchange.respond(ResponseCode.CHANGED);
                } catch (SenmlException e) {
                    exchange.respond(ResponseCode.BAD_REQUEST, e.getMessage());
                }
            }
        });
        server.start();
        port = ep.getAddress().getPort();
        return this;
    }

    /** Listens on this port from the next start() (0: any free port). */
    public CoapTestGateway onPort(int port) {
        this.port = port;
        return this;
    }

    public int port() {
        return port;
    }

    /** The gateway goes away: nothing listens on the port any more. */
    public synchronized void stop() {
        if (server != null) server.destroy();
        server = null;
    }

    @Override
    public void close() {
        stop();
    }
}
