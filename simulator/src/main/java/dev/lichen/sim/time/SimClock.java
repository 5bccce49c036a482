package dev.lichen.sim.time;

import dev.lichen.runtime.clock.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Simulated time for virtual boards.
 *
 * <p>{@link #scaled} runs N times faster than real time. {@link #virtual} is a discrete-event clock
 * for tests: it stands still while any thread it woke is still working, and jumps to the next
 * sleeper's deadline once all have gone back to sleep. A thread that sleeps wakes exactly at its
 * deadline, so a sampler asleep on it samples at the same instants in every run. A woken thread
 * that never sleeps again (it ended, or blocks on a socket) is forgotten after {@code grace} of
 * real time; {@link #hold()} stops time while the simulator changes the world (starts devices,
 * injects a fault).
 */
public abstract sealed class SimClock implements Clock, AutoCloseable {
    private final long startMillis;

    SimClock(long startMillis) {
        this.startMillis = startMillis;
    }

    public static SimClock scaled(long startMillis, double factor) {
        return new Scaled(startMillis, factor);
    }

    public static SimClock virtual(long startMillis, Duration grace) {
        return new Virtual(startMillis, grace);
    }

    /** Simulated milliseconds since the start. */
    public long elapsedMillis() {
        return epochMillis() - startMillis;
    }

    public long startMillis() {
        return startMillis;
    }

    /** Sleeps until the simulated time is at least startMillis + elapsed. */
    public void sleepUntilElapsed(long elapsed) throws InterruptedException {
        long d = elapsed - elapsedMillis();
        if (d > 0) sleep(Duration.ofMillis(d));
    }

    /** Real time that a simulated duration takes (for timeouts); zero in virtual mode. */
    public abstract Duration realTime(Duration simulated);

    /** Stops time (virtual mode) until the returned handle is closed; a no-op when scaled. */
    public abstract Hold hold();

    /**
     * Hands a hold to the current thread: it is released the moment this thread first sleeps on
     * the clock. A thread that starts a device takes over a hold made before it was launched, so
     * time cannot move on before it has begun, yet its own waits (a chip's conversion) still pass.
     */
    public void adopt(Hold hold) {}

    /** The current thread is done with the clock (it ends or will block elsewhere): do not wait for it. */
    public void leave() {}

    /** Simulated seconds per real second (infinite when virtual). */
    public abstract double factor();

    /** Stops the virtual clock's thread; sleepers stay asleep. */
    @Override
    public void close() {}

    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    private static final class Scaled extends SimClock {
        private final double factor;
        private final long originNanos = System.nanoTime();

        Scaled(long startMillis, double factor) {
            super(startMillis);
            if (!(factor > 0)) throw new IllegalArgumentException("time factor must be positive: " + factor);
            this.factor = factor;
        }

        @Override public long epochMillis() { return startMillis() + (long) ((System.nanoTime() - originNanos) * factor / 1e6); }

        @Override public long monotonicNanos() { return (long) ((System.nanoTime() - originNanos) * factor); }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            long real = (long) (d.toNanos() / factor);
            if (real > 0) TimeUnit.NANOSECONDS.sleep(real);
        }

        @Override public Duration realTime(Duration simulated) { return Duration.ofNanos((long) (simulated.toNanos() / factor)); }

        @Override public Hold hold() { return () -> {}; }

        @Override public double factor() { return factor; }
    }

    private static final class Virtual extends SimClock {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final PriorityQueue<Sleeper> sleepers = new PriorityQueue<>();
        /** Threads woken and not yet asleep again, with the real time they were woken. */
        private final Map<Thread, Long> busy = new HashMap<>();
        private final long graceNanos;
        private final Map<Thread, Hold> bound = new HashMap<>();
        private long nowMillis;
        private long order;
        private int holds;
        /** When a thread last went to sleep: threads it started may be about to sleep too. */
        private long lastSleepNanos;
        private static final long SETTLE_NANOS = 5_000_000;

        Virtual(long startMillis, Duration grace) {
            super(startMillis);
            this.nowMillis = startMillis;
            this.graceNanos = grace.toNanos();
            this.advancer = Thread.ofPlatform().daemon().name("sim-clock").start(this::advance);
        }

        private final Thread advancer;

        @Override
        public void close() {
            advancer.interrupt();
        }

        @Override
        public long epochMillis() {
            lock.lock();
            try {
                return nowMillis;
            } finally {
                lock.unlock();
            }
        }

        @Override public long monotonicNanos() { return (epochMillis() - startMillis()) * 1_000_000L; }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            lock.lock();
            try {
                Sleeper s = new Sleeper(nowMillis + Math.max(0, d.toMillis()), order++, lock.newCondition());
                busy.remove(Thread.currentThread());
                Hold adopted = bound.remove(Thread.currentThread());
                if (adopted != null) adopted.close();
                sleepers.add(s);
                lastSleepNanos = System.nanoTime();
                changed.signalAll();
                try {
                    while (!s.woken) s.wake.await();
                } catch (InterruptedException e) {
                    sleepers.remove(s);
                    changed.signalAll();
                    throw e;
                }
            } finally {
                lock.unlock();
            }
        }

        private void advance() {
            lock.lock();
            try {
                while (true) {
                    long now = System.nanoTime();
                    busy.values().removeIf(woke -> now - woke > graceNanos);
                    if (holds > 0 || !busy.isEmpty() || sleepers.isEmpty()) {
                        changed.await(busy.isEmpty() ? 50 : 1, TimeUnit.MILLISECONDS);
                        continue;
                    }
                    if (now - lastSleepNanos < SETTLE_NANOS) {
                        // a woken thread may have started another (a debounce timer) that has not slept yet
                        changed.await(SETTLE_NANOS - (now - lastSleepNanos), TimeUnit.NANOSECONDS);
                        continue;
                    }
                    nowMillis = Math.max(nowMillis, sleepers.peek().deadline);
                    while (!sleepers.isEmpty() && sleepers.peek().deadline <= nowMillis) {
                        Sleeper s = sleepers.poll();
                        s.woken = true;
                        busy.put(s.thread, now);
                        s.wake.signal();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }

        @Override public Duration realTime(Duration simulated) { return Duration.ZERO; }

        @Override
        public void adopt(Hold hold) {
            lock.lock();
            try {
                bound.put(Thread.currentThread(), hold);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void leave() {
            lock.lock();
            try {
                busy.remove(Thread.currentThread());
                Hold h = bound.remove(Thread.currentThread());
                if (h != null) h.close();
                lastSleepNanos = System.nanoTime(); // threads it started get their moment too
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Hold hold() {
            lock.lock();
            try {
                holds++;
            } finally {
                lock.unlock();
            }
            return new Hold() {
                private boolean closed;

                @Override
                public void close() {
                    lock.lock();
                    try {
                        if (!closed) {
                            closed = true;
                            holds--;
                            lastSleepNanos = System.nanoTime();
                            changed.signalAll();
                        }
                    } finally {
                        lock.unlock();
                    }
                }
            };
        }

        @Override public double factor() { return Double.POSITIVE_INFINITY; }

        private static final class Sleeper implements Comparable<Sleeper> {
            final long deadline;
            final long order;
            final Condition wake;
            final Thread thread = Thread.currentThread();
            boolean woken;

            Sleeper(long deadline, long order, Condition wake) {
                this.deadline = deadline;
                this.order = order;
                this.wake = wake;
            }

            @Override
            public int compareTo(Sleeper o) {
                return deadline != o.deadline ? Long.compare(deadline, o.deadline) : Long.compare(order, o.order);
            }
        }
    }
}
