package dev.lichen.sensors.factory;

/** A sensor's placement in the device config is wrong; {@link #problem()} says how, the message what to write. */
public final class PlacementException extends IllegalArgumentException {
    public enum Problem { UNKNOWN_CHIP, MISSING_KEY, UNKNOWN_KEY, BAD_VALUE, ADDRESS_OUT_OF_RANGE, BAD_CALIBRATION }

    private final Problem problem;

    public PlacementException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public Problem problem() { return problem; }
}
