package dev.lichen.runtime.output;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.appliance.DeviceConfig.OutputSpec.DimmerSpec;
import dev.lichen.appliance.DeviceConfig.OutputSpec.SwitchSpec;
import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.DigitalInput;
import dev.lichen.runtime.bus.DigitalOutput;
import dev.lichen.runtime.bus.I2cBus;
import dev.lichen.runtime.bus.OneWireBus;
import dev.lichen.runtime.bus.PwmOutput;
import dev.lichen.runtime.bus.SpiBus;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.senml.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.Test;

/** Outputs on a simulated board, with a clock whose sleeps pass at once (as a fast simulator's do). */
class OutputsTest {
    /** Simulated time: a sleep moves it on and returns at once; a hook may run at each sleep. */
    static final class FastClock implements Clock {
        volatile long nanos;
        final List<Duration> sleeps = new CopyOnWriteArrayList<>();
        Runnable onSleep = () -> {};

        @Override public long epochMillis() { return 1_700_000_000_000L + nanos / 1_000_000; }

        @Override public long monotonicNanos() { return nanos; }

        @Override
        public void sleep(Duration d) {
            sleeps.add(d);
            nanos += d.toNanos();
            onSleep.run();
        }
    }

    final SimBoard sim = new SimBoard("sim");
    final FastClock clock = new FastClock();

    @Test
    void eachOutputIsInItsSafeStateAtOpenAndAgainAtClose() throws Exception {
        var outputs = Outputs.open(sim, List.of(
                new SwitchSpec("relay", 22, true, true),      // safe on, active low: pin low
                new SwitchSpec("bell", 23, false, false),     // safe off: pin low
                new SwitchSpec("pump", 24, false, true),      // safe on: pin high
                new DimmerSpec("fan", 18, 1000, Duration.ZERO, 20)), clock);
        assertFalse(sim.level(22));
        assertFalse(sim.level(23));
        assertTrue(sim.level(24));
        assertEquals(20.0, sim.duty(18));
        Switch relay = (Switch) outputs.get(0);
        Dimmer fan = (Dimmer) outputs.get(3);
        assertTrue(relay.isOn());
        assertEquals(new Value.Bool(true), relay.state());
        assertEquals(new Value.Number(20), fan.state());
        assertEquals("%", fan.unit());
        assertEquals("", relay.unit());
        assertEquals(List.of("relay", "bell", "pump", "fan"), outputs.stream().map(Output::name).toList());

        relay.set(false);
        ((Switch) outputs.get(1)).set(true);
        ((Switch) outputs.get(2)).set(false);
        fan.set(75);
        assertTrue(sim.level(22), "active low: off is the pin high");
        assertTrue(sim.level(23));
        assertFalse(sim.level(24));
        assertEquals(75.0, sim.duty(18));

        Outputs.closeAll(outputs);
        assertFalse(sim.level(22));
        assertFalse(sim.level(23));
        assertTrue(sim.level(24));
        assertEquals(20.0, sim.duty(18));
        assertTrue(relay.isOn());
        assertEquals(20.0, fan.level());
    }

    @Test
    void aDimmerRampsLinearlyThroughIntermediateLevelsOverItsRampTime() throws Exception {
        Dimmer fan = (Dimmer) Outputs.open(sim, List.of(new DimmerSpec("fan", 18, 1000, Duration.ofMillis(500), 0)), clock).get(0);
        List<Double> seen = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        sim.onOutput(c -> {
            if (c.pin() == 18 && c.pwm()) {
                seen.add(c.value());
                at.add(clock.monotonicNanos());
            }
        });
        long start = clock.monotonicNanos();
        fan.set(80);
        assertEquals(80.0, fan.level());
        assertEquals(80.0, sim.duty(18));
        assertEquals(Duration.ofMillis(500), Duration.ofNanos(clock.monotonicNanos() - start), "set returns once the ramp is over");
        assertEquals(25, seen.size(), "a step each 20 ms over 500 ms");
        assertEquals(80.0, seen.getLast());
        for (int i = 0; i < seen.size(); i++) {
            // linear: at each step's time, its share of the way
            double share = (at.get(i) - start) / 500e6;
            assertEquals(80 * share, seen.get(i), 1e-9, "step " + i);
        }
        assertTrue(seen.stream().filter(v -> v > 0 && v < 80).count() >= 20, "intermediate levels: " + seen);

        // down again from where it is, over the same ramp time
        seen.clear();
        fan.set(30);
        assertEquals(30.0, seen.getLast());
        assertTrue(isMonotonic(seen, false), seen.toString());
        assertEquals(60.0, seen.get(9), 1e-9, "after 10 of 25 steps: 80 - 50 * 10/25");
    }

