package dev.lichen.runtime.system;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What an appliance may ask of the machine it runs on when the JVM is the init (PID 1): power
 * off or restart. Off an image (tests, a laptop) these simply end the JVM.
 */
public final class Machine {
    enum Request { NONE, POWER_OFF, REBOOT }

    static volatile Request request = Request.NONE;
    private static final CountDownLatch STARTED = new CountDownLatch(1);
    /** Open off an image; while init brings the machine up, closed until it is done. */
    private static volatile CountDownLatch ready = new CountDownLatch(0);

    private Machine() {}

    /** Syncs, unmounts the data partition and powers the machine off. */
    public static void powerOff() {
        request = Request.POWER_OFF;
        System.exit(0);
    }

    /** Syncs, unmounts the data partition and restarts the machine. */
    public static void reboot() {
        request = Request.REBOOT;
        System.exit(0);
    }

    /**
     * Waits until init has brought the machine up: pseudo-filesystems, kernel modules, the data
     * partition, the network started and the clock set (or given up on). An appliance calls it
     * before it touches devices, files or the network; its earlier steps run while init works.
     * Off an image it returns at once.
     */
    public static void awaitReady() throws InterruptedException {
        ready.await();
    }

    static void bringingUp() {
        ready = new CountDownLatch(1);
    }

    static void ready() {
        ready.countDown();
    }

    /**
     * The appliance tells the machine that it is up (sensors and uplink started): init arms the
     * hardware watchdog then, so a slow first start cannot reset the board. Off an image, nothing.
     */
    public static void started() {
        STARTED.countDown();
    }

    /** Waits until the appliance said it started, at most max; false when it did not. */
    static boolean awaitStarted(Duration max) throws InterruptedException {
        return STARTED.await(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True when this JVM is the machine's init. */
    public static boolean isInit() {
        return ProcessHandle.current().pid() == 1;
    }
}
