package dev.lichen.gateway.ingest;

import dev.lichen.senml.SenmlFormat;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.interceptors.MalformedMessageInterceptor;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.DtlsHealth;
import org.eclipse.californium.scandium.DtlsHealthExtended2;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import dev.lichen.gateway.metrics.Metrics;

/**
 * The CoAP doors: a Californium server with {@code POST /r} taking SenML CBOR (112) or JSON (110)
 * and the devices' commands to observe at {@code /c/<id>} ({@link CoapCommands}),
 * on plain UDP and on DTLS 1.2 (Scandium), where a device authenticates with a pre-shared key
 * or with its own key pair as a raw public key (RFC 7250). A PSK's identity is the device: a pack
 * naming another device gets 4.03, a handshake with an unknown identity or a wrong key fails
 * (counted in {@code lichen_coaps_handshake_failures_total}). A raw public key is the one the
 * device was adopted with, or the pack gets 4.01 ({@link DeviceIdentities}).
 * The handler only decodes and queues; the response (2.04, or the error) is sent from the
 * pipeline's completion once the group commit is durable, so no Californium thread waits on the
 * disk. Datagrams that are not CoAP at all are counted.
 */
public final class CoapIngest implements AutoCloseable {
    static {
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
    }

    /** Well under Californium's and libcoap's default ACK timeout of 2 s. */
    static final long ACCEPT_AFTER_MILLIS = 500;

    private final Pipeline pipeline;
    private final ScheduledThreadPoolExecutor acceptTimer;
    private final CoapServer server;
    private final CoapEndpoint endpoint;
    private final CoapEndpoint secureEndpoint;
    private final DTLSConnector dtls;

