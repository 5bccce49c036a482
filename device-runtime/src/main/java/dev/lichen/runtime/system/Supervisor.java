package dev.lichen.runtime.system;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Restarts the appliance's work when it fails, waiting longer each time; when it has failed
 * {@code maxFailures} times within {@code window}, gives up and asks for a reboot, which on a
 * board resets whatever state the failures came from.
 */
public final class Supervisor {
    /** The work: returns when done, throws when it failed. */
    public interface Work {
        void run() throws Exception;
    }

    private final int maxFailures;
    private final Duration window;
    private final LongSupplier nanos;
    private final Consumer<String> log;
    private final Deque<Long> failures = new ArrayDeque<>();

    public Supervisor(int maxFailures, Duration window, LongSupplier nanos, Consumer<String> log) {
        this.maxFailures = maxFailures;
        this.window = window;
        this.nanos = nanos;
        this.log = log;
    }

    /** Outcome of supervision: the work finished, or it kept failing and the machine should reboot. */
    public enum Outcome { FINISHED, REBOOT }

    public Outcome run(Work work, Sleeper sleep) throws InterruptedException {
        Duration backoff = Duration.ofSeconds(1);
        while (true) {
            try {
                work.run();
                return Outcome.FINISHED;
            } catch (InterruptedException e) {
                throw e;
            } catch (Throwable t) {
                long now = nanos.getAsLong();
                failures.addLast(now);
                while (!failures.isEmpty() && now - failures.peekFirst() > window.toNanos()) failures.removeFirst();
                log.accept("appliance failed (" + failures.size() + " of " + maxFailures + " within " + window.toSeconds()
                        + " s): " + t);
                if (failures.size() >= maxFailures) return Outcome.REBOOT;
                sleep.sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60) : backoff.multipliedBy(2);
            }
        }
    }

    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }
}
