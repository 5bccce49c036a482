package dev.lichen.runtime.system;

/**
 * What an appliance may ask of the machine it runs on when the JVM is the init (PID 1): power
 * off or restart. Off an image (tests, a laptop) these simply end the JVM.
 */
public final class Machine {
    enum Request { NONE, POWER_OFF, REBOOT }

    static volatile Request request = Request.NONE;

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

    /** True when this JVM is the machine's init. */
    public static boolean isInit() {
        return ProcessHandle.current().pid() == 1;
    }
}
