package dev.lichen.benchmarks.sensors;

import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.sensors.factory.LichenSensorFactory;
import dev.lichen.sensors.probe.DemoBoard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load run: what a simulator pays for chip models. Builds N simulated boards with every modelled
 * chip (DemoBoard), starts the real drivers on them, and samples every sensor R times on a
 * stepping clock (a conversion wait advances simulated time, costing no real time), printing heap
 * per board and CPU time per sample by chip.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.lichen.benchmarks.sensors.ChipModelLoad [boards] [rounds]</pre>
 */
public final class ChipModelLoad {
    /** Simulated time: sleeping moves it on at once. */
    static final class SteppingClock implements Clock {
        final AtomicLong nanos = new AtomicLong(1_000_000_000L);
        @Override public long epochMillis() { return nanos.get() / 1_000_000; }
        @Override public long monotonicNanos() { return nanos.get(); }
        @Override public void sleep(Duration d) { nanos.addAndGet(d.toNanos()); }
    }

    public static void main(String[] args) throws Exception {
        int boards = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        var clock = new SteppingClock();
        var factory = new LichenSensorFactory(clock);
        Map<String, Map<String, Object>> placements = new LinkedHashMap<>();
        placements.put("bme280", Map.of("address", "0x76"));
        placements.put("sht31", Map.of("address", "0x44"));
        placements.put("soil-ads1115", Map.of("address", "0x48", "input", 0, "calibration", Map.of("dryVolts", 2.8, "wetVolts", 1.2)));
        placements.put("mcp3008", Map.of("input", 1));
        placements.put("ds18b20", Map.of("romId", "28-0000075e3a1b"));
        placements.put("sgp30", Map.of("address", "0x58"));
        placements.put("bh1750", Map.of("address", "0x23", "settings", Map.of("resolution", "L")));

        System.gc();
        Runtime rt = Runtime.getRuntime();
        long before = rt.totalMemory() - rt.freeMemory();
        List<DemoBoard> demos = new ArrayList<>(boards);
        List<Sensor[]> sensors = new ArrayList<>(boards);
        for (int i = 0; i < boards; i++) {
            DemoBoard d = DemoBoard.create("b" + i, clock);
            d.bme280().faults().noise(i, 1.0);
            demos.add(d);
            Sensor[] row = new Sensor[placements.size()];
            int k = 0;
            for (var e : placements.entrySet()) {
                row[k++] = factory.start(e.getKey(), d.board(), e.getValue());
            }
            sensors.add(row);
            if ((i + 1) % 250 == 0) {
                System.err.println("started " + (i + 1) + " boards");
            }
        }
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        clock.sleep(Duration.ofSeconds(16)); // past the SGP30's warm-up
        String[] chips = placements.keySet().toArray(String[]::new);
        long[] cpu = new long[chips.length];
        long samples = 0;
        var bean = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int warm = 0; warm < 2; warm++) { // first pass warms the JIT; the second is measured
            java.util.Arrays.fill(cpu, 0);
            samples = 0;
            for (int r = 0; r < rounds; r++) {
                for (int b = 0; b < boards; b++) {
                    Sensor[] row = sensors.get(b);
                    for (int k = 0; k < row.length; k++) {
                        long t0 = bean.getCurrentThreadCpuTime();
                        row[k].sample(clock.epochMillis());
                        cpu[k] += bean.getCurrentThreadCpuTime() - t0;
                        samples++;
                    }
                }
            }
        }
        System.out.printf("boards %d (each: bme280, sht31, ads1115+soil probe, mcp3008, 2x ds18b20, sgp30, bh1750, pir, reed)%n", boards);
        System.out.printf("heap after start: %.1f KiB per board (models + started drivers), %.1f MiB total%n",
                (after - before) / 1024.0 / boards, (after - before) / 1048576.0);
        long total = 0;
        for (int k = 0; k < chips.length; k++) {
            System.out.printf("  %-13s %6.2f us CPU per sample (driver + model, %d samples)%n", chips[k], cpu[k] / 1000.0 / rounds / boards, (long) rounds * boards);
            total += cpu[k];
        }
        double perBoardRound = total / 1000.0 / rounds / boards;
        System.out.printf("all %d sensors of one board: %.1f us CPU; 1000 boards sampling every 10 s use %.2f %% of one core%n",
                chips.length, perBoardRound, perBoardRound * 1000 / 10_000_000.0 * 100);
        System.out.printf("samples measured: %d%n", samples);
    }
}
