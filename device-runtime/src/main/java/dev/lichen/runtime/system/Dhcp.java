package dev.lichen.runtime.system;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A small DHCPv4 client (RFC 2131): DISCOVER, OFFER, REQUEST, ACK over an ordinary UDP socket
 * on port 68. Before the interface has an address the client asks for broadcast replies and
 * sends through a 255.255.255.255 host route on the interface, so no raw socket is needed.
 * Options read: subnet mask, router, lease time, server id, NTP servers.
 */
public final class Dhcp {
    /** What the server granted. */
    public record Lease(Inet4Address address, int prefixLength, Optional<Inet4Address> router,
                        Inet4Address server, Duration time, List<Inet4Address> ntpServers) {}

    private static final int DISCOVER = 1, OFFER = 2, REQUEST = 3, ACK = 5, NAK = 6;
    private static final int MAGIC = 0x63825363;

    private final byte[] mac;
    private final InetSocketAddress serverPort;
    private final InetSocketAddress clientPort;
    private final RandomGenerator random;

    /** The client for an interface's MAC address, speaking to the standard ports 67 and 68. */
    public Dhcp(byte[] mac) {
        this(mac, new InetSocketAddress("255.255.255.255", 67), new InetSocketAddress(68), new java.util.Random());
    }

    /** For tests: other ports and destination. */
    Dhcp(byte[] mac, InetSocketAddress serverPort, InetSocketAddress clientPort, RandomGenerator random) {
        this.mac = mac.clone();
        this.serverPort = serverPort;
        this.clientPort = clientPort;
        this.random = random;
    }

    /** Runs the exchange, retrying with a growing wait, until a lease or the deadline. */
    public Lease obtain(Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        Duration wait = Duration.ofSeconds(1);
        IOException last = null;
        while (System.nanoTime() < end) {
            try (DatagramSocket s = open()) {
                int xid = random.nextInt();
                send(s, message(DISCOVER, xid, null, null, null), serverPort);
                Reply offer = receive(s, xid, OFFER, wait);
                send(s, message(REQUEST, xid, null, offer.yiaddr(), offer.server()), serverPort);
                Reply ack = receive(s, xid, ACK, wait);
                return ack.lease();
            } catch (SocketTimeoutException | NakException e) {
                last = e;
                wait = wait.multipliedBy(2).compareTo(Duration.ofSeconds(8)) > 0 ? Duration.ofSeconds(8) : wait.multipliedBy(2);
            }
        }
        throw new IOException("no DHCP lease within " + deadline.toSeconds() + " s", last);
    }

    /** Renews a lease from its server (unicast REQUEST with ciaddr), as at T1. */
    public Lease renew(Lease lease, Duration wait) throws IOException {
        try (DatagramSocket s = open()) {
            int xid = random.nextInt();
            send(s, message(REQUEST, xid, lease.address(), null, null),
                    serverPort.getAddress().isAnyLocalAddress() || serverPort.getAddress().getAddress()[0] == -1
                            ? new InetSocketAddress(lease.server(), serverPort.getPort()) : serverPort);
            return receive(s, xid, ACK, wait).lease();
        }
    }

    /** A java.net socket, not a channel: see {@link Datagrams}. */
    private DatagramSocket open() throws IOException {
        DatagramSocket s = new DatagramSocket(null);
        try {
            s.setReuseAddress(true);
            s.setBroadcast(true);
            s.bind(clientPort);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private static void send(DatagramSocket s, byte[] message, InetSocketAddress to) throws IOException {
        s.send(new DatagramPacket(message, message.length, to));
    }

    private static final class NakException extends IOException {
        NakException() {
            super("DHCP server refused (NAK)");
        }
    }

    private record Reply(int type, Inet4Address yiaddr, Inet4Address server, Lease lease) {}

    private Reply receive(DatagramSocket s, int xid, int wanted, Duration wait) throws IOException {
        long end = System.nanoTime() + wait.toNanos();
        DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
        while (true) {
            Datagrams.receiveBefore(s, packet, end, "no DHCP reply");
            Reply r = parse(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()), xid);
            if (r == null) continue;
            if (r.type() == NAK) throw new NakException();
            if (r.type() == wanted) return r;
        }
    }

    byte[] message(int type, int xid, Inet4Address ciaddr, Inet4Address requested, Inet4Address server) {
        ByteBuffer b = ByteBuffer.allocate(300);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid).putShort((short) 0)
                .putShort((short) (ciaddr == null ? 0x8000 : 0)); // broadcast flag while we have no address
        b.put(ciaddr == null ? new byte[4] : ciaddr.getAddress()).put(new byte[12]);
        b.put(mac).put(new byte[10]).put(new byte[64 + 128]).putInt(MAGIC);
        b.put((byte) 53).put((byte) 1).put((byte) type);
        if (requested != null) b.put((byte) 50).put((byte) 4).put(requested.getAddress());
        if (server != null) b.put((byte) 54).put((byte) 4).put(server.getAddress());
        b.put((byte) 55).put((byte) 4).put((byte) 1).put((byte) 3).put((byte) 51).put((byte) 42);
        b.put((byte) 255);
        return b.array();
    }

    private Reply parse(ByteBuffer b, int xid) throws IOException {
        if (b.remaining() < 240 || b.get(0) != 2 || b.getInt(4) != xid) return null;
        byte[] chaddr = new byte[6];
        b.get(28, chaddr);
        if (!java.util.Arrays.equals(chaddr, mac) || b.getInt(236) != MAGIC) return null;
        byte[] yi = new byte[4];
        b.get(16, yi);
        int type = 0, prefix = 24;
        long leaseSeconds = 3600;
        Inet4Address router = null, server = null;
        List<Inet4Address> ntp = new ArrayList<>();
        int p = 240;
        while (p < b.limit()) {
            int code = b.get(p) & 0xFF;
            if (code == 255) break;
            if (code == 0) { p++; continue; }
            if (p + 1 >= b.limit()) return null;
            int len = b.get(p + 1) & 0xFF;
            if (p + 2 + len > b.limit()) return null; // truncated option: ignore the packet
            int v = p + 2;
            switch (code) {
                case 53 -> type = b.get(v);
                case 1 -> { if (len == 4) prefix = Integer.bitCount(b.getInt(v)); }
                case 3 -> { if (len >= 4) router = addr(b, v); }
                case 51 -> { if (len == 4) leaseSeconds = b.getInt(v) & 0xFFFFFFFFL; }
                case 54 -> { if (len == 4) server = addr(b, v); }
                case 42 -> { for (int i = 0; i + 4 <= len; i += 4) ntp.add(addr(b, v + i)); }
                default -> { }
            }
            p += 2 + len;
        }
        if (type == 0) return null;
        Inet4Address yiaddr = (Inet4Address) InetAddress.getByAddress(yi);
        if (server == null) server = router != null ? router : yiaddr;
        Lease lease = new Lease(yiaddr, prefix, Optional.ofNullable(router), server,
                Duration.ofSeconds(Math.max(60, leaseSeconds)), List.copyOf(ntp));
        return new Reply(type, yiaddr, server, lease);
    }

    private static Inet4Address addr(ByteBuffer b, int at) throws IOException {
        byte[] a = new byte[4];
        b.get(at, a);
        return (Inet4Address) InetAddress.getByAddress(a);
    }
}
