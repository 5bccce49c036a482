package dev.lichen.sensors.sim;

import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.bus.sim.SimChipModels;
import dev.lichen.runtime.clock.Clock;
import java.util.Map;
import java.util.Set;

/**
 * The chip models an arm64-virt image's appliance reads (QEMU's virt machine has no sensor
 * buses), all in the same fixed bench conditions, {@link #BENCH}, so that whoever receives the
 * readings can check them: 21.5 °C, 45 %RH, 101 325 Pa, 320 lx, 150 ppb TVOC (eCO2 460 ppm),
 * soil 35 % water, no motion, door closed.
 */
public final class BenchModels implements SimChipModels {
    public static final Environment BENCH = new Environment(21.5, 45.0, 101_325.0, 320.0, 150.0, 35.0, false, false);

    @Override
    public Set<String> chips() {
        return ChipModels.chips();
    }

    @Override
    public void attach(SimBoard board, Clock clock, String chip, Map<String, Object> placement) {
        ChipModels.Attached a = ChipModels.attach(chip, new ChipModels.Context(board, clock, () -> BENCH), placement);
        if (a.gpio() != null) a.gpio().accept(BENCH); // pins hold their bench state: no edges
    }
}
