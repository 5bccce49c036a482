package dev.lichen.runtime.uplink;

import dev.lichen.senml.Batch;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * Delivers batches as confirmable {@code POST /r} with a SenML pack (Californium). A batch
 * counts as delivered only on a 2.xx answer (the gateway sends 2.04 once the readings are
 * durably queued). Packs larger than the block size travel block-wise (RFC 7959). With a PSK,
 * or with the device's own key pair, the endpoint speaks DTLS 1.2 (Scandium).
 */
public final class CoapUplink implements Uplink {
    static {
        CoapConfig.register();
        UdpConfig.register();
        // DtlsConfig only for coaps (dtlsConfiguration): its first use probes every JCE algorithm
        // (Californium's JceProviderUtil), measured at 1.7 s of a 3.5 s interpreted start and
        // several seconds of a device's boot under emulation; plain coap never needs it
    }

    /**
     * ackTimeout and maxRetransmit are CoAP's own (RFC 7252 4.8); together they bound how long a
     * batch waits before the gateway counts as away. blockSize is the block-wise block size
     * (16-1024); larger payloads are sent in blocks.
     */
    public record Options(SenmlFormat format, Duration ackTimeout, int maxRetransmit, int blockSize) {
        public static Options defaults() {
            return new Options(SenmlFormat.CBOR, Duration.ofSeconds(2), 3, 512);
        }
    }

    /** How the device proves itself over CoAPS. */
    public sealed interface DtlsCredentials permits PskCredentials, OwnKey {}

    public record PskCredentials(String identity, byte[] key) implements DtlsCredentials {}

    /**
     * The device's own key pair, presented to the gateway as a raw public key (RFC 7250), and the
     * gateway's CA, to which the certificate the gateway presents must chain.
     */
    public record OwnKey(java.security.KeyPair keys, TrustedCa gatewayCa) implements DtlsCredentials {}

    private final InetSocketAddress gateway;
    private final String uri;
    private final Options options;
    private final SenmlCodec codec = new SenmlCodec();
    private volatile CoapEndpoint endpoint;
    private volatile DTLSConnector dtls;
    /** How this uplink proves itself (null: plain CoAP, or a shared endpoint); a rotation replaces the key. */
    private DtlsCredentials credentials;
    /** False when the endpoint is shared with other uplinks: close() then leaves it open. */
    private final boolean ownsEndpoint;
    private final long responseTimeoutMs, staleSessionMs;

    public CoapUplink(String host, int port, Optional<PskCredentials> psk, Options options) {
        this(host, port, (DtlsCredentials) psk.orElse(null), options);
    }

    /** CoAPS with the device's own key pair: the gateway knows the device by its public key once adopted. */
    public CoapUplink(String host, int port, OwnKey own, Options options) {
        this(host, port, (DtlsCredentials) own, options);
    }

    /** credentials null: plain CoAP. */
    private CoapUplink(String host, int port, DtlsCredentials credentials, Options options) {
        this.gateway = new InetSocketAddress(host, port);
        this.options = options;
        this.uri = (credentials != null ? "coaps" : "coap") + "://" + hostForUri(host) + ":" + port + "/r";
        this.credentials = credentials;
        ownsEndpoint = true;
        open(credentials);
        responseTimeoutMs = responseTimeoutMs(options);
        staleSessionMs = staleSessionMs(options);
    }

