package dev.lichen.sensors.gpio;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.DigitalInput;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.senml.Reading;
import dev.lichen.sensors.core.Units;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A two-state contact on a GPIO input (a PIR's output, a reed switch): publishes a boolean reading
 * on each change that stays put for the debounce time, and the current state when sampled.
 * Debouncing waits on the device's clock in a virtual thread, restarted by every new edge.
 */
public final class EdgeSensor implements Sensor {
    private final Channel channel;
    private final DigitalInput input;
    private final boolean activeHigh;
    private final Duration debounce;
    private final Clock clock;
    private final List<Consumer<Reading>> sinks = new CopyOnWriteArrayList<>();
    private final AutoCloseable edges;
    private final Object lock = new Object();
    private long generation;
    private boolean level;
    private boolean published;
    private boolean waiting;
    private volatile boolean closed;

    /**
     * @param activeHigh whether a high pin means "true" (motion seen; door open with a pull-up reed)
     */
    public EdgeSensor(Channel channel, DigitalInput input, boolean activeHigh, Duration debounce, Clock clock) throws BusException {
        this.channel = channel;
        this.input = input;
        this.activeHigh = activeHigh;
        this.debounce = debounce;
        this.clock = clock;
        this.level = input.isHigh();
        this.published = level;
        this.edges = input.onEdge(this::edge);
    }

    private void edge(DigitalInput.Edge edge) {
        synchronized (lock) {
            level = edge.high();
            generation++;
            if (debounce.isZero()) {
                publishIfChanged();
                return;
            }
            if (!waiting) {
                waiting = true;
                Thread.ofVirtual().name("debounce-" + channel.name() + "-" + input.pin()).start(this::settle);
            }
        }
    }

    /** Waits until no edge came for a whole debounce period, then publishes the settled level. */
    private void settle() {
        long seen;
        synchronized (lock) {
            seen = generation;
        }
        while (!closed) {
            try {
                clock.sleep(debounce);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (lock) {
                if (generation == seen) {
                    waiting = false;
                    publishIfChanged();
                    return;
                }
                seen = generation;
            }
        }
    }

    private void publishIfChanged() {
        if (level != published && !closed) {
            published = level;
            Reading r = Units.bool(channel, level == activeHigh, clock.epochMillis());
            sinks.forEach(s -> s.accept(r));
        }
    }

    @Override
    public List<Channel> channels() {
        return List.of(channel);
    }

    @Override
    public List<Reading> sample(long timeMillis) throws BusException {
        return List.of(Units.bool(channel, input.isHigh() == activeHigh, timeMillis));
    }

    @Override
    public AutoCloseable onEvent(Consumer<Reading> sink) {
        sinks.add(sink);
        return () -> sinks.remove(sink);
    }

    @Override
    public void close() {
        closed = true;
        try {
            edges.close();
        } catch (Exception ignored) {
            // the listener is gone either way
        }
    }
}
