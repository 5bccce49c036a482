package dev.lichen.runtime.bus.pi4j;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.io.i2c.I2C;
import com.pi4j.io.pwm.Pwm;
import com.pi4j.io.pwm.PwmType;
import com.pi4j.io.spi.Spi;
import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.DigitalInput;
import dev.lichen.runtime.bus.DigitalOutput;
import dev.lichen.runtime.bus.I2cBus;
import dev.lichen.runtime.bus.OneWireBus;
import dev.lichen.runtime.bus.PwmOutput;
import dev.lichen.runtime.bus.SpiBus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A real board through Pi4J 3: I2C and SPI by Linux's device files, GPIO by gpiod (with edge
 * listeners), and 1-Wire through the kernel's w1 files under /sys/bus/w1/devices (Pi4J has no
 * 1-Wire; the kernel driver already does the bus timing and the CRC check).
 *
 * <p>Pi4J's own exceptions are unchecked; every call here turns them into a {@link BusException}
 * naming the bus and address or pin.
 */
public final class Pi4jBoard implements Board {
    public static final Path SYS_W1 = Path.of("/sys/bus/w1/devices");

    private final String name;
    private final Context pi4j;
    private final Path w1Root;
    private final Map<String, I2C> i2cDevices = new ConcurrentHashMap<>();
    private final Map<String, Spi> spiDevices = new ConcurrentHashMap<>();
    private final Map<Integer, Object> pins = new ConcurrentHashMap<>();

    /** A board with Pi4J's auto-detected platform and providers (gpiod, linuxfs). */
    public static Pi4jBoard open(String name) {
        return new Pi4jBoard(name, Pi4J.newAutoContext(), SYS_W1);
    }

    /** w1Root is where the kernel's w1 slave folders are (a temp dir in tests). */
    public Pi4jBoard(String name, Context pi4j, Path w1Root) {
        this.name = name;
        this.pi4j = pi4j;
        this.w1Root = w1Root;
    }

    @Override public String name() { return name; }

