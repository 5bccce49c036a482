package dev.lichen.gateway.addons;

import java.util.concurrent.atomic.AtomicLong;

/** Progress of one install or update, polled by the add-ons page. */
public final class InstallJob {
    public enum Phase { QUEUED, DOWNLOADING, VERIFYING, UNPACKING, PREPARING, HEALTH_CHECK, DONE, FAILED, ROLLED_BACK }

    private static final AtomicLong IDS = new AtomicLong();
    public final long id = IDS.incrementAndGet();
    public final String addon;
    public final String version;
    private volatile Phase phase = Phase.QUEUED;
    private volatile long received;
    private volatile long total;
    private volatile String message = "";

    InstallJob(String addon, String version, long total) {
        this.addon = addon;
        this.version = version;
        this.total = total;
    }

    /** What the page shows: phase, bytes so far and in all, and a sentence. */
    public record View(long id, String addon, String version, Phase phase, long received, long total, String message, boolean finished) {}

    public View view() {
        Phase p = phase;
        return new View(id, addon, version, p, received, total, message, p == Phase.DONE || p == Phase.FAILED || p == Phase.ROLLED_BACK);
    }

    void phase(Phase p, String msg) {
        message = msg;
        phase = p;
    }

    void received(long n) {
        received = n;
    }
}
