package dev.lichen.benchmarks.commands;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.automations.AutomationEngine;
import dev.lichen.gateway.automations.AutomationJson;
import dev.lichen.gateway.ingest.Protocol;
import dev.lichen.gateway.live.LiveEvent;
import dev.lichen.gateway.store.StoredReading;
import dev.lichen.gateway.store.WriteResult;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rule evaluations a second of the automation engine with {@code --rules} rules (1,000), on a real
 * in-process gateway ({@code Gateway.start}: SQLite in a temp folder, the live bus, the engine on its
 * own thread). One evaluation is what {@link AutomationEngine#evaluations()} counts: for a stored
 * numeric reading, one rule indexed on that reading's device and channel looked at (its trigger
 * compared with the reading and with the channel's value before; plus one per condition of a rule
 * whose trigger holds). Rules of other channels cost nothing: the engine looks them up by device and
 * channel.
 *
 * <p>The rules: {@code --devices} adopted devices with {@code --channels} channels each; rule i
 * triggers on "channel (i mod devices*channels) above 1,000,000" (never crossed: nothing fires, the
 * evaluation alone is measured), action an alert. {@code --firing N} makes N of the rules "above 50"
 * instead; every pack holds, per channel, a reading of 20 then one of 80, so each such rule fires
 * once per pack of its device (recorded run, the alert raised in SQLite, the live event).
 *
 * <p>{@code --via engine} (default): the readings of {@code --commits} group commits are written
 * once to the store ({@code Store.write}, what the pipeline's writer does; each commit {@code --group}
 * packs of {@code --pack} readings, one pack a device in turn), and their {@code List<WriteResult>}
 * handed to {@code AutomationEngine.onStored} as the pipeline hands them, again and again, with
 * fresh sequence numbers each round (a replayed event would be taken for a crash's replay and not
 * run), keeping the engine's queue non-empty: the engine thread's capacity. Drained is known from
 * what is public: evaluations() reaching the number the handed readings make.
 * {@code --via pipeline}: packs submitted to the real ingest pipeline ({@code pipeline().submit},
 * journal, group commit, afterStore -> onStored) as fast as it takes them: end to end, bound by
 * ingest.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.lichen.benchmarks.commands.RuleEvaluation \
 *     [--rules 1000] [--devices 100] [--channels 5] [--pack 10] [--group 20] [--commits 500]
 *     [--firing 0] [--via engine|pipeline] [--warmup 10] [--seconds 30]
 * </pre>
 */
