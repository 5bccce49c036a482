package dev.lichen.gateway.ingest;

import static dev.lichen.gateway.testing.Clients.pack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.testing.Clients;
import dev.lichen.runtime.uplink.CoapUplink;
import dev.lichen.runtime.uplink.MqttUplink;
import dev.lichen.runtime.uplink.TrustedCa;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker on the path records a device's whole encrypted session (handshake and readings)
 * and plays it back to the gateway, from its own address and from the device's: the pack never
 * reaches the pipeline again, counted by the pipeline itself (not only deduplicated by sequence
 * numbers, which would hide a replay that got through).
 */
class ReplayTest {
    @TempDir
    static Path dir;
    static Gateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = Gateway.start(GatewayConfig.forTest(dir.resolve("data")), List.of());
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
    }

    /** Every pack of this protocol that reached the pipeline, whatever became of it. */
    static double packs(Protocol p) {
        double n = 0;
        for (String outcome : List.of("accepted", "duplicate", "rejected")) n += gw.metrics().value("lichen_ingest_packs_total", p.label(), outcome);
        return n;
    }

    static long stored(String device) throws InterruptedException {
        return Clients.stored(gw, device);
    }

    @Test
    void aRecordedTlsSessionPlayedBackGainsNothing() throws Exception {
        ByteArrayOutputStream recorded = new ByteArrayOutputStream();
        try (ServerSocket tap = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread relay = Thread.ofVirtual().start(() -> {
                try (Socket device = tap.accept(); Socket gateway = new Socket(InetAddress.getLoopbackAddress(), gw.mqttTlsPort())) {
                    Thread back = Thread.ofVirtual().start(() -> copy(gateway, device, null));
                    copy(device, gateway, recorded);
                    back.join();
                } catch (Exception e) {
                    // the session ended
                }
            });
            try (var device = new MqttUplink("replay-tls", "127.0.0.1", tap.getLocalPort(), MqttUplink.Options.defaults()
                    .withTimeout(Duration.ofSeconds(5)).withTls(TrustedCa.read(dir.resolve("data/tls/ca.crt"))))) {
                device.deliver(pack("replay-tls", "b", 0, 3, 20));
            }
            relay.join(5_000);
        }
        assertEquals(3, stored("replay-tls"));
        double before = packs(Protocol.MQTTS);
        byte[] session = recorded.toByteArray();
        assertTrue(session.length > 500, "a handshake and a publish were recorded: " + session.length + " bytes");
        for (int i = 0; i < 3; i++) {
            try (Socket attacker = new Socket(InetAddress.getLoopbackAddress(), gw.mqttTlsPort())) {
                attacker.setSoTimeout(3_000);
                attacker.getOutputStream().write(session);
                attacker.getOutputStream().flush();
                drain(attacker.getInputStream()); // the gateway's new ServerHello, then an alert and the close
            }
        }
        Thread.sleep(500);
        assertEquals(before, packs(Protocol.MQTTS), "a replayed publish reached the pipeline");
        assertEquals(3, stored("replay-tls"));
    }

    @Test
    void aRecordedDtlsSessionPlayedBackGainsNothing() throws Exception {
        byte[] key = gw.deviceKeys().rotate("replay-dtls", System.currentTimeMillis());
        List<byte[]> recorded = java.util.Collections.synchronizedList(new ArrayList<>());
        InetSocketAddress gateway = new InetSocketAddress(InetAddress.getLoopbackAddress(), gw.coapsPort());
        try (DatagramSocket tap = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket out = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            // device <-> tap | out <-> gateway; what the device sends is recorded
            InetSocketAddress[] deviceAt = new InetSocketAddress[1];
            Thread up = Thread.ofVirtual().start(() -> relay(tap, out, gateway, recorded, deviceAt));
            Thread down = Thread.ofVirtual().start(() -> relayBack(out, tap, deviceAt));
            try (var device = new CoapUplink("127.0.0.1", tap.getLocalPort(),
                    Optional.of(new CoapUplink.PskCredentials("replay-dtls", key)), CoapUplink.Options.defaults())) {
                device.deliver(pack("replay-dtls", "b", 0, 3, 20));
            }
            assertEquals(3, stored("replay-dtls"));
            double before = packs(Protocol.COAPS);
            List<byte[]> session = List.copyOf(recorded);
            assertTrue(session.size() >= 4, "a handshake and a POST were recorded: " + session.size() + " datagrams");
            // from the address the device used (the tap's relay socket) and from a stranger's
            try (DatagramSocket stranger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                for (DatagramSocket from : List.of(out, stranger)) {
                    for (byte[] d : session) {
                        from.send(new DatagramPacket(d, d.length, gateway));
                        Thread.sleep(20);
                    }
                }
            }
            Thread.sleep(1_000);
            assertEquals(before, packs(Protocol.COAPS), "a replayed POST reached the pipeline");
            assertEquals(3, stored("replay-dtls"));
            up.interrupt();
            down.interrupt();
        }
    }

    private static void relay(DatagramSocket from, DatagramSocket to, InetSocketAddress target, List<byte[]> recorded,
                              InetSocketAddress[] deviceAt) {
        byte[] buf = new byte[2048];
        try {
            while (!from.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                from.receive(p);
                deviceAt[0] = (InetSocketAddress) p.getSocketAddress();
                byte[] d = Arrays.copyOf(p.getData(), p.getLength());
                recorded.add(d);
                to.send(new DatagramPacket(d, d.length, target));
            }
        } catch (Exception closed) {
            // the test is over
        }
    }

    private static void relayBack(DatagramSocket from, DatagramSocket to, InetSocketAddress[] deviceAt) {
        byte[] buf = new byte[2048];
        try {
            while (!from.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                from.receive(p);
                if (deviceAt[0] != null) to.send(new DatagramPacket(p.getData(), p.getLength(), deviceAt[0]));
            }
        } catch (Exception closed) {
            // the test is over
        }
    }

    private static void copy(Socket from, Socket to, ByteArrayOutputStream record) {
        byte[] buf = new byte[4096];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                if (record != null) {
                    synchronized (record) {
                        record.write(buf, 0, n);
                    }
                }
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (Exception closed) {
            // one side closed
        }
    }

    private static void drain(InputStream in) {
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) > 0) {
                // the gateway's answer, unreadable to the attacker
            }
        } catch (SocketTimeoutException | java.net.SocketException e) {
            // the gateway closed or said nothing more
        } catch (java.io.IOException e) {
            // the same
        }
    }
}
