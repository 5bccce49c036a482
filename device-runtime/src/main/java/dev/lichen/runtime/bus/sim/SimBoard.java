package dev.lichen.runtime.bus.sim;

import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.DigitalInput;
import dev.lichen.runtime.bus.DigitalOutput;
import dev.lichen.runtime.bus.I2cBus;
import dev.lichen.runtime.bus.OneWireBus;
import dev.lichen.runtime.bus.PwmOutput;
import dev.lichen.runtime.bus.SpiBus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A board made of in-memory buses. Chip models attach by bus and address, chip-select or pin;
 * an address with nothing attached NACKs, as on a real bus. A simulated world reads what the
 * appliance drives with {@link #level}, {@link #duty} and {@link #onOutput}.
 */
public final class SimBoard implements Board {
    private final String name;
    private final Map<Integer, Map<Integer, SimI2cDevice>> i2c = new ConcurrentHashMap<>();
    private final Map<Integer, Map<Integer, SimSpiDevice>> spi = new ConcurrentHashMap<>();
    private final Map<String, SimOneWireDevice> oneWire = new ConcurrentHashMap<>();
    private final Map<Integer, Pin> pins = new ConcurrentHashMap<>();
    private final Map<Integer, Double> duties = new ConcurrentHashMap<>();
    private final List<Consumer<OutputChange>> outputListeners = new CopyOnWriteArrayList<>();
    /** Output pins that fail when set (a burnt driver transistor, a loose relay board), and why. */
    private final Map<Integer, String> broken = new ConcurrentHashMap<>();

    /**
     * The appliance changed an output pin: a digital output's level (value 1 high, 0 low) or a
     * PWM pin's duty (value 0-100 %).
     */
    public record OutputChange(int pin, boolean pwm, double value) {}

    public SimBoard(String name) {
        this.name = name;
    }

    public SimBoard attachI2c(int bus, int address, SimI2cDevice device) {
        i2c.computeIfAbsent(bus, b -> new ConcurrentHashMap<>()).put(address, device);
        return this;
    }

    public SimBoard attachSpi(int bus, int chipSelect, SimSpiDevice device) {
        spi.computeIfAbsent(bus, b -> new ConcurrentHashMap<>()).put(chipSelect, device);
        return this;
    }

    public SimBoard attachOneWire(SimOneWireDevice device) {
        oneWire.put(device.romId(), device);
        return this;
    }

    /** Drives an input pin from outside (a PIR model, a reed switch); listeners see the edge. */
    public void drive(int pin, boolean high) {
        pin(pin).level(high);
    }

    /** The level an output pin was last set to by the appliance. */
    public boolean level(int pin) {
        return pin(pin).high;
    }

    /** The duty a PWM pin was last set to by the appliance, in percent (0 if it never was). */
    public double duty(int pin) {
        return duties.getOrDefault(pin, 0.0);
    }

    /** From now on setting this output pin fails with the reason given (fault injection). */
    public void breakOutput(int pin, String why) {
        broken.put(pin, why);
    }

    public void repairOutput(int pin) {
        broken.remove(pin);
    }

    private void check(int pin) throws BusException {
        String why = broken.get(pin);
        if (why != null) throw new BusException(BusException.Kind.IO, "GPIO " + pin + ": " + why);
    }

    /** Tells the listener each change the appliance makes to an output pin; close to stop. */
    public AutoCloseable onOutput(Consumer<OutputChange> listener) {
        outputListeners.add(listener);
        return () -> outputListeners.remove(listener);
    }

    @Override public String name() { return name; }

    @Override
    public I2cBus i2c(int bus) {
        String busName = "i2c-" + bus;
        return new I2cBus() {
            @Override public String name() { return busName; }

            private SimI2cDevice at(int address) throws BusException {
                SimI2cDevice d = i2c.getOrDefault(bus, Map.of()).get(address);
                if (d == null) {
                    throw new BusException(BusException.Kind.NACK,
                            "no device answers at 0x%02x on %s".formatted(address, busName));
                }
                return d;
            }

            @Override public void write(int address, byte[] data) throws BusException { at(address).write(data); }

            @Override public byte[] read(int address, int length) throws BusException { return at(address).read(length); }

            @Override
            public byte[] writeRead(int address, byte[] data, int readLength) throws BusException {
                SimI2cDevice d = at(address);
                synchronized (d) {
                    d.write(data);
                    return d.read(readLength);
                }
            }
        };
    }

    @Override
    public SpiBus spi(int bus) {
        String busName = "spi-" + bus;
        return new SpiBus() {
            @Override public String name() { return busName; }

            @Override
            public byte[] transfer(int chipSelect, byte[] out) throws BusException {
                SimSpiDevice d = spi.getOrDefault(bus, Map.of()).get(chipSelect);
                if (d == null) {
                    // nothing drives MISO: a real bus reads all ones
                    byte[] in = new byte[out.length];
                    java.util.Arrays.fill(in, (byte) 0xFF);
                    return in;
                }
                return d.transfer(out);
            }
        };
    }

    @Override
    public OneWireBus oneWire() {
        return new OneWireBus() {
            @Override public String name() { return "w1"; }

            @Override public List<String> slaves() { return new ArrayList<>(new java.util.TreeSet<>(oneWire.keySet())); }

            @Override
            public String readSlave(String romId) throws BusException {
                SimOneWireDevice d = oneWire.get(romId);
                if (d == null) {
                    throw new BusException(BusException.Kind.ABSENT, "no 1-Wire slave " + romId + " on w1");
                }
                return d.w1Slave();
            }
        };
    }

    @Override
    public DigitalInput digitalInput(int pinNumber, Pull pull) {
        Pin p = pin(pinNumber);
        if (pull == Pull.UP && !p.driven) {
            p.high = true;
        }
        return new DigitalInput() {
            @Override public int pin() { return pinNumber; }

            @Override public boolean isHigh() { return p.high; }

            @Override
            public AutoCloseable onEdge(Consumer<Edge> listener) {
                p.listeners.add(listener);
                return () -> p.listeners.remove(listener);
            }
        };
    }

    @Override
    public DigitalOutput digitalOutput(int pinNumber, boolean initial) {
        Pin p = pin(pinNumber);
        drive(p, initial);
        return new DigitalOutput() {
            @Override public int pin() { return pinNumber; }

            @Override
            public void set(boolean high) throws BusException {
                check(pinNumber);
                drive(p, high);
            }

            @Override public boolean isHigh() { return p.high; }
        };
    }

    /** Any pin may be PWM here; the frequency is not simulated (a world sees the duty). */
    @Override
    public PwmOutput pwm(int pinNumber, int frequencyHz) throws BusException {
        if (frequencyHz <= 0) throw new BusException(BusException.Kind.IO, "GPIO " + pinNumber + ": PWM frequency " + frequencyHz + " Hz is not one");
        setDuty(pinNumber, 0);
        return new PwmOutput() {
            @Override public int pin() { return pinNumber; }

            @Override
            public void duty(double percent) throws BusException {
                check(pinNumber);
                setDuty(pinNumber, Math.max(0, Math.min(100, percent)));
            }

            @Override public double duty() { return SimBoard.this.duty(pinNumber); }
        };
    }

    private void drive(Pin p, boolean high) {
        boolean changed = p.high != high;
        p.level(high);
        if (changed) tell(new OutputChange(p.number, false, high ? 1 : 0));
    }

    private void setDuty(int pin, double percent) {
        Double before = duties.put(pin, percent);
        if (before == null || before != percent) tell(new OutputChange(pin, true, percent));
    }

    private void tell(OutputChange change) {
        outputListeners.forEach(l -> l.accept(change));
    }

    @Override
    public void close() {}

    private Pin pin(int n) {
        return pins.computeIfAbsent(n, Pin::new);
    }

    private static final class Pin {
        final int number;
        volatile boolean high;
        volatile boolean driven;
        final List<Consumer<DigitalInput.Edge>> listeners = new CopyOnWriteArrayList<>();

        Pin(int number) { this.number = number; }

        void level(boolean newLevel) {
            driven = true;
            boolean changed = newLevel != high;
            high = newLevel;
            if (changed) {
                var edge = new DigitalInput.Edge(number, newLevel, System.nanoTime());
                listeners.forEach(l -> l.accept(edge));
            }
        }
    }
}