public final class RuleEvaluation {
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i], args[i + 1]);
        int rules = Integer.parseInt(a.getOrDefault("--rules", "1000"));
        int devices = Integer.parseInt(a.getOrDefault("--devices", "100"));
        int channels = Integer.parseInt(a.getOrDefault("--channels", "5"));
        int pack = Integer.parseInt(a.getOrDefault("--pack", "10"));
        int group = Integer.parseInt(a.getOrDefault("--group", "20"));
        int commits = Integer.parseInt(a.getOrDefault("--commits", "500"));
        int firing = Integer.parseInt(a.getOrDefault("--firing", "0"));
        String via = a.getOrDefault("--via", "engine");
        int warmup = Integer.parseInt(a.getOrDefault("--warmup", "10"));
        int seconds = Integer.parseInt(a.getOrDefault("--seconds", "30"));
        if (pack % (2 * channels) != 0) throw new IllegalArgumentException("--pack must be a multiple of 2 x --channels (a low and a high reading per channel)");
        quiet();
        Path dir = Files.createTempDirectory("lichen-rule-eval");
        System.out.printf("nproc %d, Java %s, load average %s; %d rules over %d devices x %d channels (%.1f rules a channel), %d firing; via %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), CommandLatency.loadAverage(), rules, devices,
                channels, rules / (double) (devices * channels), firing, via);
        try (Gateway gw = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")), List.of(), Clock.SYSTEM)) {
            new RuleEvaluation(gw, rules, devices, channels, pack, group, commits, firing).run(via, warmup, seconds);
        }
        System.exit(0);
    }

    private static void quiet() {
        try {
            Object ctx = org.slf4j.LoggerFactory.getILoggerFactory();
            Class<?> level = Class.forName("ch.qos.logback.classic.Level");
            Object warn = level.getField("WARN").get(null);
            for (String name : List.of("dev.lichen", "com.hivemq", "org.eclipse", "io.javalin")) {
                Object logger = ctx.getClass().getMethod("getLogger", String.class).invoke(ctx, name);
                logger.getClass().getMethod("setLevel", level).invoke(logger, warn);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("logs left as they are: " + e);
        }
    }

    private final Gateway gw;
    private final AutomationEngine engine;
    private final int rules, devices, channels, pack, group, commits, firing;
    /** device \0 channel -> how many rules read it (an evaluation each per numeric reading). */
    private final Map<String, Integer> rulesOn = new HashMap<>();
    private final AtomicLong runs = new AtomicLong();
    private final long[] seq;

    RuleEvaluation(Gateway gw, int rules, int devices, int channels, int pack, int group, int commits, int firing) {
        this.gw = gw;
        this.engine = gw.automations();
        this.rules = rules;
        this.devices = devices;
        this.channels = channels;
        this.pack = pack;
        this.group = group;
        this.commits = commits;
        this.firing = firing;
        this.seq = new long[devices];
    }

    static String dev(int d) {
        return "rules-" + d;
    }

    static String ch(int c) {
        return "ch" + c;
    }

    Batch packOf(int d, long t) {
        List<Reading> rs = new ArrayList<>(pack);
        for (int i = 0; i < pack; i++) {
            // per channel a low reading then a high one: a rule "above 50" sees a crossing in every pack
            int c = (i / 2) % channels;
            rs.add(new Reading(ch(c), null, new Value.Number(i % 2 == 0 ? 20 : 80), t + i));
        }
        Batch b = new Batch(dev(d), "bench", seq[d], rs);
        seq[d] += pack;
        return b;
    }

    void run(String via, int warmup, int seconds) throws Exception {
        long t = System.currentTimeMillis();
        // the devices, heard and adopted
        List<Batch> first = new ArrayList<>();
        for (int d = 0; d < devices; d++) first.add(packOf(d, t));
        gw.store().write(first, t);
        for (int d = 0; d < devices; d++) gw.store().adopt(dev(d), "Rules " + d, "Bench");
        // the rules
        long t0 = System.nanoTime();
        for (int i = 0; i < rules; i++) {
            int k = i % (devices * channels);
            String device = dev(k / channels), channel = ch(k % channels);
            boolean fires = i < firing;
            String json = """
                    {"name": "rule %d", "trigger": {"type": "reading", "device": "%s", "channel": "%s", "op": "above", "value": %s},
                     "actions": [{"type": "alert", "message": "%s's %s is high"}]}
                    """.formatted(i, device, channel, fires ? "50" : "1000000", device, channel);
            engine.create(AutomationJson.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)));
            rulesOn.merge(device + '\u0000' + channel, 1, Integer::sum);
        }
        System.out.printf("%d rules made in %.1f s%n", rules, (System.nanoTime() - t0) / 1e9);
        var sub = gw.liveBus().subscribe(e -> {
            if (e instanceof LiveEvent.AutomationChanged c && c.automation() != null && c.automation().lastRun() > 0) runs.incrementAndGet();
        }, 1 << 20);
        long thread = engineThread();
        if (via.equals("pipeline")) viaPipeline(thread, warmup, seconds);
        else viaEngine(thread, warmup, seconds);
        sub.close();
    }

    private long expected(List<WriteResult> commit) {
        long n = 0;
        for (WriteResult w : commit) for (StoredReading r : w.stored()) if (r.value() != null) n += rulesOn.getOrDefault(r.deviceId() + '\u0000' + r.channel(), 0);
        return n;
    }

    private void viaEngine(long thread, int warmup, int seconds) throws Exception {
        // the group commits, written once as the pipeline's writer does
        long t0 = System.nanoTime();
        List<List<WriteResult>> prepared = new ArrayList<>();
        long readings = 0;
        int d = 0;
        for (int c = 0; c < commits; c++) {
            List<Batch> batches = new ArrayList<>();
            long now = System.currentTimeMillis();
            for (int g = 0; g < group; g++) {
                batches.add(packOf(d, now));
                d = (d + 1) % devices;
            }
            List<WriteResult> rs = gw.store().write(batches, now);
            for (WriteResult w : rs) readings += w.stored().size();
            prepared.add(rs);
        }
        long perRound = 0;
        for (var c : prepared) perRound += expected(c);
        System.out.printf("%d group commits of %d packs of %d readings written to SQLite in %.1f s (%d readings);"
                + " %d evaluations a round of them (%.1f a reading)%n", commits, group, pack, (System.nanoTime() - t0) / 1e9, readings, perRound,
                perRound / (double) readings);
        long seqStep = (long) commits * group / devices * pack + pack * 2L;
        long handed = engine.evaluations(); // what the engine will have counted once it has taken all handed
        long start = System.nanoTime(), measureFrom = start + TimeUnit.SECONDS.toNanos(warmup), end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        long nextProgress = start + TimeUnit.SECONDS.toNanos(5);
        long window0Evals = 0, window0Cpu = 0, window0Runs = 0, window0Readings = 0, window0Proc = 0;
        double window0Load = 0;
        boolean measuring = false;
        long round = 0, handedReadings = 0, idle = 0;
        long lastEvals = engine.evaluations();
        outer:
        while (true) {
            round++;
            long shift = round * seqStep;
            for (List<WriteResult> commit : prepared) {
                List<WriteResult> fresh = new ArrayList<>(commit.size());
                for (WriteResult w : commit) {
                    List<StoredReading> rs = new ArrayList<>(w.stored().size());
                    for (StoredReading r : w.stored()) rs.add(new StoredReading(r.deviceId(), r.channel(), r.bootId(), r.seq() + shift,
                            r.timeMillis(), r.value(), r.text()));
                    fresh.add(new WriteResult(w.device(), rs, 0, false));
                    handedReadings += rs.size();
                }
                // keep about 50 commits queued ahead of the engine, not millions
                while (handed - engine.evaluations() > 50L * perRound / commits) {
                    idle++;
                    LockSupport.parkNanos(100_000);
                }
                engine.onStored(fresh);
                handed += expected(commit);
                long now = System.nanoTime();
                if (!measuring && now >= measureFrom) {
                    measuring = true;
                    window0Evals = engine.evaluations();
                    window0Cpu = cpu(thread);
                    window0Runs = runs.get();
                    window0Readings = handedReadings;
                    window0Proc = procNanos();
                    System.out.printf("[%3.0f s] measuring from here (load average %s)%n", (now - start) / 1e9, CommandLatency.loadAverage());
                }
                if (now >= nextProgress) {
                    long e = engine.evaluations();
                    System.out.printf("[%3.0f s] %,d evaluations/s over the last 5 s, %d runs so far, load average %s%n", (now - start) / 1e9,
                            (e - lastEvals) / 5, runs.get(), CommandLatency.loadAverage());
                    lastEvals = e;
                    nextProgress += TimeUnit.SECONDS.toNanos(5);
                }
                if (now >= end) break outer;
            }
        }
        long wall = System.nanoTime() - measureFrom;
        long evals = engine.evaluations() - window0Evals;
        long cpu = cpu(thread) - window0Cpu;
        long proc = procNanos() - window0Proc;
        long r = runs.get() - window0Runs;
        long readingsIn = handedReadings - window0Readings;
        System.out.printf("%nover %.1f s: %,d rule evaluations = %,.0f evaluations/s; %,.0f readings/s handed; %d rule runs (%.1f/s)%n",
                wall / 1e9, evals, evals / (wall / 1e9), readingsIn / (wall / 1e9), r, r / (wall / 1e9));
        System.out.printf("engine thread CPU %.2f cores (%.0f ns per evaluation); whole process %.2f cores; the feeder waited %d times for the engine"
                + " (the engine was the bound when > 0); load average %s%n", cpu / (double) wall, cpu / (double) Math.max(1, evals), proc / (double) wall,
                idle, CommandLatency.loadAverage());
    }

    private void viaPipeline(long thread, int warmup, int seconds) throws Exception {
        Semaphore inFlight = new Semaphore(400);
        AtomicLong refused = new AtomicLong();
        long start = System.nanoTime(), measureFrom = start + TimeUnit.SECONDS.toNanos(warmup), end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        long nextProgress = start + TimeUnit.SECONDS.toNanos(5);
        long e0 = 0, c0 = 0, r0 = 0, p0 = 0, packs = 0, packs0 = 0;
        boolean measuring = false;
        long lastEvals = engine.evaluations();
        int d = 0;
        while (true) {
            long now = System.nanoTime();
            if (!measuring && now >= measureFrom) {
                measuring = true;
                e0 = engine.evaluations();
                c0 = cpu(thread);
                r0 = runs.get();
                p0 = procNanos();
                packs0 = packs;
                System.out.printf("[%3.0f s] measuring from here (load average %s)%n", (now - start) / 1e9, CommandLatency.loadAverage());
            }
            if (now >= nextProgress) {
                long e = engine.evaluations();
                System.out.printf("[%3.0f s] %,d evaluations/s over the last 5 s, load average %s%n", (now - start) / 1e9, (e - lastEvals) / 5,
                        CommandLatency.loadAverage());
                lastEvals = e;
                nextProgress += TimeUnit.SECONDS.toNanos(5);
            }
            if (now >= end) break;
            inFlight.acquire();
            gw.pipeline().submit(Protocol.COAP, packOf(d, System.currentTimeMillis()), null).whenComplete((o, x) -> {
                if (x != null || !(o instanceof dev.lichen.gateway.ingest.IngestOutcome.Accepted)) refused.incrementAndGet();
                inFlight.release();
            });
            d = (d + 1) % devices;
            packs++;
        }
        long wall = System.nanoTime() - measureFrom;
        Thread.sleep(200);
        long evals = engine.evaluations() - e0;
        long cpu = cpu(thread) - c0;
        System.out.printf("%nover %.1f s: %,d rule evaluations = %,.0f evaluations/s; %,.0f readings/s submitted (%d not accepted); %d rule runs%n",
                wall / 1e9, evals, evals / (wall / 1e9), (packs - packs0) * (double) pack / (wall / 1e9), refused.get(), runs.get() - r0);
        System.out.printf("engine thread CPU %.2f cores (%.0f ns per evaluation); whole process %.2f cores; load average %s%n",
                cpu / (double) wall, cpu / (double) Math.max(1, evals), (procNanos() - p0) / (double) wall, CommandLatency.loadAverage());
    }

    private static long engineThread() {
        for (Thread t : Thread.getAllStackTraces().keySet()) if (t.getName().equals("lichen-automations")) return t.threadId();
        throw new IllegalStateException("no lichen-automations thread");
    }

    private static long cpu(long threadId) {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(threadId);
    }

    private static long procNanos() {
        return (long) (dev.lichen.benchmarks.Cpu.seconds(ProcessHandle.current().pid()) * 1e9);
    }

    private static final class LockSupport {
        static void parkNanos(long n) {
            java.util.concurrent.locks.LockSupport.parkNanos(n);
        }
    }
}