    /** A started endpoint of its own: DTLS with the credentials, plain UDP without. */
    private void open(DtlsCredentials credentials) {
        Configuration config = credentials != null ? dtlsConfiguration(options) : configuration(options);
        var builder = new CoapEndpoint.Builder().setConfiguration(config);
        DTLSConnector connector = null;
        if (credentials != null) {
            var dtlsConfig = DtlsConnectorConfig.builder(config)
                    .setAddress(new InetSocketAddress(0))
                    .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
            switch (credentials) {
                case PskCredentials psk -> dtlsConfig.setAdvancedPskStore(new AdvancedSinglePskStore(psk.identity(), psk.key()));
                case OwnKey own -> dtlsConfig
                        .setCertificateIdentityProvider(new SingleCertificateProvider(own.keys().getPrivate(), own.keys().getPublic()))
                        // the gateway's certificate, issued by its CA for the address or name the device dials
                        .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                                .setTrustedCertificates(own.gatewayCa().certificate()).build());
            }
            connector = new DTLSConnector(dtlsConfig.build());
            builder.setConnector(connector);
        } else {
            builder.setInetSocketAddress(new InetSocketAddress(0));
        }
        CoapEndpoint made = builder.build();
        try {
            made.start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot open a UDP socket for CoAP: " + e.getMessage(), e);
        }
        dtls = connector;
        endpoint = made;
    }

    /**
     * A rotation: a new DTLS endpoint presenting the new key pair (a new session, so the gateway
     * sees the new raw public key), the observation of commands moved onto it, the old one closed.
     */
    @Override
    public synchronized void rekey(java.security.KeyPair keys) {
        if (!(credentials instanceof OwnKey own)) throw new UnsupportedOperationException(describe() + " does not present the device's own key");
        credentials = new OwnKey(keys, own.gatewayCa());
        CoapEndpoint old = endpoint;
        open(credentials);
        var client = commandClient;
        if (client != null) {
            // a fresh client: the old one keeps the old DTLS session's context for its requests
            commandClient = commandClient(client.getURI());
            var r = relation;
            relation = null; // the watcher registers again, over the new session
            if (r != null) r.reactiveCancel();
            client.shutdown();
        }
        old.destroy();
    }

    /**
     * An uplink over an endpoint that many uplinks share (the simulator runs a thousand devices in
     * one JVM: one UDP socket and one set of Californium threads instead of one per device). The
     * endpoint must be started; {@link #close()} leaves it open for the others.
     */
    public CoapUplink(CoapEndpoint shared, String host, int port, Options options) {
        this.gateway = new InetSocketAddress(host, port);
        this.options = options;
        this.uri = "coap://" + hostForUri(host) + ":" + port + "/r";
        this.endpoint = shared;
        this.ownsEndpoint = false;
        this.dtls = null;
        responseTimeoutMs = responseTimeoutMs(options);
        staleSessionMs = staleSessionMs(options);
    }

    /**
     * How long a confirmable request may take: every retransmission with the largest random
     * factor (1.5), plus room for a separate response.
     */
    private static long responseTimeoutMs(Options options) {
        long ack = options.ackTimeout().toMillis();
        return (long) (ack * 1.5 * ((1L << (options.maxRetransmit() + 1)) - 1)) + 2 * ack;
    }

    /** How long the first two retransmissions take at most (1.5 x 3 ACK timeouts), and half an ACK timeout. */
    private static long staleSessionMs(Options options) {
        long ack = options.ackTimeout().toMillis();
        return Math.min((long) (ack * 1.5 * 3) + ack / 2, responseTimeoutMs(options));
    }

    /** The Californium configuration (plain coap) both the uplink and a test server use; never reads a file. */
    public static Configuration configuration(Options options) {
        Configuration c = Configuration.createStandardWithoutFile();
        c.set(CoapConfig.ACK_TIMEOUT, options.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        c.set(CoapConfig.MAX_RETRANSMIT, options.maxRetransmit());
        c.set(CoapConfig.MAX_MESSAGE_SIZE, options.blockSize());
        c.set(CoapConfig.PREFERRED_BLOCK_SIZE, options.blockSize());
        // a device sends a handful of packs a minute: keep exchange state small and short-lived
        c.set(CoapConfig.MAX_ACTIVE_PEERS, 16);
        c.set(CoapConfig.EXCHANGE_LIFETIME, 60, TimeUnit.SECONDS);
        c.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
        c.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, 1);
        c.set(UdpConfig.UDP_SENDER_THREAD_COUNT, 1);
        return c;
    }

    /** {@link #configuration(Options)} with Scandium's DTLS settings, for coaps. */
    public static Configuration dtlsConfiguration(Options options) {
        DtlsConfig.register();
        Configuration c = configuration(options);
        c.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        c.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        c.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 16);
        return c;
    }

    @Override
    public void deliver(Batch batch) throws UplinkException {
        byte[] payload;
        try {
            payload = codec.encode(batch, options.format());
        } catch (IllegalArgumentException e) {
            // the readings themselves cannot be sent (NaN, a forbidden name, too large): as a 4.00
            throw new UplinkException("cannot encode the pack: " + e.getMessage(), UplinkException.Kind.DATA_REFUSED, e);
        }
        Request request = Request.newPost();
        request.setConfirmable(true);
        request.setURI(uri);
        request.getOptions().setContentFormat(options.format().contentFormat());
        request.setPayload(payload);
        Response response;
        try {
            endpoint.sendRequest(request);
            if (dtls == null) {
                response = request.waitForResponse(responseTimeoutMs);
            } else {
                // not even an empty ACK after three copies: a gateway that restarted drops records
                // of a session it forgot, so waiting out every retransmission would only lose time
                response = request.waitForResponse(staleSessionMs);
                if (response == null && request.isAcknowledged()) response = request.waitForResponse(responseTimeoutMs - staleSessionMs);
            }
        } catch (InterruptedException e) {
            request.cancel();
            Thread.currentThread().interrupt();
            throw new UplinkException("interrupted", UplinkException.Kind.AWAY, e);
        }
        if (response == null) {
            lostLink = true;
            request.cancel();
            handshakeAgain();
            String why = request.getSendError() != null ? "send failed: " + request.getSendError().getMessage()
                    : request.isRejected() ? "the gateway rejected the message (RST)"
                    : dtls != null && !request.isAcknowledged() ? "no answer in " + staleSessionMs / 1000 + " s (a new DTLS handshake next)"
                    : "no answer after " + (options.maxRetransmit() + 1) + " tries";
            throw new UplinkException(why, UplinkException.Kind.AWAY, request.getSendError());
        }
        CoAP.ResponseCode code = response.getCode();
        if (code.isSuccess()) {
            if (lostLink) {
                lostLink = false;
                // the gateway may have restarted and forgotten the registration: register again now
                reobserve = true;
            }
            return;
        }
        String diagnostic = response.getPayloadSize() == 0 ? ""
                : ": " + truncate(new String(response.getPayload(), StandardCharsets.UTF_8));
        String message = code.text + " " + code.name() + diagnostic;
        throw new UplinkException(message, kindOf(code), null);
    }

    /**
     * A gateway that restarted has forgotten our DTLS session and drops its records silently:
     * handshake again (resuming if it still knows us) before the next request. Plain CoAP: nothing.
     */
    private void handshakeAgain() {
        if (dtls != null) dtls.forceResumeSessionFor(gateway);
    }

    /** Which answers mean "these readings never pass" and which "this device, not now". */
    static UplinkException.Kind kindOf(CoAP.ResponseCode code) {
        return switch (code) {
            case BAD_REQUEST, BAD_OPTION, REQUEST_ENTITY_INCOMPLETE, REQUEST_ENTITY_TOO_LARGE, UNPROCESSABLE_ENTITY ->
                    UplinkException.Kind.DATA_REFUSED;
            case TOO_MANY_REQUESTS -> UplinkException.Kind.AWAY;
            // 4.01/4.03 (unknown device), 4.04/4.05 (no /r there), 4.15 (the gateway does not
            // take this content format): every reading would be refused alike; keep them all
            default -> code.isClientError() ? UplinkException.Kind.DEVICE_REFUSED : UplinkException.Kind.AWAY;
        };
    }

    private static String truncate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    private static String hostForUri(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    // ---------------------------------------------------------------- commands

    /** One pair of executors for every device's observation in the JVM (the simulator runs a thousand). */
    private static final class Observers {
        static final java.util.concurrent.ExecutorService MAIN = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        static final java.util.concurrent.ScheduledThreadPoolExecutor TIMERS = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("coap-observe-timer").daemon().factory());
    }

    private volatile org.eclipse.californium.core.CoapClient commandClient;
    private volatile org.eclipse.californium.core.CoapObserveRelation relation;
    /** When the gateway last answered the registration (a notification or a refusal), and when we last registered. */
    private volatile long lastHeardNanos, registeredNanos;
    private volatile long maxAgeSeconds = 60;
    private volatile Thread watcher;
    private volatile boolean lostLink;
    private volatile boolean reobserve;

    /** How long a registration may go unanswered before the session counts as stale (a round trip, a resumption). */
    static final long UNANSWERED_MS = 4_000;
    /** Californium registers again this long after a notification's Max-Age (its NOTIFICATION_REREGISTRATION_BACKOFF). */
    private static final long REREGISTRATION_BACKOFF_MS = 2_000;
    private static final long FIRST_RETRY_MS = 1_000, LAST_RETRY_MS = 15_000;

    /**
     * Observes the gateway's {@code /c/<deviceId>} (RFC 7641) on this uplink's endpoint, so over
     * the same DTLS session as the readings. Californium registers again when a notification's
     * Max-Age passes without another. A watcher registers afresh when a registration was refused
     * (a device not yet adopted: again after 1, 2, 4 ... 15 s), when one went unanswered (a gateway
     * that restarted has forgotten the DTLS session and drops its records silently, so a new
     * handshake first), and at once when a pack gets through after the link was lost (a restarted
     * gateway has forgotten every registration). An idle device so finds a restarted gateway
     * within a Max-Age and a few seconds.
     */
    @Override
    public synchronized void onCommands(String deviceId, java.util.function.Consumer<byte[]> listener) {
        if (commandClient != null) throw new IllegalStateException("already listening for commands");
        String base = uri.substring(0, uri.length() - "/r".length());
        commandClient = commandClient(base + "/c/" + deviceId);
        Thread w = Thread.ofVirtual().name("coap-commands-" + deviceId).unstarted(() -> watch(listener));
        watcher = w;
        w.start();
    }

    private org.eclipse.californium.core.CoapClient commandClient(String target) {
        var client = new org.eclipse.californium.core.CoapClient(target);
        client.setEndpoint(endpoint);
        client.setExecutors(Observers.MAIN, Observers.TIMERS, true);
        return client;
    }

    private void observe(java.util.function.Consumer<byte[]> listener) {
        var old = relation;
        // forgetting is enough: a gateway that still has the registration gets a reset for its next notification
        if (old != null) old.reactiveCancel();
        // the client keeps the DTLS session of the last answer; after a new handshake a request
        // bound to the old one would be dropped on the way out (strict endpoint context)
        commandClient.setDestinationContext(null);
        registeredNanos = System.nanoTime();
        relation = commandClient.observe(new org.eclipse.californium.core.CoapHandler() {
            @Override
            public void onLoad(org.eclipse.californium.core.CoapResponse r) {
                lastHeardNanos = System.nanoTime();
                if (r.isSuccess()) {
                    Long age = r.getOptions().getMaxAge();
                    if (age != null && age > 0) maxAgeSeconds = age;
                    listener.accept(r.getPayload());
                } else {
                    org.slf4j.LoggerFactory.getLogger(CoapUplink.class).warn("the gateway refuses this device its commands: {} {}",
                            r.getCode(), r.getResponseText());
                }
            }

            @Override
            public void onError() {
                // no answer: the watcher tries again
            }
        });
    }

    private void watch(java.util.function.Consumer<byte[]> listener) {
        observe(listener);
        long retryMs = FIRST_RETRY_MS;
        while (watcher != null) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
            var r = relation;
            long now = System.nanoTime();
            long sinceRegisteredMs = (now - registeredNanos) / 1_000_000;
            boolean answered = lastHeardNanos - registeredNanos >= 0;
            long quietMs = (now - lastHeardNanos) / 1_000_000;
            // unanswered: our registration, or Californium's own one after Max-Age (the gateway is
            // away or forgot the session); refused (not adopted yet, say): ask less often the longer it lasts
            boolean live = answered && r != null && !r.isCanceled();
            boolean unanswered = answered
                    ? live && quietMs > maxAgeSeconds * 1000 + REREGISTRATION_BACKOFF_MS + UNANSWERED_MS
                    : sinceRegisteredMs > Math.max(UNANSWERED_MS, retryMs);
            boolean refusedDue = answered && !live && sinceRegisteredMs > retryMs;
            if (live && !unanswered) retryMs = FIRST_RETRY_MS; // a live registration: start over next time
            if (unanswered) handshakeAgain();
            boolean again = reobserve || unanswered || refusedDue;
            if (again) {
                if (!reobserve) retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
                reobserve = false;
                observe(listener);
            }
        }
    }

    @Override
    public String describe() {
        return uri;
    }

    public InetSocketAddress gateway() {
        return gateway;
    }

    @Override
    public void close() {
        Thread w = watcher;
        watcher = null;
        if (w != null) w.interrupt();
        var r = relation;
        // no cancel message: it would go out after the endpoint is gone; the gateway's next
        // notification gets a reset and ends the registration
        if (r != null) r.reactiveCancel();
        // destroy, not stop: the JVM would otherwise wait ~300 ms for the blocked UDP receiver
        if (ownsEndpoint) endpoint.destroy();
    }
}
