package dev.lichen.sensors.core;

import dev.lichen.runtime.bus.BusException;
import java.util.SplittableRandom;

/**
 * The faults a chip model can be told to show, for tests and the simulator's fault injection:
 * not answering (NACK), a stuck value, seeded noise, corrupted CRCs.
 */
public final class ModelFaults {
    private volatile boolean nack;
    private volatile boolean stuck;
    private volatile boolean badCrc;
    private SplittableRandom random;
    private double noiseScale;

    /** The chip stops acknowledging its address, as when a wire comes loose. */
    public ModelFaults nack(boolean on) { nack = on; return this; }

    /** The chip keeps reporting what it measured last, whatever the physical value becomes. */
    public ModelFaults stuck(boolean on) { stuck = on; return this; }

    /** Every CRC the chip sends is wrong. */
    public ModelFaults badCrc(boolean on) { badCrc = on; return this; }

    /** Gaussian noise, reproducible from the seed; scale 1.0 is about the chip's datasheet noise. */
    public synchronized ModelFaults noise(long seed, double scale) {
        random = scale > 0 ? new SplittableRandom(seed) : null;
        noiseScale = scale;
        return this;
    }

    public boolean isStuck() { return stuck; }

    public void checkAnswering(String chip) throws BusException {
        if (nack) {
            throw new BusException(BusException.Kind.NACK, chip + " does not acknowledge (NACK)");
        }
    }

    public boolean nacking() { return nack; }

    /** The CRC the model sends: the right one unless corrupted. */
    public int crc(int crc) { return badCrc ? crc ^ 0x5A : crc; }

    public boolean corruptingCrc() { return badCrc; }

    /** The value plus noise of {@code sigma} (in the value's unit) times the scale. */
    public synchronized double noisy(double value, double sigma) {
        if (random == null) {
            return value;
        }
        // Box-Muller: SplittableRandom has no nextGaussian on every JDK we target
        double u1 = random.nextDouble(), u2 = random.nextDouble();
        double g = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
        return value + g * sigma * noiseScale;
    }
}
