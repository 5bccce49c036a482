package dev.lichen.runtime.output;

import dev.lichen.appliance.DeviceConfig.OutputSpec;
import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.clock.Clock;
import java.util.ArrayList;
import java.util.List;

/** Opens a device config's outputs on a board. */
public final class Outputs {
    private Outputs() {}

    /**
     * Opens each output in the order given, each put in its safe state at once. If one cannot be
     * opened, those already open are put safe again and its BusException (naming the output and
     * pin) is thrown. Closing an output puts it safe.
     */
    public static List<Output> open(Board board, List<OutputSpec> specs, Clock clock) throws BusException {
        List<Output> opened = new ArrayList<>();
        try {
            for (OutputSpec spec : specs) {
                opened.add(switch (spec) {
                    case OutputSpec.SwitchSpec s -> PinSwitch.open(board, s);
                    case OutputSpec.DimmerSpec d -> PwmDimmer.open(board, d, clock);
                });
            }
        } catch (BusException | RuntimeException e) {
            opened.forEach(Output::safe);
            throw e;
        }
        return List.copyOf(opened);
    }

    /** Closes each (puts it safe); never throws. */
    public static void closeAll(List<? extends Output> outputs) {
        outputs.forEach(Output::close);
    }
}
