package dev.lichen.appliance;

import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.DigitalInput;
import dev.lichen.runtime.bus.I2cBus;
import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.runtime.sensor.SensorFactory;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Test-only drivers, registered through META-INF/services in test resources: "test-thermo" reads
 * a {@link ThermoModel} over I2C; "test-motion" turns a GPIO's edges into motion events.
 */
public final class TestSensorFactory implements SensorFactory {
    /** What the motion sensors were shown of the other sensors' readings (Sensor.observe). */
    public static final java.util.Queue<Reading> OBSERVED_BY_MOTION = new java.util.concurrent.ConcurrentLinkedQueue<>();

    @Override
    public Set<String> chips() {
        return Set.of("test-thermo", "test-motion");
    }

    @Override
    public Sensor start(String chip, Board board, Map<String, Object> placement) throws BusException {
        return switch (chip) {
            case "test-thermo" -> thermo(board.i2c((Integer) placement.getOrDefault("bus", 1)), (Integer) placement.get("address"));
            case "test-motion" -> motion(board.digitalInput((Integer) placement.get("pin"), Board.Pull.DOWN));
            default -> throw new IllegalArgumentException(chip);
        };
    }

    private static Sensor thermo(I2cBus bus, int address) throws BusException {
        byte[] id = bus.writeRead(address, new byte[] {(byte) 0xD0}, 1);
        if ((id[0] & 0xFF) != ThermoModel.ID) {
            throw new BusException(BusException.Kind.ABSENT, "no test-thermo at 0x%02x on %s".formatted(address, bus.name()));
        }
        return new Sensor() {
            @Override
            public List<Channel> channels() {
                return List.of(new Channel("temperature", "Cel"), new Channel("humidity", "%RH"));
            }

            @Override
            public List<Reading> sample(long time) throws BusException {
                byte[] b = bus.writeRead(address, new byte[] {0x01}, 4);
                double t = (short) (((b[0] & 0xFF) << 8) | (b[1] & 0xFF)) / 100.0;
                double h = (((b[2] & 0xFF) << 8) | (b[3] & 0xFF)) / 100.0;
                return List.of(new Reading("temperature", "Cel", new Value.Number(t), time),
                        new Reading("humidity", "%RH", new Value.Number(h), time));
            }
        };
    }

    private static Sensor motion(DigitalInput pin) {
        return new Sensor() {
            @Override
            public List<Channel> channels() {
                return List.of(new Channel("motion", null));
            }

            @Override
            public List<Reading> sample(long time) throws BusException {
                return List.of(new Reading("motion", null, new Value.Bool(pin.isHigh()), time));
            }

            @Override
            public void observe(Reading reading) {
                OBSERVED_BY_MOTION.add(reading);
            }

            @Override
            public AutoCloseable onEvent(Consumer<Reading> sink) {
                return pin.onEdge(e -> sink.accept(new Reading("motion", null, new Value.Bool(e.high()), System.currentTimeMillis())));
            }
        };
    }
}
