package dev.lichen.sensors.sim;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimI2cDevice;
import dev.lichen.runtime.bus.sim.SimOneWireDevice;
import dev.lichen.runtime.bus.sim.SimSpiDevice;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Sets a chip model's physical values from its surroundings just before the driver talks to it,
 * so that the chip answers with the conditions of the very moment of the read (the simulator's
 * home physics, or the fixed bench conditions of an arm64-virt image). Faults (stuck, noisy, NACK)
 * are the chip model's own.
 */
final class Feed {
    private final Supplier<Environment> surroundings;
    private final Consumer<Environment> model;

    Feed(Supplier<Environment> surroundings, Consumer<Environment> model) {
        this.surroundings = surroundings;
        this.model = model;
    }

    void update() {
        model.accept(surroundings.get());
    }

    SimI2cDevice i2c(SimI2cDevice chip) {
        return new SimI2cDevice() {
            @Override
            public void write(byte[] data) throws BusException {
                update();
                chip.write(data);
            }

            @Override
            public byte[] read(int length) throws BusException {
                update();
                return chip.read(length);
            }
        };
    }

    SimSpiDevice spi(SimSpiDevice chip) {
        return out -> {
            update();
            return chip.transfer(out);
        };
    }

    SimOneWireDevice oneWire(SimOneWireDevice chip) {
        return new SimOneWireDevice() {
            @Override public String romId() { return chip.romId(); }

            @Override
            public String w1Slave() throws BusException {
                update();
                return chip.w1Slave();
            }
        };
    }
}