    public CoapIngest(Pipeline pipeline, String bindHost, int port, int coapsPort, DeviceKeys keys, DeviceIdentities identities,
                      dev.lichen.gateway.tls.GatewayCa tls, Metrics metrics, dev.lichen.gateway.store.Store store,
                      dev.lichen.gateway.commands.Commands commands) {
        this.pipeline = pipeline;
        this.acceptTimer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("coap-accept").daemon().factory());
        acceptTimer.setRemoveOnCancelPolicy(true); // thousands of timers a second are cancelled: do not keep them queued
        Configuration cfg = Configuration.createStandardWithoutFile();
        // every datagram (up to UDP's 64 KiB) reaches the handler, which answers 4.13 and counts it
        cfg.set(UdpConfig.UDP_DATAGRAM_SIZE, 65_535);
        cfg.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 65_535);
        // a house's devices answer a restart all at once: the kernel's default socket buffer (~200
        // KB) drops such a burst, and each dropped request costs its device a 2 s retransmission.
        // The kernel caps this at net.core.rmem_max (Debian: 4 MB; 208 KB on some boards).
        cfg.set(UdpConfig.UDP_RECEIVE_BUFFER_SIZE, 4 << 20);
        // deduplication state per peer is bounded (the store dedupes for ever by boot id + seq);
        // the default mark-and-sweep keeps every exchange ~247 s and grows with the message rate
        cfg.set(CoapConfig.DEDUPLICATOR, CoapConfig.DEDUPLICATOR_PEERS_MARK_AND_SWEEP);
        cfg.set(CoapConfig.PEERS_MARK_AND_SWEEP_MESSAGES, 64);
        cfg.set(CoapConfig.MAX_ACTIVE_PEERS, 20_000);
        this.endpoint = CoapEndpoint.builder().setConfiguration(cfg)
                .setInetSocketAddress(new InetSocketAddress(bindHost, port)).build();
        endpoint.addPostProcessInterceptor(new MalformedCounter()); // Californium calls malformed counters only here
        Metrics.Counter handshakeFailures = metrics.counter("lichen_coaps_handshake_failures_total",
                "CoAPS (DTLS) handshakes that failed, by reason (unknown_identity, wrong_key, other)", "reason");
        keys.onUnknownIdentity(() -> handshakeFailures.inc("unknown_identity"));
        this.dtls = new DTLSConnector(DtlsConnectorConfig.builder(cfg)
                .setAddress(new InetSocketAddress(bindHost, coapsPort))
                .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY)
                // the DTLS socket has a buffer setting of its own (UdpConfig's is the plain endpoint's): the same reason
                .set(DtlsConfig.DTLS_RECEIVE_BUFFER_SIZE, 4 << 20)
                .setAdvancedPskStore(keys.pskStore())
                // a device without a pre-shared key presents its own key pair (RFC 7250): any key may
                // shake hands, and the pack's device decides whether it is the right one (DeviceIdentities).
                // The gateway presents its key as a raw key, or as its certificate to a device with the CA
                .setCertificateIdentityProvider(new SingleCertificateProvider(tls.serverKey(),
                        new java.security.cert.Certificate[] {tls.serverCertificate(), tls.caCertificate()},
                        CertificateType.RAW_PUBLIC_KEY, CertificateType.X_509))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder().setTrustAllRPKs().build())
                .setHealthHandler(new HandshakeCounter(handshakeFailures))
                .build());
        this.secureEndpoint = CoapEndpoint.builder().setConfiguration(cfg).setConnector(dtls).build();
        secureEndpoint.addPostProcessInterceptor(new MalformedCounter());
        // a rotated or revoked key ends the device's open DTLS sessions at once
        keys.onChange(id -> dtls.startDropConnectionsForPrincipal(new PreSharedKeyIdentity(id)));
        // a rotation's old key: its sessions end as the new key's first pack is let in
        identities.onRetired(k -> {
            try {
                dtls.startDropConnectionsForPrincipal(new RawPublicKeyIdentity(k.subjectPublicKeyInfo()));
            } catch (java.security.GeneralSecurityException e) {
                // not a key DTLS could have carried
            }
        });
        identities.onUnpin(k -> {
            try {
                dtls.startDropConnectionsForPrincipal(new RawPublicKeyIdentity(k.subjectPublicKeyInfo()));
            } catch (java.security.GeneralSecurityException e) {
                // not a key DTLS could have carried: no session to end
            }
        });
        this.server = new CoapServer(cfg);
        server.addEndpoint(endpoint);
        server.addEndpoint(secureEndpoint);
        server.add(new ReadingsResource());
        server.add(new CoapCommands(store, commands, keys, identities));
    }

    public void start() {
        server.start();
    }

    /** The bound UDP port. */
    public int port() {
        return endpoint.getAddress().getPort();
    }

    /** The bound UDP port of CoAPS. */
    public int securePort() {
        return secureEndpoint.getAddress().getPort();
    }

    /**
     * Counts failed DTLS handshakes by reason. Scandium drops the records of a failing PSK
     * handshake silently (no alert, no "handshake failed" until it expires): a wrong key shows as
     * a MAC error on the client's Finished, an unknown identity as a failed key lookup
     * ({@link DeviceKeys#onUnknownIdentity}).
     */
    private record HandshakeCounter(Metrics.Counter failures) implements DtlsHealth, DtlsHealthExtended2 {
        @Override public void dump(String tag, int maxConnections, int remainingCapacity, int pendingWithoutVerify) {}

        @Override public boolean isEnabled() { return true; }

        @Override public void startHandshake() {}

        @Override
        public void endHandshake(boolean success) {
            if (!success) failures.inc("other");
        }

        @Override
        public void receivingMacError() {
            failures.inc("wrong_key");
        }

        @Override public void receivingRecord(boolean dropped) {}

        @Override public void sendingRecord(boolean dropped) {}

        @Override public void setPendingIncomingJobs(int jobs) {}

        @Override public void setPendingOutgoingJobs(int jobs) {}

        @Override public void setPendingHandshakeJobs(int jobs) {}
    }

    @Override
    public void close() {
        server.stop();
        server.destroy(); // frees the UDP receive thread at once (LIBRARIES.md)
        acceptTimer.shutdownNow();
    }

    private final class MalformedCounter extends MessageInterceptorAdapter implements MalformedMessageInterceptor {
        @Override
        public void receivedMalformedMessage(RawData message) {
            pipeline.countReject(Protocol.COAP, RejectReason.GARBAGE_DATAGRAM);
        }
    }

    private final class ReadingsResource extends CoapResource {
        ReadingsResource() {
            super("r");
            getAttributes().setTitle("Lichen readings: POST SenML (Content-Format 110 or 112)");
        }

        @Override
        public void handlePOST(CoapExchange ex) {
            // over CoAPS a pre-shared key's identity is the device the pack must come from; a raw
            // public key is checked against the key the pack's device was adopted with
            var peer = ex.advanced().getRequest().getSourceContext().getPeerIdentity();
            String keyOf = peer instanceof PreSharedKeyIdentity psk ? psk.getIdentity() : null;
            byte[] presented = peer instanceof RawPublicKeyIdentity rpk ? rpk.getSubjectInfo() : null;
            Protocol protocol = peer != null ? Protocol.COAPS : Protocol.COAP;
            int cf = ex.getRequestOptions().getContentFormat();
            SenmlFormat format = SenmlFormat.ofContentFormat(cf);
            if (format == null) {
                var r = pipeline.reject(protocol, RejectReason.UNSUPPORTED_FORMAT,
                        "Content-Format " + (cf < 0 ? "missing" : cf) + ": send SenML as 112 (senml+cbor) or 110 (senml+json)");
                respond(ex, r);
                return;
            }
            var future = pipeline.ingest(protocol, ex.getRequestPayload(), format, keyOf, ex.getSourceAddress(), presented);
            if (!future.isDone()) {
                // normally the journal's fsync answers well within the client's ACK timeout and the
                // 2.04 is piggybacked; on a slow card, or while the writer holds the journal back,
                // acknowledge the CON (empty ACK) so the device stops retransmitting, and the
                // response follows as a separate message
                var accept = acceptTimer.schedule(() -> {
                    if (!future.isDone()) ex.accept();
                }, ACCEPT_AFTER_MILLIS, TimeUnit.MILLISECONDS);
                future.whenComplete((o, e) -> accept.cancel(false));
            }
            future.whenComplete((outcome, err) -> {
                        if (err != null) {
                            respond(ex, new IngestOutcome.Rejected(RejectReason.UNAVAILABLE, "internal error; retry"));
                        } else {
                            respond(ex, outcome);
                        }
                    });
        }

        private void respond(CoapExchange ex, IngestOutcome outcome) {
            switch (outcome) {
                case IngestOutcome.Queued _, IngestOutcome.Accepted _ -> ex.respond(ResponseCode.CHANGED);
                case IngestOutcome.Rejected r -> {
                    Response resp = new Response(code(r.reason()));
                    resp.setPayload(r.message());
                    if (r.reason() == RejectReason.TOO_LARGE) resp.getOptions().setSize1(pipeline.codec().limits().maxBytes());
                    switch (r.reason()) {
                        case UNAVAILABLE, RATE_LIMITED -> resp.getOptions().setMaxAge(1);
                        case NEW_DEVICE_LIMIT -> resp.getOptions().setMaxAge(60); // until a person has looked
                        default -> { }
                    }
                    ex.respond(resp);
                }
            }
        }

        private static ResponseCode code(RejectReason reason) {
            return switch (reason) {
                case MALFORMED, GARBAGE_DATAGRAM -> ResponseCode.BAD_REQUEST;
                case TOO_LARGE -> ResponseCode.REQUEST_ENTITY_TOO_LARGE;
                case UNSUPPORTED_FORMAT -> ResponseCode.UNSUPPORTED_CONTENT_FORMAT;
                case DEVICE_MISMATCH, DEVICE_REJECTED -> ResponseCode.FORBIDDEN;
                case UNKNOWN_KEY -> ResponseCode.UNAUTHORIZED;
                case UNAVAILABLE, NEW_DEVICE_LIMIT -> ResponseCode.SERVICE_UNAVAILABLE;
                case RATE_LIMITED -> ResponseCode.TOO_MANY_REQUESTS;
            };
        }
    }
}