    @Test
    void aSetToTheLevelItIsAtReturnsAtOnce() throws Exception {
        Dimmer fan = (Dimmer) Outputs.open(sim, List.of(new DimmerSpec("fan", 18, 1000, Duration.ofSeconds(2), 40)), clock).get(0);
        fan.set(40);
        assertEquals(List.of(), clock.sleeps);
    }

    @Test
    void safeCutsARunningRampShort() throws Exception {
        Dimmer fan = (Dimmer) Outputs.open(sim, List.of(new DimmerSpec("fan", 18, 1000, Duration.ofSeconds(1), 5)), clock).get(0);
        clock.onSleep = () -> { if (clock.sleeps.size() == 10) fan.safe(); };
        fan.set(100);
        assertEquals(10, clock.sleeps.size(), "the ramp stopped at the safe call");
        assertEquals(5.0, fan.level());
        assertEquals(5.0, sim.duty(18));
    }

    @Test
    void aLevelOutOfRangeIsRefused() throws Exception {
        Dimmer fan = (Dimmer) Outputs.open(sim, List.of(new DimmerSpec("fan", 18, 1000, Duration.ZERO, 0)), clock).get(0);
        for (double bad : new double[] {-1, 100.5, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> fan.set(bad));
            assertTrue(e.getMessage().contains("fan") && e.getMessage().contains("0 to 100"), e.getMessage());
        }
        assertEquals(0.0, sim.duty(18));
    }

    @Test
    void aSwitchWhosePinFailsIsLeftSafeAndTheErrorNamesThePin() throws Exception {
        // the pin refuses to go high (a shorted line): on is refused, off (its safe state) still works
        Board board = new FailingBoard(sim, high -> high, pct -> false);
        Switch bell = (Switch) Outputs.open(board, List.of(new SwitchSpec("bell", 23, false, false)), clock).get(0);
        var e = assertThrows(BusException.class, () -> bell.set(true));
        assertTrue(e.getMessage().contains("GPIO 23") && e.getMessage().contains("bell"), e.getMessage());
        assertTrue(e.getMessage().contains("safe state (off)"), e.getMessage());
        assertEquals(BusException.Kind.IO, e.kind());
        assertFalse(bell.isOn());
        assertFalse(sim.level(23));
    }

    @Test
    void aDimmerWhosePinFailsMidRampIsLeftSafeAndTheErrorNamesThePin() throws Exception {
        Board board = new FailingBoard(sim, high -> false, pct -> pct > 50);
        Dimmer fan = (Dimmer) Outputs.open(board, List.of(new DimmerSpec("fan", 18, 1000, Duration.ofMillis(200), 10)), clock).get(0);
        List<Double> seen = new CopyOnWriteArrayList<>();
        sim.onOutput(c -> seen.add(c.value()));
        var e = assertThrows(BusException.class, () -> fan.set(90));
        assertTrue(e.getMessage().contains("GPIO 18") && e.getMessage().contains("fan"), e.getMessage());
        assertTrue(seen.contains(50.0) && seen.getLast() == 10.0, "ramped up to the failure, then safe: " + seen);
        assertEquals(10.0, fan.level());
        assertEquals(10.0, sim.duty(18));
    }