    @Override
    public I2cBus i2c(int bus) {
        String busName = "i2c-" + bus;
        return new I2cBus() {
            @Override public String name() { return busName; }

            @Override
            public void write(int address, byte[] data) throws BusException {
                I2C d = device(address);
                call(address, () -> d.write(data));
            }

            @Override
            public byte[] read(int address, int length) throws BusException {
                I2C d = device(address);
                byte[] in = new byte[length];
                call(address, () -> expect(d.read(in, 0, length), length));
                return in;
            }

            @Override
            public byte[] writeRead(int address, byte[] data, int readLength) throws BusException {
                I2C d = device(address);
                byte[] in = new byte[readLength];
                // Pi4J writes then reads while holding this device, so no other caller's bytes
                // come between the register address and its read
                call(address, () -> expect(d.writeRead(data, in), readLength));
                return in;
            }

            private I2C device(int address) throws BusException {
                String id = busName + "-0x%02x".formatted(address);
                try {
                    return i2cDevices.computeIfAbsent(id, k -> pi4j.create(
                            I2C.newConfigBuilder(pi4j).id(k).bus(bus).device(address).build()));
                } catch (RuntimeException e) {
                    throw new BusException(BusException.Kind.ABSENT, "cannot open %s for 0x%02x: %s"
                            .formatted(busName, address, e.getMessage()), e);
                }
            }

            private void call(int address, Op op) throws BusException {
                try {
                    op.run();
                } catch (RuntimeException e) {
                    throw translate(e, "0x%02x on %s".formatted(address, busName));
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
                String id = busName + "-cs" + chipSelect;
                try {
                    Spi spi = spiDevices.computeIfAbsent(id, k -> pi4j.create(
                            Spi.newConfigBuilder(pi4j).id(k).bus(bus).channel(chipSelect).baud(1_000_000).build()));
                    byte[] in = new byte[out.length];
                    // spidev moves every byte or fails the ioctl, which Pi4J throws
                    spi.transfer(out, in);
                    return in;
                } catch (RuntimeException e) {
                    throw translate(e, "chip select " + chipSelect + " on " + busName);
                }
            }
        };
    }

    @Override
    public OneWireBus oneWire() {
        return new OneWireBus() {
            @Override public String name() { return "w1"; }

            @Override
            public List<String> slaves() throws BusException {
                if (!Files.isDirectory(w1Root)) {
                    throw new BusException(BusException.Kind.ABSENT, "no 1-Wire bus: " + w1Root
                            + " is missing (enable dtoverlay=w1-gpio in config.txt)");
                }
                try (Stream<Path> s = Files.list(w1Root)) {
                    // bus masters show up here too ("w1_bus_master1"); slaves are family-serial
                    return s.map(p -> p.getFileName().toString())
                            .filter(n -> n.matches("[0-9a-f]{2}-[0-9a-f]{12}"))
                            .sorted()
                            .toList();
                } catch (IOException e) {
                    throw new BusException(BusException.Kind.IO, "cannot list " + w1Root + ": " + e.getMessage(), e);
                }
            }

            @Override
            public String readSlave(String romId) throws BusException {
                if (!romId.matches("[0-9a-f]{2}-[0-9a-f]{12}")) {
                    throw new BusException(BusException.Kind.ABSENT, "not a 1-Wire ROM id: " + romId);
                }
                Path file = w1Root.resolve(romId).resolve("w1_slave");
                try {
                    return Files.readString(file, StandardCharsets.US_ASCII);
                } catch (NoSuchFileException e) {
                    throw new BusException(BusException.Kind.ABSENT, "no 1-Wire slave " + romId + " on w1", e);
                } catch (IOException e) {
                    // the kernel answers a read with EIO when the slave stopped responding
                    throw new BusException(BusException.Kind.IO, "reading " + file + ": " + e.getMessage(), e);
                }
            }
        };
    }

    @Override
    public DigitalInput digitalInput(int pin, Pull pull) throws BusException {
        com.pi4j.io.gpio.digital.DigitalInput in;
        try {
            in = (com.pi4j.io.gpio.digital.DigitalInput) pins.computeIfAbsent(pin, p -> pi4j.create(
                    com.pi4j.io.gpio.digital.DigitalInput.newConfigBuilder(pi4j)
                            .id("gpio-in-" + p).address(p).pull(switch (pull) {
                                case UP -> PullResistance.PULL_UP;
                                case DOWN -> PullResistance.PULL_DOWN;
                                case NONE -> PullResistance.OFF;
                            }).build()));
        } catch (ClassCastException e) {
            throw new BusException(BusException.Kind.IO, "GPIO " + pin + " is already an output", e);
        } catch (RuntimeException e) {
            throw translate(e, "GPIO " + pin);
        }
        var input = in;
        return new DigitalInput() {
            @Override public int pin() { return pin; }

            @Override
            public boolean isHigh() throws BusException {
                try {
                    return input.state() == DigitalState.HIGH;
                } catch (RuntimeException e) {
                    throw translate(e, "GPIO " + pin);
                }
            }

            @Override
            public AutoCloseable onEdge(Consumer<Edge> listener) {
                DigitalStateChangeListener l = event -> {
                    DigitalState s = event.state();
                    if (s == DigitalState.HIGH || s == DigitalState.LOW) {
                        listener.accept(new Edge(pin, s == DigitalState.HIGH, System.nanoTime()));
                    }
                };
                input.addListener(l);
                return () -> input.removeListener(l);
            }
        };
    }

    @Override
    public DigitalOutput digitalOutput(int pin, boolean initial) throws BusException {
        com.pi4j.io.gpio.digital.DigitalOutput out;
        try {
            out = (com.pi4j.io.gpio.digital.DigitalOutput) pins.computeIfAbsent(pin, p -> pi4j.create(
                    com.pi4j.io.gpio.digital.DigitalOutput.newConfigBuilder(pi4j)
                            .id("gpio-out-" + p).address(p)
                            .initial(initial ? DigitalState.HIGH : DigitalState.LOW)
                            .shutdown(DigitalState.LOW).build()));
        } catch (ClassCastException e) {
            throw new BusException(BusException.Kind.IO, "GPIO " + pin + " is already an input", e);
        } catch (RuntimeException e) {
            throw translate(e, "GPIO " + pin);
        }
        var output = out;
        return new DigitalOutput() {
            @Override public int pin() { return pin; }

            @Override
            public void set(boolean high) throws BusException {
                try {
                    output.state(high ? DigitalState.HIGH : DigitalState.LOW);
                } catch (RuntimeException e) {
                    throw translate(e, "GPIO " + pin);
                }
            }

            @Override public boolean isHigh() { return output.isHigh(); }
        };
    }

    /**
     * The Pi's hardware-PWM pins and their PWM channel (BCM2835-BCM2711: two channels, each
     * routed to one of two pins by the pwm-2chan overlay). Pi4J's linuxfs PWM is addressed by
     * channel (/sys/class/pwm/pwmchip0/pwmN), not by pin.
     */
    private static final Map<Integer, Integer> PWM_CHANNELS = Map.of(12, 0, 18, 0, 13, 1, 19, 1);

    @Override
    public PwmOutput pwm(int pin, int frequencyHz) throws BusException {
        Integer channel = PWM_CHANNELS.get(pin);
        if (channel == null) {
            throw new BusException(BusException.Kind.ABSENT, "GPIO " + pin + " has no hardware PWM: use GPIO 12 or 18 (PWM channel 0), 13 or 19 (channel 1)");
        }
        for (var e : PWM_CHANNELS.entrySet()) {
            if (e.getKey() != pin && e.getValue().equals(channel) && pins.get(e.getKey()) instanceof Pwm) {
                throw new BusException(BusException.Kind.IO, "GPIO " + pin + ": PWM channel " + channel + " is already driving GPIO " + e.getKey());
            }
        }
        Pwm pwm;
        try {
            pwm = (Pwm) pins.computeIfAbsent(pin, p -> pi4j.create(Pwm.newConfigBuilder(pi4j)
                    .id("pwm-" + p).address(channel).pwmType(PwmType.HARDWARE)
                    .frequency(frequencyHz).initial(0).shutdown(0).build()));
        } catch (ClassCastException e) {
            throw new BusException(BusException.Kind.IO, "GPIO " + pin + " is already a digital input or output", e);
        } catch (RuntimeException e) {
            throw translate(e, "PWM channel " + channel + " (GPIO " + pin + "; config.txt needs dtoverlay=pwm-2chan with this pin)");
        }
        return new PwmOutput() {
            // Pi4J takes whole percents
            private volatile int duty;

            @Override public int pin() { return pin; }

            @Override
            public void duty(double percent) throws BusException {
                int d = (int) Math.round(Math.max(0, Math.min(100, percent)));
                try {
                    // Pi4J's on() with 0 % turns the channel off; off is the same 0 % on the pin
                    if (d == 0) {
                        pwm.setDutyCycle(0);
                        pwm.off();
                    } else {
                        pwm.on(d, frequencyHz);
                    }
                    duty = d;
                } catch (RuntimeException e) {
                    throw translate(e, "PWM channel " + channel + " (GPIO " + pin + ")");
                }
            }

            @Override public double duty() { return duty; }
        };
    }

    /** The Pi4J context underneath, for what device-runtime's interfaces do not offer. */
    public Context pi4jContext() { return pi4j; }

    @Override
    public void close() {
        pi4j.shutdown();
    }

    private interface Op {
        void run();
    }

    private static void expect(int got, int wanted) {
        if (got < wanted) throw new com.pi4j.io.exception.IOException("short transfer: " + got + " of " + wanted + " bytes");
    }

    /** Linux reports an unanswered I2C address as ENXIO or EREMOTEIO (121): that is a NACK. */
    private static BusException translate(RuntimeException e, String where) {
        String msg = String.valueOf(e.getMessage());
        boolean nack = msg.contains("Remote I/O") || msg.contains("No such device") || msg.matches("(?s).*\\b121\\b.*");
        boolean timeout = msg.contains("timed out");
        var kind = nack ? BusException.Kind.NACK : timeout ? BusException.Kind.TIMEOUT : BusException.Kind.IO;
        return new BusException(kind, (nack ? "no device answers at " : "bus error at ") + where + ": " + msg, e);
    }
}
