package dev.lichen.benchmarks.gateway;

import dev.lichen.senml.SenmlFormat;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.EmptyMessage;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;

/**
 * The load run's CoAP devices: confirmable POSTs from a set of UDP sockets served by one thread,
 * messages encoded and parsed by Californium's own UDP serializer and parser. (A Californium
 * endpoint per device group needs a stack of layers and executors per endpoint; at this rate they
 * took a quarter of the machine that the gateway under test needs.) Each device keeps one pack in
 * flight and sends its next on the 2.04; a separate response (an empty ACK first) is acknowledged
 * when its confirmable 2.04 comes; a request unanswered for 2 s is sent again under a new message
 * id, one that got an empty ACK after 10 s (the gateway deduplicates the pack by its sequence
 * numbers). With a gateway CA, each socket is instead a Scandium DTLS client connector (CoAPS)
 * presenting a key pair of its own as a raw public key and trusting only that CA; its datagrams
 * come back through a queue to the same one thread.
 */
final class CoapLoadClients implements AutoCloseable {

    private static final long TIMEOUT_NANOS = 2_000_000_000L;

    private final InetSocketAddress gateway;
    private final List<String> ids;
    private final int pack;
    private final Packs packs;
    private final AtomicLong ackedReadings;
    final AtomicLong errors = new AtomicLong();
    final AtomicLong timeouts = new AtomicLong();
    final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> errorCodes = new java.util.concurrent.ConcurrentHashMap<>();
    private final UdpDataSerializer serializer = new UdpDataSerializer();
    private final UdpDataParser parser = new UdpDataParser();
    private final Selector selector;
    private final DatagramChannel[] sockets;
    /** With DTLS: one client connector per socket, and what they received, for the loop thread. */
    private final org.eclipse.californium.scandium.DTLSConnector[] dtls;
    private final java.util.concurrent.ConcurrentLinkedQueue<Object[]> inbox = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Per socket, the device waiting for each message id (-1: none). */
    private final int[][] byMid;
    private final int[] nextMid;
    // per device: the pack in flight
    private final long[] seq;
    private final long[] sentAt;
    private final int[] mid;
    private final boolean[] separate;
    private final ArrayDeque<Integer> due = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean stopped;

    CoapLoadClients(int port, List<String> deviceIds, int sockets, int pack, Packs packs, AtomicLong ackedReadings) throws IOException {
        this(port, deviceIds, sockets, pack, packs, ackedReadings, null);
    }

