package dev.lichen.gateway.live;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * In-process publish/subscribe. publish never blocks the ingest path: each subscriber has its own
 * bounded queue drained by its own virtual thread; when a slow subscriber's queue is full, the
 * event is dropped for that subscriber only and counted ({@link #dropped()}).
 */
public final class LiveBus implements AutoCloseable {
    /** Default per-subscriber queue length. */
    public static final int DEFAULT_QUEUE = 4096;

    private final List<Sub> subs = new CopyOnWriteArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong published = new AtomicLong();

    /** Subscribes; close the returned handle to stop. The consumer runs on the subscriber's own thread. */
    public Subscription subscribe(Consumer<LiveEvent> consumer) {
        return subscribe(consumer, DEFAULT_QUEUE);
    }

    public Subscription subscribe(Consumer<LiveEvent> consumer, int queueLength) {
        Sub sub = new Sub(consumer, new ArrayBlockingQueue<>(queueLength));
        subs.add(sub);
        sub.thread = Thread.ofVirtual().name("livebus-subscriber").start(sub::drain);
        return sub;
    }

    public void publish(LiveEvent event) {
        published.incrementAndGet();
        for (Sub s : subs) {
            if (!s.queue.offer(event)) dropped.incrementAndGet();
        }
    }

    public int subscriberCount() { return subs.size(); }

    /** Events dropped for slow subscribers since start. */
    public long dropped() { return dropped.get(); }

    public long published() { return published.get(); }

    @Override
    public void close() {
        for (Sub s : subs) s.close();
    }

    /** A live subscription; close() ends it. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final class Sub implements Subscription {
        final Consumer<LiveEvent> consumer;
        final BlockingQueue<LiveEvent> queue;
        volatile Thread thread;
        volatile boolean closed;

        Sub(Consumer<LiveEvent> consumer, BlockingQueue<LiveEvent> queue) {
            this.consumer = consumer;
            this.queue = queue;
        }

        void drain() {
            try {
                while (!closed) {
                    LiveEvent e = queue.take();
                    try {
                        consumer.accept(e);
                    } catch (RuntimeException ex) {
                        // one failing subscriber (e.g. a closed SSE stream) must not stop the others
                        System.getLogger(LiveBus.class.getName()).log(System.Logger.Level.DEBUG, "subscriber failed", ex);
                    }
                }
            } catch (InterruptedException ignored) {
                // closed
            }
        }

        @Override
        public void close() {
            closed = true;
            subs.remove(this);
            Thread t = thread;
            if (t != null) t.interrupt();
        }
    }
}
