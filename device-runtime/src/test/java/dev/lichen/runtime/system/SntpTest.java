package dev.lichen.runtime.system;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SntpTest {
    @Test
    void readsTheServersTime() throws Exception {
        long serverTime = 1_767_225_600_123L; // 2026-01-01T00:00:00.123Z
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            Thread.ofVirtual().start(() -> {
                try {
                    ByteBuffer req = ByteBuffer.allocate(48);
                    SocketAddress client = server.receive(req);
                    if ((req.get(0) & 7) == 3) server.send(Sntp.answer(serverTime), client);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            long got = Sntp.query((InetSocketAddress) server.getLocalAddress(), Duration.ofSeconds(5));
            assertTrue(Math.abs(got - serverTime) < 1000, "SNTP time " + got + " vs " + serverTime);
        }
    }

    @Test
    void aSilentServerTimesOut() throws Exception {
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            assertThrows(java.net.SocketTimeoutException.class,
                    () -> Sntp.query((InetSocketAddress) server.getLocalAddress(), Duration.ofMillis(300)));
        }
    }
}
