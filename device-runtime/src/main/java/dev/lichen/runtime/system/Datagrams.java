package dev.lichen.runtime.system;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;

/**
 * Init's UDP clients (DHCP, SNTP) use java.net sockets, not DatagramChannels: opening a channel
 * first looks up a SelectorProvider service, which opens every jar on the class path (~0.4 s of an
 * image's boot under emulation); a socket takes the JDK's own provider.
 */
final class Datagrams {
    private Datagrams() {}

    /**
     * Receives one datagram into {@code packet} (its whole buffer) unless {@code endNanos}
     * (System.nanoTime) passes first; then throws SocketTimeoutException with {@code what}.
     */
    static void receiveBefore(DatagramSocket s, DatagramPacket packet, long endNanos, String what) throws IOException {
        while (true) {
            long left = (endNanos - System.nanoTime()) / 1_000_000;
            if (left <= 0) throw new SocketTimeoutException(what);
            s.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
            packet.setLength(packet.getData().length);
            try {
                s.receive(packet);
                return;
            } catch (SocketTimeoutException e) {
                // the deadline decides, not the socket's timeout
            }
        }
    }
}
