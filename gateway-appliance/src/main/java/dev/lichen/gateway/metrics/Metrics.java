package dev.lichen.gateway.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * A small metrics registry rendered as Prometheus text (exposition format 0.0.4): counters and
 * gauges with labels, and histograms. Registering the same name twice returns the existing
 * family, so components can look their metrics up by name.
 */
public final class Metrics {
    /** The Content-Type of {@link #render()}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final List<Family> order = new CopyOnWriteArrayList<>();

    public Counter counter(String name, String help, String... labelNames) {
        return (Counter) register(name, () -> new Counter(name, help, labelNames));
    }

    public Gauge gauge(String name, String help, String... labelNames) {
        return (Gauge) register(name, () -> new Gauge(name, help, labelNames));
    }

    /** A gauge read from a supplier at render time (queue depth, subscriber count...). */
    public void gauge(String name, String help, DoubleSupplier supplier) {
        register(name, () -> new Gauge(name, help, new String[0])).asGauge().supplier = supplier;
    }

    /** A histogram with the given upper bounds (ascending; +Inf is added). */
    public Histogram histogram(String name, String help, double... buckets) {
        return (Histogram) register(name, () -> new Histogram(name, help, buckets));
    }

    /** The value of a counter or gauge child, or 0 when absent (for tests and health output). */
    public double value(String name, String... labelValues) {
        Family f = families.get(name);
        return f == null ? 0 : f.valueOf(labelValues);
    }

    /** Everything in Prometheus text format. */
    public String render() {
        StringBuilder sb = new StringBuilder(4096);
        for (Family f : order) f.render(sb);
        return sb.toString();
    }

    private synchronized Family register(String name, java.util.function.Supplier<Family> make) {
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("bad metric name " + name);
        Family f = families.get(name);
        if (f == null) {
            f = make.get();
            families.put(name, f);
            order.add(f);
        }
        return f;
    }

    /** Common parts of a metric family. */
    public abstract static sealed class Family permits Counter, Gauge, Histogram {
        final String name;
        final String help;
        final String[] labelNames;

        Family(String name, String help, String[] labelNames) {
            this.name = name;
            this.help = help;
            this.labelNames = labelNames.clone();
        }

        abstract void render(StringBuilder sb);

        abstract double valueOf(String[] labelValues);

        Gauge asGauge() { return (Gauge) this; }

        void header(StringBuilder sb, String type) {
            sb.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        }

        String labels(List<String> values, String extraName, String extraValue) {
            if (labelNames.length == 0 && extraName == null) return "";
            StringBuilder sb = new StringBuilder("{");
            for (int i = 0; i < labelNames.length; i++) {
                if (i > 0) sb.append(',');
                sb.append(labelNames[i]).append("=\"").append(escape(values.get(i))).append('"');
            }
            if (extraName != null) {
                if (labelNames.length > 0) sb.append(',');
                sb.append(extraName).append("=\"").append(extraValue).append('"');
            }
            return sb.append('}').toString();
        }

        List<String> key(String[] values) {
            if (values.length != labelNames.length) {
                throw new IllegalArgumentException(name + " takes labels " + List.of(labelNames));
            }
            return List.of(values);
        }

        static String escape(String v) {
            return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        }

        static String num(double v) {
            if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
            return Double.toString(v);
        }
    }

    /** A monotonically increasing count, one child per label combination. */
    public static final class Counter extends Family {
        private final Map<List<String>, java.util.concurrent.atomic.LongAdder> children = new ConcurrentHashMap<>();

        Counter(String name, String help, String[] labelNames) { super(name, help, labelNames); }

        public void inc(String... labelValues) { add(1, labelValues); }

        public void add(long n, String... labelValues) {
            children.computeIfAbsent(key(labelValues), k -> new java.util.concurrent.atomic.LongAdder()).add(n);
        }

        public long get(String... labelValues) {
            var a = children.get(key(labelValues));
            return a == null ? 0 : a.sum();
        }

        @Override double valueOf(String[] lv) { return get(lv); }

        @Override
        void render(StringBuilder sb) {
            header(sb, "counter");
            for (var e : new ArrayList<>(children.entrySet())) {
                sb.append(name).append(labels(e.getKey(), null, null)).append(' ').append(e.getValue().sum()).append('\n');
            }
        }
    }

    /** A value that goes up and down. */
    public static final class Gauge extends Family {
        private final Map<List<String>, java.util.concurrent.atomic.AtomicLong> children = new ConcurrentHashMap<>();
        volatile DoubleSupplier supplier;

        Gauge(String name, String help, String[] labelNames) { super(name, help, labelNames); }

        public void set(double v, String... labelValues) {
            children.computeIfAbsent(key(labelValues), k -> new java.util.concurrent.atomic.AtomicLong())
                    .set(Double.doubleToLongBits(v));
        }

        public double get(String... labelValues) {
            if (supplier != null && labelValues.length == 0) return supplier.getAsDouble();
            var a = children.get(key(labelValues));
            return a == null ? 0 : Double.longBitsToDouble(a.get());
        }

        @Override double valueOf(String[] lv) { return get(lv); }

        @Override
        void render(StringBuilder sb) {
            header(sb, "gauge");
            if (supplier != null) {
                sb.append(name).append(' ').append(num(supplier.getAsDouble())).append('\n');
                return;
            }
            for (var e : new ArrayList<>(children.entrySet())) {
                sb.append(name).append(labels(e.getKey(), null, null)).append(' ')
                        .append(num(Double.longBitsToDouble(e.getValue().get()))).append('\n');
            }
        }
    }

    /** Observations counted into cumulative buckets, with their sum and count (e.g. commit latency in seconds). */
    public static final class Histogram extends Family {
        private final double[] bounds;
        private final java.util.concurrent.atomic.LongAdder[] counts;
        private final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();
        private final java.util.concurrent.atomic.LongAdder count = new java.util.concurrent.atomic.LongAdder();

        Histogram(String name, String help, double[] bounds) {
            super(name, help, new String[0]);
            for (int i = 1; i < bounds.length; i++) {
                if (bounds[i] <= bounds[i - 1]) throw new IllegalArgumentException("buckets must ascend");
            }
            this.bounds = bounds.clone();
            this.counts = new java.util.concurrent.atomic.LongAdder[bounds.length];
            for (int i = 0; i < counts.length; i++) counts[i] = new java.util.concurrent.atomic.LongAdder();
        }

        public void observe(double v) {
            for (int i = 0; i < bounds.length; i++) {
                if (v <= bounds[i]) {
                    counts[i].increment();
                    break;
                }
            }
            sum.add(v);
            count.increment();
        }

        public long count() { return count.sum(); }

        public double sum() { return sum.sum(); }

        @Override double valueOf(String[] lv) { return count(); }

        @Override
        void render(StringBuilder sb) {
            header(sb, "histogram");
            long cumulative = 0;
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts[i].sum();
                sb.append(name).append("_bucket{le=\"").append(Double.toString(bounds[i])).append("\"} ").append(cumulative).append('\n');
            }
            sb.append(name).append("_bucket{le=\"+Inf\"} ").append(count.sum()).append('\n');
            sb.append(name).append("_sum ").append(Double.toString(sum.sum())).append('\n');
            sb.append(name).append("_count ").append(count.sum()).append('\n');
        }
    }
}
