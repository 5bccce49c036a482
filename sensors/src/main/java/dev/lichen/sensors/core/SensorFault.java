package dev.lichen.sensors.core;

import dev.lichen.runtime.bus.BusException;
import java.io.IOException;

/**
 * The chip answered, but what it said is not a reading: a CRC that does not match, a raw value the
 * datasheet marks as invalid, a chip still warming up, an error bit in its status. Never published
 * as a number; {@link #asBusException()} carries it through {@code Sensor.sample}, which may only
 * throw BusException, with this fault as the cause.
 */
public abstract sealed class SensorFault extends IOException
        permits SensorFault.CrcMismatch, SensorFault.InvalidRawValue, SensorFault.NotReady,
                SensorFault.ChipStatus {

    SensorFault(String message) {
        super(message);
    }

    public BusException asBusException() {
        return new BusException(BusException.Kind.IO, getMessage(), this);
    }

    /** A CRC sent by the chip does not match the bytes it protects. */
    public static final class CrcMismatch extends SensorFault {
        public CrcMismatch(String message) { super(message); }
    }

    /** A raw value outside what the chip can measure, or a marker such as BME280's 0x80000 "skipped". */
    public static final class InvalidRawValue extends SensorFault {
        public InvalidRawValue(String message) { super(message); }
    }

    /** The chip has no valid reading yet (SGP30's 15 s warm-up, a conversion not finished). */
    public static final class NotReady extends SensorFault {
        public NotReady(String message) { super(message); }
    }

    /** The chip's status register reports an error (SHT31's "command not processed"...). */
    public static final class ChipStatus extends SensorFault {
        public ChipStatus(String message) { super(message); }
    }
}
