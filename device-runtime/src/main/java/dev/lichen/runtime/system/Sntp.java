package dev.lichen.runtime.system;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * An SNTP client (RFC 4330): one 48-byte request, the server's transmit time plus half the round
 * trip. Enough for readings stamped to the second on a board that boots in 1970 (a Pi has no
 * battery clock).
 */
public final class Sntp {
    private static final long SECONDS_1900_TO_1970 = 2_208_988_800L;

    private Sntp() {}

    /** The server's current time in epoch milliseconds (over a java.net socket: see {@link Datagrams}). */
    public static long query(InetSocketAddress server, Duration timeout) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] req = new byte[48];
            req[0] = 0x23; // LI 0, version 4, mode 3 (client)
            long sent = System.nanoTime();
            s.send(new DatagramPacket(req, req.length, server));
            DatagramPacket packet = new DatagramPacket(new byte[512], 512);
            long end = sent + timeout.toNanos();
            while (true) {
                Datagrams.receiveBefore(s, packet, end, "no SNTP answer from " + server);
                long rtt = System.nanoTime() - sent;
                if (packet.getLength() < 48) continue;
                ByteBuffer reply = ByteBuffer.wrap(packet.getData(), 0, packet.getLength());
                int mode = reply.get(0) & 0x7;
                int stratum = reply.get(1) & 0xFF;
                if (mode != 4 || stratum == 0 || stratum > 15) throw new IOException("SNTP server " + server + " is not synchronised (mode "
                        + mode + ", stratum " + stratum + ")");
                long seconds = reply.getInt(40) & 0xFFFFFFFFL;
                long fraction = reply.getInt(44) & 0xFFFFFFFFL;
                long millis = (seconds - SECONDS_1900_TO_1970) * 1000 + (fraction * 1000 >>> 32);
                return millis + rtt / 2_000_000;
            }
        }
    }

    /** Writes a server reply for a request (tests and the gateway may answer SNTP with this). */
    public static ByteBuffer answer(long epochMillis) {
        ByteBuffer b = ByteBuffer.allocate(48);
        b.put(0, (byte) 0x24).put(1, (byte) 2);
        long seconds = epochMillis / 1000 + SECONDS_1900_TO_1970;
        long fraction = ((epochMillis % 1000) << 32) / 1000;
        b.putInt(40, (int) seconds).putInt(44, (int) fraction);
        return b;
    }
}
