package dev.lichen.runtime.output;

import dev.lichen.appliance.DeviceConfig.OutputSpec.SwitchSpec;
import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.DigitalOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Switch} on a GPIO output pin. Active low (most relay boards) means on is the pin low.
 * A failed write puts the switch in its safe state and throws the bus error, naming the pin.
 */
public final class PinSwitch implements Switch {
    private static final Logger LOG = LoggerFactory.getLogger(PinSwitch.class);

    private final SwitchSpec spec;
    private final DigitalOutput pin;
    /** The state last written to the pin; what {@link #isOn()} reports. */
    private volatile boolean on;

    private PinSwitch(SwitchSpec spec, DigitalOutput pin) {
        this.spec = spec;
        this.pin = pin;
    }

    /** Opens the pin at its safe level at once, so the load never sees the other state at boot. */
    public static PinSwitch open(Board board, SwitchSpec spec) throws BusException {
        DigitalOutput out;
        try {
            out = board.digitalOutput(spec.pin(), high(spec, spec.safeOn()));
        } catch (BusException e) {
            throw new BusException(e.kind(), "output " + spec.name() + " (GPIO " + spec.pin() + "): cannot open the pin: " + e.getMessage(), e);
        }
        PinSwitch s = new PinSwitch(spec, out);
        try {
            // a pin the board had opened before keeps its old level: write the safe one
            s.write(spec.safeOn());
        } catch (BusException e) {
            throw new BusException(e.kind(), "output " + spec.name() + " (GPIO " + spec.pin() + "): cannot put it in its safe state ("
                    + onOff(spec.safeOn()) + "): " + e.getMessage(), e);
        }
        return s;
    }

    @Override public String name() { return spec.name(); }

    public SwitchSpec spec() { return spec; }

    @Override
    public synchronized void set(boolean on) throws BusException {
        try {
            write(on);
        } catch (BusException e) {
            boolean safe = toSafe();
            throw new BusException(e.kind(), "output " + spec.name() + " (GPIO " + spec.pin() + "): switching it " + onOff(on)
                    + " failed: " + e.getMessage() + (safe ? "; it was put in its safe state (" + onOff(spec.safeOn()) + ")"
                    : "; its safe state (" + onOff(spec.safeOn()) + ") could not be set either: check the wiring"), e);
        }
    }

    @Override public boolean isOn() { return on; }

    @Override
    public void safe() {
        toSafe();
    }

    private synchronized boolean toSafe() {
        try {
            write(spec.safeOn());
            return true;
        } catch (BusException e) {
            LOG.error("output {} (GPIO {}): cannot put it in its safe state ({}): {}", spec.name(), spec.pin(), onOff(spec.safeOn()), e.getMessage());
            return false;
        }
    }

    private void write(boolean on) throws BusException {
        pin.set(high(spec, on));
        this.on = on;
    }

    private static boolean high(SwitchSpec spec, boolean on) {
        return on != spec.activeLow();
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }

    @Override
    public String toString() {
        return "switch " + spec.name() + " on GPIO " + spec.pin() + (spec.activeLow() ? " (active low)" : "") + ": " + onOff(on);
    }
}