    CoapLoadClients(int port, List<String> deviceIds, int sockets, int pack, Packs packs, AtomicLong ackedReadings,
                    dev.lichen.runtime.uplink.TrustedCa gatewayCa) throws IOException {
        this.gateway = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        this.ids = deviceIds;
        this.pack = pack;
        this.packs = packs;
        this.ackedReadings = ackedReadings;
        this.selector = Selector.open();
        this.sockets = new DatagramChannel[sockets];
        this.dtls = gatewayCa == null ? null : new org.eclipse.californium.scandium.DTLSConnector[sockets];
        this.byMid = new int[sockets][65536];
        this.nextMid = new int[sockets];
        for (int s = 0; s < sockets; s++) {
            Arrays.fill(byMid[s], -1);
            if (dtls != null) {
                dtls[s] = connector(s, gatewayCa);
                continue;
            }
            DatagramChannel ch = DatagramChannel.open();
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ, s);
            this.sockets[s] = ch;
        }
        int n = deviceIds.size();
        this.seq = new long[n];
        this.sentAt = new long[n];
        this.mid = new int[n];
        this.separate = new boolean[n];
        this.thread = Thread.ofPlatform().name("coap-load").start(this::loop);
    }

    /** A DTLS client with a fresh EC P-256 key pair, as the device runtime's CoapUplink.OwnKey sets one up. */
    private org.eclipse.californium.scandium.DTLSConnector connector(int s, dev.lichen.runtime.uplink.TrustedCa ca) throws IOException {
        try {
            var g = java.security.KeyPairGenerator.getInstance("EC");
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            var keys = g.generateKeyPair();
            var config = dev.lichen.runtime.uplink.CoapUplink.dtlsConfiguration(dev.lichen.runtime.uplink.CoapUplink.Options.defaults());
            var c = new org.eclipse.californium.scandium.DTLSConnector(
                    org.eclipse.californium.scandium.config.DtlsConnectorConfig.builder(config)
                            .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                            .set(org.eclipse.californium.scandium.config.DtlsConfig.DTLS_ROLE,
                                    org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole.CLIENT_ONLY)
                            .setCertificateIdentityProvider(new org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider(
                                    keys.getPrivate(), keys.getPublic()))
                            .setAdvancedCertificateVerifier(org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier
                                    .builder().setTrustedCertificates(ca.certificate()).build())
                            .build());
            c.setRawDataReceiver(raw -> {
                inbox.add(new Object[] {s, raw.getBytes()});
                selector.wakeup();
            });
            c.start();
            return c;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot make a DTLS client: " + e.getMessage(), e);
        }
    }

    private void transmit(int s, byte[] datagram) throws IOException {
        if (dtls == null) {
            sockets[s].send(ByteBuffer.wrap(datagram), gateway);
        } else {
            dtls[s].send(org.eclipse.californium.elements.RawData.outbound(datagram,
                    new org.eclipse.californium.elements.AddressEndpointContext(gateway), null, false));
        }
    }

    private void loop() {
        ByteBuffer in = ByteBuffer.allocate(2048);
        try {
            for (int d = 0; d < ids.size(); d++) send(d);
            long lastScan = System.nanoTime();
            while (!stopped) {
                selector.select(50);
                for (SelectionKey k : selector.selectedKeys()) {
                    int s = (Integer) k.attachment();
                    DatagramChannel ch = sockets[s];
                    while (true) {
                        in.clear();
                        if (ch.receive(in) == null) break;
                        in.flip();
                        received(s, Arrays.copyOf(in.array(), in.limit()));
                    }
                }
                selector.selectedKeys().clear();
                for (Object[] d; (d = inbox.poll()) != null; ) received((Integer) d[0], (byte[]) d[1]);
                for (Integer d; (d = due.poll()) != null; ) send(d);
                long now = System.nanoTime();
                if (now - lastScan > 100_000_000L) {
                    lastScan = now;
                    for (int d = 0; d < ids.size(); d++) {
                        if (now - sentAt[d] > (separate[d] ? 5 * TIMEOUT_NANOS : TIMEOUT_NANOS)) {
                            timeouts.incrementAndGet();
                            send(d); // same pack, new message id
                        }
                    }
                }
            }
        } catch (IOException e) {
            if (!stopped) {
                errors.incrementAndGet();
                System.out.println("CoAP load generator stopped: " + e);
            }
        }
    }

    private void received(int s, byte[] datagram) throws IOException {
        Message m;
        try {
            m = parser.parseMessage(datagram);
        } catch (RuntimeException e) {
            errors.incrementAndGet();
            return;
        }
        if (m instanceof Response r) {
            int d = r.getType() == CoAP.Type.ACK ? byMid[s][r.getMID()] : deviceOf(r.getToken());
            if (r.getType() == CoAP.Type.CON) {
                EmptyMessage ack = EmptyMessage.newACK(r);
                transmit(s, serializer.getByteArray(ack));
            }
            if (d < 0 || d >= ids.size() || !Arrays.equals(r.getTokenBytes(), token(d))) return; // late answer to a resent pack
            byMid[s][mid[d]] = -1;
            separate[d] = false;
            if (r.getCode() == CoAP.ResponseCode.CHANGED) {
                ackedReadings.addAndGet(pack);
                seq[d] += pack;
            } else {
                errors.incrementAndGet(); // 5.03 and the like: the same pack again
                errorCodes.computeIfAbsent(r.getCode().text, k -> new AtomicLong()).incrementAndGet();
            }
            if (!stopped) due.add(d);
        } else if (m.getType() == CoAP.Type.ACK) {
            int d = byMid[s][m.getMID()];
            if (d >= 0) separate[d] = true; // empty ACK: the 2.04 follows as its own message
        } else if (m.getType() == CoAP.Type.RST) {
            int d = byMid[s][m.getMID()];
            if (d >= 0) {
                errors.incrementAndGet();
                byMid[s][m.getMID()] = -1;
                due.add(d);
            }
        }
    }

    private void send(int d) throws IOException {
        int s = d % sockets.length;
        if (byMid[s][mid[d]] == d) byMid[s][mid[d]] = -1;
        int m = nextMid[s];
        nextMid[s] = (m + 1) & 0xFFFF;
        mid[d] = m;
        byMid[s][m] = d;
        separate[d] = false;
        Request r = Request.newPost();
        r.setMID(m);
        r.setToken(token(d));
        r.getOptions().addUriPath("r").setContentFormat(SenmlFormat.CBOR.contentFormat());
        r.setPayload(packs.pack(ids.get(d), seq[d]));
        sentAt[d] = System.nanoTime();
        transmit(s, serializer.getByteArray(r));
    }

    /** The token names the device and its pack: a separate response finds its device by it. */
    private byte[] token(int d) {
        long v = ((long) d << 32) | (seq[d] & 0xFFFFFFFFL);
        byte[] t = new byte[8];
        for (int i = 0; i < 8; i++) t[i] = (byte) (v >>> (56 - 8 * i));
        return t;
    }

    private static int deviceOf(Token token) {
        byte[] t = token.getBytes();
        if (t.length != 8) return -1;
        return ((t[0] & 0xFF) << 24) | ((t[1] & 0xFF) << 16) | ((t[2] & 0xFF) << 8) | (t[3] & 0xFF);
    }

    /** Per device, the sequence number below which every reading was acknowledged. Call after close. */
    java.util.Map<String, Long> acknowledgedBelow() {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        for (int d = 0; d < ids.size(); d++) out.put(ids.get(d), seq[d]); // seq[d]: the pack in flight, or the next
        return out;
    }

    /** Stops sending; the thread ends within 50 ms. */
    void stop() {
        stopped = true;
    }

    @Override public void close() throws IOException {
        stopped = true;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (DatagramChannel c : sockets) if (c != null) c.close();
        if (dtls != null) for (var c : dtls) c.destroy();
        selector.close();
    }
}