    @Test
    void whenAnOutputCannotBeOpenedThoseOpenedAreSafeAndTheErrorNamesIt() {
        // the SimBoard's second output is fine, the real board's PWM is absent: the default Board.pwm
        Board noPwm = new FailingBoard(sim, high -> false, pct -> false) {
            @Override public PwmOutput pwm(int pin, int frequencyHz) throws BusException {
                throw new BusException(BusException.Kind.ABSENT, "board sim has no hardware PWM");
            }
        };
        var e = assertThrows(BusException.class, () -> Outputs.open(noPwm, List.of(
                new SwitchSpec("pump", 24, false, false),
                new DimmerSpec("fan", 18, 1000, Duration.ZERO, 0)), clock));
        assertTrue(e.getMessage().contains("fan") && e.getMessage().contains("GPIO 18"), e.getMessage());
        assertEquals(BusException.Kind.ABSENT, e.kind());
        assertFalse(sim.level(24));
    }

    @Test
    void theSimulatedWorldIsToldOfEachOutputChange() throws Exception {
        List<SimBoard.OutputChange> changes = new CopyOnWriteArrayList<>();
        AutoCloseable sub = sim.onOutput(changes::add);
        var outputs = Outputs.open(sim, List.of(new SwitchSpec("relay", 22, true, false),
                new DimmerSpec("fan", 19, 1000, Duration.ZERO, 0)), clock);
        ((Switch) outputs.get(0)).set(true);
        ((Dimmer) outputs.get(1)).set(55);
        sub.close();
        ((Switch) outputs.get(0)).set(false);
        assertEquals(List.of(
                new SimBoard.OutputChange(22, false, 1),   // opened off, active low: high
                new SimBoard.OutputChange(19, true, 0),    // opened at 0 %
                new SimBoard.OutputChange(22, false, 0),   // on: low
                new SimBoard.OutputChange(19, true, 55)), changes);
    }

    private static boolean isMonotonic(List<Double> values, boolean up) {
        for (int i = 1; i < values.size(); i++) {
            if (up ? values.get(i) < values.get(i - 1) : values.get(i) > values.get(i - 1)) return false;
        }
        return true;
    }

    /** A board over a SimBoard whose output pins fail for some values (a fault a test picks). */
    static class FailingBoard implements Board {
        interface LevelFault { boolean fails(boolean high); }

        private final SimBoard sim;
        private final LevelFault digital;
        private final DoublePredicate pwm;

        FailingBoard(SimBoard sim, LevelFault digital, DoublePredicate pwm) {
            this.sim = sim;
            this.digital = digital;
            this.pwm = pwm;
        }

        @Override public String name() { return "failing"; }
        @Override public I2cBus i2c(int bus) { return sim.i2c(bus); }
        @Override public SpiBus spi(int bus) { return sim.spi(bus); }
        @Override public OneWireBus oneWire() { return sim.oneWire(); }
        @Override public DigitalInput digitalInput(int pin, Pull pull) { return sim.digitalInput(pin, pull); }

        @Override
        public DigitalOutput digitalOutput(int pin, boolean initial) {
            DigitalOutput out = sim.digitalOutput(pin, initial);
            return new DigitalOutput() {
                @Override public int pin() { return pin; }

                @Override
                public void set(boolean high) throws BusException {
                    // as a gpiod write fails: the message need not name the pin, the output does
                    if (digital.fails(high)) throw new BusException(BusException.Kind.IO, "line request failed: Input/output error");
                    out.set(high);
                }

                @Override public boolean isHigh() { return out.isHigh(); }
            };
        }

        @Override
        public PwmOutput pwm(int pin, int frequencyHz) throws BusException {
            PwmOutput out = sim.pwm(pin, frequencyHz);
            return new PwmOutput() {
                @Override public int pin() { return pin; }

                @Override
                public void duty(double percent) throws BusException {
                    if (pwm.test(percent)) throw new BusException(BusException.Kind.IO, "write duty_cycle: Input/output error");
                    out.duty(percent);
                }

                @Override public double duty() { return out.duty(); }
            };
        }

        @Override public void close() {}
    }
}
