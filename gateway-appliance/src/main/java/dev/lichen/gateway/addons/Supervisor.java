package dev.lichen.gateway.addons;

import dev.lichen.store.sdk.AddonRuntime;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs each add-on as its own JVM, only while it is needed (after Jitsu): {@link #summon} starts
 * it on first demand and waits for its ready line; a watchdog stops it after an idle time, and
 * stops it (reported as failed) when its resident memory passes its cap. An add-on dying never
 * takes the gateway with it: it is a separate process.
 */
public final class Supervisor implements AutoCloseable {
    /** What the add-ons page shows of one add-on. */
    public record Status(AddonState state, long pid, long rssKb, String lastError, List<String> log, long startMillis) {}

    /** The add-on could not be brought up; the message says why (and what its log said). */
    public static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private static final System.Logger LOG = System.getLogger(Supervisor.class.getName());
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Duration idle;
    private final Duration readyTimeout;
    private final Isolation isolation;
    private final Thread watchdog;
    private volatile boolean closed;

    Supervisor(Duration idle, Duration readyTimeout, Isolation isolation) {
        this.idle = idle;
        this.readyTimeout = readyTimeout;
        this.isolation = isolation;
        this.watchdog = Thread.ofPlatform().daemon().name("addon-watchdog").start(this::watch);
    }

    private static final class Slot {
        final LogRing log = new LogRing(200);
        final AtomicInteger inflight = new AtomicInteger();
        LaunchSpec spec;
        AddonState state = AddonState.STOPPED;
        Process process;
        int port;
        CompletableFuture<Integer> ready;
        String lastError;
        boolean stopping;
        volatile long lastUsed;
        volatile long awakeUntil;
        long startMillis;
    }

    /** Registers (or replaces) how to start an add-on; a running old version is stopped first. */
    public void configure(LaunchSpec spec) {
        Slot s = slots.computeIfAbsent(spec.id(), k -> new Slot());
        stop(spec.id(), "its launch settings changed");
        try {
            Files.createDirectories(spec.workDir().resolve("tmp"));
            isolation.prepare(spec.id(), spec.workDir().getParent(), spec.workDir());
        } catch (IOException e) {
            s.log.add("[gateway] could not give the add-on its folder: " + e.getMessage());
        }
        synchronized (s) {
            s.spec = spec;
            s.state = AddonState.STOPPED;
            s.lastError = null;
        }
    }

    public void remove(String id) {
        stop(id, "uninstalled");
        slots.remove(id);
    }

    /**
     * Returns the port of the add-on's server, starting the add-on first when it is not running;
     * blocks until it says it is ready (or fails to).
     */
    public int summon(String id) throws Unavailable {
        Slot s = slots.get(id);
        if (s == null) throw new Unavailable("no add-on '" + id + "' is installed");
        CompletableFuture<Integer> ready;
        while (true) {
            Process ending;
            synchronized (s) {
                s.lastUsed = System.currentTimeMillis();
                // a process that just ended may not have been seen by onExit yet: settle it here first
                if (s.process != null && !s.process.isAlive()) exited(s, s.process);
                if (s.process == null || !s.stopping) {
                    if (s.state == AddonState.RUNNING) return s.port;
                    if (s.state != AddonState.STARTING) launch(s);
                    ready = s.ready;
                    break;
                }
                // being stopped (idle, or its settings changed) as this request came: its port is about
                // to close, so let it end and start it afresh rather than hand the request a dying process
                ending = s.process;
            }
            try {
                if (!ending.waitFor(readyTimeout.toMillis(), TimeUnit.MILLISECONDS))
                    throw new Unavailable(id + " was being stopped and did not end within " + readyTimeout.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unavailable("interrupted while " + id + " was stopping");
            }
        }
        try {
            return ready.get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            fail(s, "did not say it was ready within " + readyTimeout.toSeconds() + " s");
            throw new Unavailable(id + " did not start within " + readyTimeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new Unavailable(e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while starting " + id);
        }
    }

    private void launch(Slot s) {
        LaunchSpec spec = s.spec;
        s.ready = new CompletableFuture<>();
        s.state = AddonState.STARTING;
        s.lastError = null;
        s.stopping = false;
        s.startMillis = System.currentTimeMillis();
        String aot = spec.aotCache() != null && Files.isRegularFile(spec.aotCache()) ? "-XX:AOTCache=" + spec.aotCache() : null;
        try {
            var pb = new ProcessBuilder(isolation.wrap(spec.id(), spec.command(aot), spec.network() ? -1 : spec.gatewayPort())).directory(spec.workDir().toFile());
            // the add-on gets nothing of the gateway's environment: only what LaunchSpec.env names
            pb.environment().clear();
            pb.environment().putAll(spec.env());
            Process p = pb.start();
            s.process = p;
            s.log.add("[gateway] started pid " + p.pid() + (aot != null ? " with AOT cache" : ""));
            var ready = s.ready;
            // platform threads: a blocking pipe read would pin a virtual thread's carrier anyway,
            // and the ready line must be seen at once, not when the scheduler gets to it
            Thread.ofPlatform().daemon().name(spec.id() + "-stdout").start(() -> pump(s, p.getInputStream(), ready, isolation));
            Thread.ofPlatform().daemon().name(spec.id() + "-stderr").start(() -> pump(s, p.getErrorStream(), null, isolation));
            p.onExit().thenRun(() -> exited(s, p));
        } catch (IOException e) {
            s.state = AddonState.FAILED;
            s.lastError = "could not start: " + e.getMessage();
            s.ready.completeExceptionally(new Unavailable(s.lastError));
        }
    }

    private static void pump(Slot s, InputStream in, CompletableFuture<Integer> ready, Isolation isolation) {
        try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (ready != null && !ready.isDone() && line.startsWith(AddonRuntime.READY)) {
                    int inside = Integer.parseInt(line.substring(AddonRuntime.READY.length()).trim());
                    int port;
                    try {
                        port = isolation.reach(s.spec.id(), inside);
                    } catch (IOException e) {
                        s.log.add("[gateway] cannot reach its server: " + e.getMessage());
                        ready.completeExceptionally(new Unavailable(s.spec.id() + ": cannot reach its server: " + e.getMessage()));
                        continue;
                    }
                    synchronized (s) {
                        s.port = port;
                        s.state = AddonState.RUNNING;
                        s.lastUsed = System.currentTimeMillis();
                    }
                    s.log.add("[gateway] ready on 127.0.0.1:" + port + " after " + (System.currentTimeMillis() - s.startMillis) + " ms");
                    ready.complete(port);
                } else {
                    s.log.add(line);
                }
            }
        } catch (IOException | NumberFormatException e) {
            s.log.add("[gateway] output: " + e.getMessage());
        }
    }

    private void exited(Slot s, Process p) {
        synchronized (s) {
            if (s.process != p) return;
            int code = p.exitValue();
            if (s.stopping) {
                s.state = AddonState.STOPPED;
            } else if (s.state != AddonState.FAILED) {
                s.state = AddonState.FAILED;
                boolean oom = s.log.lines().stream().anyMatch(l -> l.contains("OutOfMemoryError"));
                s.lastError = oom ? "ran out of memory (heap limit " + s.spec.memoryMb() + " MB) and was stopped"
                        : "exited with code " + code + lastLines(s);
            }
            s.log.add("[gateway] process " + p.pid() + " ended with code " + code);
            s.process = null;
            isolation.ended(s.spec.id());
            if (!s.ready.isDone()) s.ready.completeExceptionally(new Unavailable(s.spec.id() + " " + (s.lastError == null ? "stopped" : s.lastError)));
        }
    }

    private static String lastLines(Slot s) {
        var lines = s.log.lines().stream().filter(l -> !l.startsWith("[gateway]")).toList();
        return lines.isEmpty() ? "" : ": " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    private void fail(Slot s, String why) {
        synchronized (s) {
            s.state = AddonState.FAILED;
            s.lastError = why;
            s.log.add("[gateway] " + why);
            kill(s.process);
        }
    }

    /** A line from the gateway about this add-on, for its recent log on the add-ons page. */
    void note(String id, String line) {
        Slot s = slots.get(id);
        if (s != null) s.log.add("[gateway] " + line);
    }

    /** Stops the add-on if it runs; it will start again on the next request. */
    public void stop(String id, String why) {
        Slot s = slots.get(id);
        if (s == null) return;
        Process p;
        synchronized (s) {
            p = s.process;
            if (p == null) return;
            s.stopping = true;
            s.log.add("[gateway] stopping: " + why);
        }
        killAndSettle(s, p);
    }

    /** Stopped means stopped when this returns, not when onExit gets round to it. */
    private void killAndSettle(Slot s, Process p) {
        kill(p);
        if (!p.isAlive()) exited(s, p);
    }

    private static void kill(Process p) {
        if (p == null) return;
        p.destroy();
        try {
            if (!p.waitFor(2, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** A request to the add-on begins / ends: the idle clock only runs while none is in flight. */
    void begin(String id) {
        Slot s = slots.get(id);
        if (s != null) s.inflight.incrementAndGet();
    }

    void end(String id, long stayAwakeSeconds) {
        Slot s = slots.get(id);
        if (s == null) return;
        s.lastUsed = System.currentTimeMillis();
        if (stayAwakeSeconds > 0) s.awakeUntil = Math.max(s.awakeUntil, s.lastUsed + Math.min(stayAwakeSeconds, 3600) * 1000);
        s.inflight.decrementAndGet();
    }

    public Status status(String id) {
        Slot s = slots.get(id);
        if (s == null) return new Status(AddonState.STOPPED, 0, 0, null, List.of(), 0);
        synchronized (s) {
            long pid = s.process == null ? 0 : s.process.pid();
            return new Status(s.state, pid, pid == 0 ? 0 : rssKb(pid), s.lastError, s.log.lines(), s.startMillis);
        }
    }

    /** Resident memory of a process, from /proc/<pid>/status (0 when it is gone). */
    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private void watch() {
        while (!closed) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.currentTimeMillis();
            for (Slot s : slots.values()) {
                Process p;
                synchronized (s) {
                    if (s.state != AddonState.RUNNING || s.process == null) continue;
                    p = s.process;
                }
                long rss = rssKb(p.pid());
                if (rss > s.spec.rssCapKb()) {
                    LOG.log(System.Logger.Level.WARNING, "add-on " + s.spec.id() + " uses " + rss / 1024 + " MB: stopping it");
                    fail(s, "used " + rss / 1024 + " MB of memory, over its cap of " + s.spec.rssCapKb() / 1024 + " MB, and was stopped");
                } else {
                    stopIfIdle(s, p, now);
                }
            }
        }
    }

    /**
     * Decided under the slot's lock, where {@link #summon} looks: a request that came in first keeps
     * it running (in flight), one that comes in after sees it stopping and starts it afresh.
     */
    private void stopIfIdle(Slot s, Process p, long now) {
        synchronized (s) {
            if (s.process != p || s.stopping || s.inflight.get() > 0 || now - s.lastUsed <= idle.toMillis() || now <= s.awakeUntil) return;
            s.stopping = true;
            s.log.add("[gateway] stopping: idle for " + idle.toSeconds() + " s");
        }
        killAndSettle(s, p);
    }

    @Override
    public void close() {
        closed = true;
        watchdog.interrupt();
        for (String id : List.copyOf(slots.keySet())) stop(id, "the gateway is stopping");
    }
}
