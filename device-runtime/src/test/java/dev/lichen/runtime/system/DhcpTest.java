package dev.lichen.runtime.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The DHCP client against a small RFC 2131 server on loopback (free ports; the real ports need a machine of its own). */
class DhcpTest {
    static final byte[] MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

    @Test
    void discoverOfferRequestAckGivesTheLease() throws Exception {
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            Thread serverThread = Thread.ofVirtual().start(() -> serve(server));
            Dhcp dhcp = new Dhcp(MAC, (InetSocketAddress) server.getLocalAddress(), new InetSocketAddress("127.0.0.1", 0),
                    RandomGenerator.of("L64X128MixRandom"));
            Dhcp.Lease lease = dhcp.obtain(Duration.ofSeconds(10));
            assertEquals(InetAddress.getByName("10.0.2.15"), lease.address());
            assertEquals(24, lease.prefixLength());
            assertEquals(InetAddress.getByName("10.0.2.2"), lease.router().orElseThrow());
            assertEquals(InetAddress.getByName("10.0.2.2"), lease.server());
            assertEquals(Duration.ofSeconds(86400), lease.time());
            assertEquals(List.of(InetAddress.getByName("10.0.2.3")), lease.ntpServers());
            serverThread.join(5000);
        }
    }

    /** Answers one DISCOVER (after a stray reply with the wrong transaction id) and one REQUEST. */
    private static void serve(DatagramChannel ch) {
        try {
            ByteBuffer in = ByteBuffer.allocate(1500);
            SocketAddress client = ch.receive(in);
            in.flip();
            int xid = in.getInt(4);
            assertEquals(1, in.get(0));
            assertEquals(1, option(in, 53)[0], "DISCOVER");
            assertEquals(0x8000, in.getShort(10) & 0xFFFF, "asks for a broadcast reply");
            ch.send(reply(xid + 1, 2), client); // someone else's transaction: ignored
            ch.send(reply(xid, 2), client);
            in.clear();
            client = ch.receive(in);
            in.flip();
            assertEquals(3, option(in, 53)[0], "REQUEST");
            assertEquals(InetAddress.getByName("10.0.2.15"), InetAddress.getByAddress(option(in, 50)));
            assertEquals(InetAddress.getByName("10.0.2.2"), InetAddress.getByAddress(option(in, 54)));
            ch.send(reply(in.getInt(4), 5), client);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ByteBuffer reply(int xid, int type) {
        ByteBuffer b = ByteBuffer.allocate(300);
        b.put((byte) 2).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid).putShort((short) 0).putShort((short) 0x8000);
        b.put(new byte[4]).put(new byte[] {10, 0, 2, 15}).put(new byte[] {10, 0, 2, 2}).put(new byte[4]);
        b.put(MAC).put(new byte[10]).put(new byte[192]).putInt(0x63825363);
        b.put((byte) 53).put((byte) 1).put((byte) type);
        b.put((byte) 1).put((byte) 4).put(new byte[] {(byte) 255, (byte) 255, (byte) 255, 0});
        b.put((byte) 3).put((byte) 4).put(new byte[] {10, 0, 2, 2});
        b.put((byte) 51).put((byte) 4).putInt(86400);
        b.put((byte) 54).put((byte) 4).put(new byte[] {10, 0, 2, 2});
        b.put((byte) 42).put((byte) 4).put(new byte[] {10, 0, 2, 3});
        b.put((byte) 255);
        return b.flip();
    }

    private static byte[] option(ByteBuffer b, int code) {
        int p = 240;
        while (p < b.limit() && (b.get(p) & 0xFF) != 255) {
            int c = b.get(p) & 0xFF, len = b.get(p + 1) & 0xFF;
            if (c == code) {
                byte[] v = new byte[len];
                b.get(p + 2, v);
                return v;
            }
            p += 2 + len;
        }
        throw new AssertionError("no option " + code);
    }

    @Test
    void masks() {
        assertTrue(java.util.Arrays.equals(new byte[] {(byte) 255, (byte) 255, (byte) 255, 0}, Ipv4Interface.maskBytes(24)));
        assertTrue(java.util.Arrays.equals(new byte[] {0, 0, 0, 0}, Ipv4Interface.maskBytes(0)));
    }
}
