package dev.lichen.sim.load;

import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.senml.Value;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The light model of a device, for load: no chips, no outbox, just packs of readings sent at a
 * rate to a gateway over CoAP (the devices' own CoapUplink, a few endpoints shared) or MQTT (one
 * Paho connection per device on one executor of virtual threads), each device on its own virtual thread. Reports what was sent, what was
 * acknowledged and the publish-to-acknowledgement latency percentiles.
 */
public final class LoadGenerator {
    /**
     * @param ratePerDevice readings per second each device sends; 0 sends as fast as acknowledgements come
     * @param pack readings per SenML pack
     */
    public record Options(URI gateway, int devices, double ratePerDevice, int pack, Duration duration, String prefix,
                          SenmlFormat format) {
        public Options {
            String scheme = gateway.getScheme();
            if (!"coap".equals(scheme) && !"mqtt".equals(scheme)) {
                throw new IllegalArgumentException("--gateway must be coap://HOST:PORT or mqtt://HOST:PORT (got " + gateway + ")");
            }
            if (gateway.getHost() == null) throw new IllegalArgumentException("--gateway has no host: " + gateway);
            if (devices < 1 || devices > 100_000) throw new IllegalArgumentException("--devices must be 1 to 100000 (got " + devices + ")");
            if (!(ratePerDevice >= 0) || Double.isInfinite(ratePerDevice)) {
                throw new IllegalArgumentException("--rate must be 0 (as fast as acknowledged) or a positive number of readings per second per device (got " + ratePerDevice + ")");
            }
            if (pack < 1 || pack > 500) throw new IllegalArgumentException("--pack must be 1 to 500 (got " + pack + ")");
            if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException("--duration must be positive");
        }
    }

    /** What a run did. Latencies are of acknowledged packs, in milliseconds. */
    public record Report(long sentReadings, long ackedReadings, long failedPacks, double seconds, double p50, double p90,
                         double p99, double max) {
        public double ackedPerSecond() { return ackedReadings / seconds; }

        public String summary() {
            return String.format(Locale.ROOT,
                    "sent %d readings, acknowledged %d (%.0f readings/s), failed packs %d, in %.1f s; "
                            + "latency ms p50 %.2f p90 %.2f p99 %.2f max %.2f",
                    sentReadings, ackedReadings, ackedPerSecond(), failedPacks, seconds, p50, p90, p99, max);
        }
    }

    /** Sends one pack and returns when it is acknowledged (or throws). */
    interface Sender extends AutoCloseable {
        void send(Batch batch) throws Exception;

        @Override
        void close();
    }

    private final Options options;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public LoadGenerator(Options options) {
        this.options = options;
    }

    public Report run(PrintStream progress) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= options.devices(); i++) ids.add(String.format(Locale.ROOT, "%s-%05d", options.prefix(), i));
        try (Sender sender = "coap".equals(options.gateway().getScheme())
                ? new CoapSender(options.gateway(), ids, options.format())
                : new MqttSender(options.gateway(), ids, options.format())) {
            long startNanos = System.nanoTime();
            long endNanos = startNanos + options.duration().toNanos();
            long[][] latencies = new long[ids.size()][];
            int[] counts = new int[ids.size()];
            try (ExecutorService devices = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < ids.size(); i++) {
                    int index = i;
                    devices.submit(() -> device(sender, ids.get(index), index, startNanos, endNanos, latencies, counts));
                }
                Thread progressThread = Thread.ofVirtual().start(() -> progress(progress, startNanos, endNanos));
                devices.shutdown();
                devices.awaitTermination(options.duration().toSeconds() + 120, TimeUnit.SECONDS);
                progressThread.interrupt();
            }
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            int total = Arrays.stream(counts).sum();
            long[] all = new long[total];
            int at = 0;
            for (int i = 0; i < ids.size(); i++) {
                if (latencies[i] == null) continue;
                System.arraycopy(latencies[i], 0, all, at, counts[i]);
                at += counts[i];
            }
            Arrays.sort(all);
            return new Report(sent.get(), acked.get(), failed.get(), seconds, pct(all, 50), pct(all, 90), pct(all, 99),
                    all.length == 0 ? Double.NaN : all[all.length - 1] / 1e6);
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.clamp(i, 0, sorted.length - 1)] / 1e6;
    }

    private void device(Sender sender, String id, int index, long startNanos, long endNanos, long[][] latencies, int[] counts) {
        String boot = UUID.randomUUID().toString();
        long seq = 0;
        long[] mine = new long[64];
        int n = 0;
        double packsPerSecond = options.ratePerDevice() / options.pack();
        // spread the devices' first packs over one period so they do not all send at once
        long period = packsPerSecond > 0 ? (long) (1e9 / packsPerSecond) : 0;
        long next = startNanos + (period > 0 ? (long) (period * ((index * 0.618034) % 1.0)) : 0);
        try {
            while (true) {
                if (period > 0) {
                    if (next >= endNanos) break; // the next pack would fall after the end
                    long wait = next - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                    next += period;
                }
                long now = System.nanoTime();
                if (now >= endNanos) break;
                List<Reading> readings = new ArrayList<>(options.pack());
                long wall = System.currentTimeMillis();
                for (int r = 0; r < options.pack(); r++) {
                    readings.add(new Reading("temperature", "Cel", new Value.Number(20 + (seq + r) % 50 / 10.0), wall));
                }
                Batch batch = new Batch(id, boot, seq, readings);
                seq += options.pack();
                sent.addAndGet(options.pack());
                try {
                    long t0 = System.nanoTime();
                    sender.send(batch);
                    long took = System.nanoTime() - t0;
                    acked.addAndGet(options.pack());
                    if (n == mine.length) mine = Arrays.copyOf(mine, n * 2);
                    mine[n++] = took;
                } catch (InterruptedException e) {
                    break;
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        latencies[index] = mine;
        counts[index] = n;
    }

    private void progress(PrintStream out, long startNanos, long endNanos) {
        long last = 0;
        try {
            while (System.nanoTime() < endNanos) {
                Thread.sleep(5_000);
                long a = acked.get();
                out.printf(Locale.ROOT, "load: %4.0f s  sent %d  acknowledged %d  (%.0f/s)  failed packs %d%n",
                        (System.nanoTime() - startNanos) / 1e9, sent.get(), a, (a - last) / 5.0, failed.get());
                last = a;
            }
        } catch (InterruptedException e) {
            // run finished
        }
    }
}
