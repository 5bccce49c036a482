package dev.lichen.sim.board;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimI2cDevice;
import dev.lichen.runtime.bus.sim.SimOneWireDevice;
import dev.lichen.runtime.bus.sim.SimSpiDevice;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.sim.physics.Environment;
import dev.lichen.sim.physics.Home;
import java.util.function.Consumer;

/**
 * Sets a chip model's physical values from the home just before the driver talks to it, so that
 * the chip answers with the physics of the very moment of the read (and so the same seed gives
 * the same readings). Faults (stuck, noisy, NACK) are the chip model's own.
 */
final class Feed {
    private final Home home;
    private final String place;
    private final Clock clock;
    private final Consumer<Environment> model;

    Feed(Home home, String place, Clock simClock, Consumer<Environment> model) {
        this.home = home;
        this.place = place;
        this.clock = simClock;
        this.model = model;
    }

    void update() {
        model.accept(home.at(place, clock.epochMillis()));
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
