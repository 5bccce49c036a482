package dev.lichen.sim.faults;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay on 127.0.0.1 between CoAP devices and the gateway that loses and delays datagrams,
 * both ways, with a seeded chance. Each device address gets its own upstream socket so that
 * answers find their way back.
 */
public final class UdpProxy implements AutoCloseable {
    private final DatagramChannel front;
    private final InetSocketAddress target;
    private final Map<SocketAddress, DatagramChannel> upstreams = new ConcurrentHashMap<>();
    private final ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("udp-proxy-delay").factory());
    private final SplittableRandom random;
    private final AtomicLong relayed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile double loss;
    private volatile long delayMillis;
    private volatile boolean open = true;

    public UdpProxy(InetSocketAddress target, long seed) throws IOException {
        this.target = target;
        this.random = new SplittableRandom(seed);
        this.front = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        Thread.ofVirtual().name("udp-proxy-front").start(this::pumpFront);
    }

    public int port() {
        try {
            return ((InetSocketAddress) front.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** From now on each datagram is lost with this chance and delayed by this much. */
    public void trouble(double loss, long delayMillis) {
        this.loss = loss;
        this.delayMillis = delayMillis;
    }

    public long relayed() { return relayed.get(); }

    public long dropped() { return dropped.get(); }

    private void pumpFront() {
        ByteBuffer buf = ByteBuffer.allocate(65_536);
        while (open) {
            try {
                buf.clear();
                SocketAddress from = front.receive(buf);
                buf.flip();
                byte[] data = new byte[buf.remaining()];
                buf.get(data);
                DatagramChannel up = upstreams.computeIfAbsent(from, this::openUpstream);
                send(() -> up.write(ByteBuffer.wrap(data)));
            } catch (IOException e) {
                if (!open) return;
            }
        }
    }

    private DatagramChannel openUpstream(SocketAddress client) {
        try {
            DatagramChannel up = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)).connect(target);
            Thread.ofVirtual().name("udp-proxy-back").start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(65_536);
                while (open && up.isOpen()) {
                    try {
                        buf.clear();
                        up.receive(buf);
                        buf.flip();
                        byte[] data = new byte[buf.remaining()];
                        buf.get(data);
                        send(() -> front.send(ByteBuffer.wrap(data), client));
                    } catch (IOException e) {
                        // the gateway may be down (ICMP port unreachable): keep listening
                        if (!open || !up.isOpen()) return;
                    }
                }
            });
            return up;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private interface Io {
        void run() throws IOException;
    }

    private void send(Io io) {
        boolean lose;
        synchronized (random) {
            lose = loss > 0 && random.nextDouble() < loss;
        }
        if (lose) {
            dropped.incrementAndGet();
            return;
        }
        Runnable r = () -> {
            try {
                io.run();
                relayed.incrementAndGet();
            } catch (IOException e) {
                dropped.incrementAndGet(); // as the network would
            }
        };
        long d = delayMillis;
        if (d > 0) {
            delayer.schedule(r, d, TimeUnit.MILLISECONDS);
        } else {
            r.run();
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        front.close();
        for (DatagramChannel c : upstreams.values()) c.close();
        delayer.shutdownNow();
    }
}
