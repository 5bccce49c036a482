package dev.lichen.runtime.output;

import dev.lichen.appliance.DeviceConfig.OutputSpec.DimmerSpec;
import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.PwmOutput;
import dev.lichen.runtime.clock.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Dimmer} on a hardware-PWM pin. {@link #set} ramps linearly from the level the pin is
 * at to the target over the output's ramp time, a step every {@link #STEP} of the given clock
 * (a simulator's clock may run faster than real time), and returns at the target.
 * {@link #safe()} cuts a running ramp short. A failed write puts the dimmer in its safe state
 * and throws the bus error, naming the pin.
 */
public final class PwmDimmer implements Dimmer {
    /** 50 updates a second: a ramp looks smooth to the eye, and costs a few writes. */
    public static final Duration STEP = Duration.ofMillis(20);

    private static final Logger LOG = LoggerFactory.getLogger(PwmDimmer.class);

    private final DimmerSpec spec;
    private final PwmOutput pwm;
    private final Clock clock;
    /** One set at a time: a second waits for the first's ramp, then ramps from where it ended. */
    private final Object setLock = new Object();
    /** Guards a write and the safe generation, so a ramp's step never lands after safe(). */
    private final Object writeLock = new Object();
    private long safeGeneration;
    private volatile double level;

    private PwmDimmer(DimmerSpec spec, PwmOutput pwm, Clock clock) {
        this.spec = spec;
        this.pwm = pwm;
        this.clock = clock;
    }

    /** Opens the PWM pin and puts it at its safe level at once. */
    public static PwmDimmer open(Board board, DimmerSpec spec, Clock clock) throws BusException {
        PwmOutput pwm;
        try {
            pwm = board.pwm(spec.pin(), spec.frequencyHz());
        } catch (BusException e) {
            throw new BusException(e.kind(), "output " + spec.name() + " (GPIO " + spec.pin() + ", PWM at " + spec.frequencyHz()
                    + " Hz): cannot open the pin: " + e.getMessage(), e);
        }
        PwmDimmer d = new PwmDimmer(spec, pwm, clock);
        try {
            d.write(spec.safeLevel());
        } catch (BusException e) {
            throw new BusException(e.kind(), "output " + spec.name() + " (GPIO " + spec.pin() + "): cannot put it at its safe level ("
                    + spec.safeLevel() + " %): " + e.getMessage(), e);
        }
        return d;
    }

    @Override public String name() { return spec.name(); }

    public DimmerSpec spec() { return spec; }

    /**
     * Ramps to percent and returns there. An interrupt stops the ramp where it is (the interrupt
     * stays set); so does {@link #safe()} from another thread, which leaves the safe level.
     *
     * @throws IllegalArgumentException if percent is not 0 to 100
     */
    @Override
    public void set(double percent) throws BusException {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("output " + spec.name() + ": " + percent + " is not a level: give 0 to 100 (percent)");
        }
        synchronized (setLock) {
            long generation;
            synchronized (writeLock) {
                generation = safeGeneration;
            }
            double from = level;
            // no ramp to the level it is at already: set returns at once
            long rampNanos = from == percent ? 0 : spec.ramp().toNanos();
            int steps = rampNanos == 0 ? 1 : (int) Math.ceilDiv(rampNanos, STEP.toNanos());
            long start = clock.monotonicNanos();
            try {
                for (int i = 1; i <= steps; i++) {
                    if (rampNanos > 0) {
                        // each step is due at its share of the ramp: late steps do not push the end back
                        long wait = start + rampNanos * i / steps - clock.monotonicNanos();
                        if (wait > 0) clock.sleep(Duration.ofNanos(wait));
                    }
                    double next = i == steps ? percent : from + (percent - from) * i / steps;
                    synchronized (writeLock) {
                        if (safeGeneration != generation) return; // put safe meanwhile: the safe level stands
                        write(next);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (BusException e) {
                boolean safe = toSafe();
                throw new BusException(e.kind(), "output " + spec.name() + " (GPIO " + spec.pin() + "): setting it to " + percent
                        + " % failed: " + e.getMessage() + (safe ? "; it was put at its safe level (" + spec.safeLevel() + " %)"
                        : "; its safe level (" + spec.safeLevel() + " %) could not be set either: check the wiring"), e);
            }
        }
    }

    /** The level the pin is at, in percent (as the board took it: Pi4J keeps whole percents). */
    @Override public double level() { return level; }

    @Override
    public void safe() {
        toSafe();
    }

    private boolean toSafe() {
        synchronized (writeLock) {
            safeGeneration++;
            try {
                write(spec.safeLevel());
                return true;
            } catch (BusException e) {
                LOG.error("output {} (GPIO {}): cannot put it at its safe level ({} %): {}", spec.name(), spec.pin(), spec.safeLevel(), e.getMessage());
                return false;
            }
        }
    }

    private void write(double percent) throws BusException {
        synchronized (writeLock) {
            pwm.duty(percent);
            level = pwm.duty();
        }
    }

    @Override
    public String toString() {
        return "dimmer " + spec.name() + " on GPIO " + spec.pin() + " at " + spec.frequencyHz() + " Hz: " + level + " %";
    }
}
