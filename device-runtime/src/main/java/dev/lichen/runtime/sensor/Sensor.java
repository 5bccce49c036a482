package dev.lichen.runtime.sensor;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.senml.Reading;
import java.util.List;

/** A started driver for one chip: what it measures and one sample of it. */
public interface Sensor extends AutoCloseable {
    /** Channel names with their SenML units, e.g. temperature/Cel. */
    List<Channel> channels();

    /** Reads every channel once; a failed read throws and publishes nothing. */
    List<Reading> sample(long timeMillis) throws BusException;

    /**
     * For event channels (motion, door): readings pushed on each debounced edge. Polled sensors
     * keep the default, which pushes nothing.
     */
    default AutoCloseable onEvent(java.util.function.Consumer<Reading> sink) {
        return () -> {};
    }

    /**
     * Sees every reading the device's other sensors produce, for chips that compensate with them
     * (an SGP30 corrects for absolute humidity from a temperature + humidity sensor). The appliance
     * calls it for each reading it samples; most sensors ignore it.
     */
    default void observe(Reading reading) {}

    @Override
    default void close() {}

    record Channel(String name, String unit) {}
}
