package dev.lichen.runtime.clock;

/**
 * Lets one worker thread be stopped while it waits, and only then. Interrupting a thread inside
 * FileChannel I/O closes the channel for every user (ClosedByInterruptException), so a worker
 * that also writes the outbox must not be interrupted at an arbitrary moment: it marks its waits
 * (sleeps, network round trips) with {@link #await}, and {@link #stop} interrupts only those.
 */
public final class Interruptible {
    /** A blocking wait that may be cut short by an interrupt. */
    public interface Wait<T, E extends Exception> {
        T run() throws E, InterruptedException;
    }

    private Thread waiter;
    private boolean stopped;

    /** Runs the wait; throws InterruptedException at once if stop() was called before. */
    public <T, E extends Exception> T await(Wait<T, E> wait) throws E, InterruptedException {
        synchronized (this) {
            if (stopped) throw new InterruptedException("stopped");
            waiter = Thread.currentThread();
        }
        try {
            return wait.run();
        } finally {
            synchronized (this) {
                waiter = null;
            }
            // an interrupt that came as the wait ended must not leak into the I/O that follows;
            // the caller sees isStopped() instead
            Thread.interrupted();
        }
    }

    public synchronized void stop() {
        stopped = true;
        if (waiter != null) waiter.interrupt();
    }

    public synchronized boolean isStopped() {
        return stopped;
    }
}
