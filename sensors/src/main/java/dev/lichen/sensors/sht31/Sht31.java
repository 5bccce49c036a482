package dev.lichen.sensors.sht31;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.sensor.Sensor;
import dev.lichen.senml.Reading;
import dev.lichen.sensors.core.I2cChip;
import dev.lichen.sensors.core.SensirionWords;
import dev.lichen.sensors.core.SensorFault;
import dev.lichen.sensors.core.Units;
import dev.lichen.sensors.core.Waits;
import java.util.List;

/**
 * Sensirion SHT31 over I2C: single-shot measurements with clock stretching disabled (the Pi's I2C
 * controller handles stretching badly), so the driver waits the measurement's maximum duration and
 * the chip NACKs a read that comes too early.
 */
public final class Sht31 implements Sensor {
    static final int CMD_SOFT_RESET = 0x30A2, CMD_READ_STATUS = 0xF32D, CMD_CLEAR_STATUS = 0x3041;
    static final int CMD_HEATER_ON = 0x306D, CMD_HEATER_OFF = 0x3066;
    static final int STATUS_COMMAND_FAILED = 1 << 1, STATUS_WRITE_CRC_FAILED = 1 << 0;

    /** Single shot, clock stretching disabled: command and maximum duration (datasheet table 4). */
    public enum Repeatability {
        HIGH(0x2400, 15_500), MEDIUM(0x240B, 6_500), LOW(0x2416, 4_500);

        final int command;
        final long maxMicros;

        Repeatability(int command, long maxMicros) {
            this.command = command;
            this.maxMicros = maxMicros;
        }
    }

    private final I2cChip chip;
    private final Clock clock;
    private final Repeatability repeatability;

    private Sht31(I2cChip chip, Clock clock, Repeatability repeatability) {
        this.chip = chip;
        this.clock = clock;
        this.repeatability = repeatability;
    }

    /** Resets the chip, checks its status register (with CRC) and clears it. */
    public static Sht31 start(I2cChip chip, Clock clock, Repeatability repeatability) throws BusException {
        try {
            chip.command16(CMD_SOFT_RESET);
        } catch (BusException e) {
            throw chip.absent(e, "0x44 with ADDR to GND, 0x45 with ADDR to VDD");
        }
        Waits.sleepMicros(clock, 1500, chip.where()); // soft reset time, datasheet: 1.5 ms max
        Sht31 sensor = new Sht31(chip, clock, repeatability);
        try {
            sensor.status();
            chip.command16(CMD_CLEAR_STATUS);
        } catch (SensorFault f) {
            throw f.asBusException();
        }
        return sensor;
    }

    /** The 16-bit status register (alert, heater, reset detected, command and checksum status). */
    public int status() throws BusException, SensorFault {
        chip.command16(CMD_READ_STATUS);
        int status = SensirionWords.decode(chip.read(3), chip.where() + " status")[0];
        if ((status & (STATUS_COMMAND_FAILED | STATUS_WRITE_CRC_FAILED)) != 0) {
            throw new SensorFault.ChipStatus("%s: status 0x%04x: %s".formatted(chip.where(), status,
                    (status & STATUS_COMMAND_FAILED) != 0 ? "last command not processed" : "checksum of last write was wrong"));
        }
        return status;
    }

    public void heater(boolean on) throws BusException {
        chip.command16(on ? CMD_HEATER_ON : CMD_HEATER_OFF);
    }

    @Override
    public List<Channel> channels() {
        return List.of(Units.TEMPERATURE, Units.HUMIDITY);
    }

    public record Measurement(double celsius, double relativeHumidity) {}

    public synchronized Measurement measure() throws BusException, SensorFault {
        chip.command16(repeatability.command);
        Waits.sleepMicros(clock, repeatability.maxMicros, chip.where());
        byte[] data = null;
        for (int attempt = 0; data == null; attempt++) {
            try {
                data = chip.read(6);
            } catch (BusException e) {
                // without clock stretching the chip NACKs until its result is ready
                if (e.kind() != BusException.Kind.NACK) {
                    throw e;
                }
                if (attempt >= 3) {
                    status(); // names a failed command if the chip recorded one
                    throw new BusException(BusException.Kind.TIMEOUT,
                            chip.where() + ": no measurement result after " + (attempt + 1) + " reads", e);
                }
                Waits.sleepMicros(clock, 2000, chip.where());
            }
        }
        int[] words = SensirionWords.decode(data, chip.where());
        // datasheet 4.13: T = -45 + 175 * St / (2^16 - 1), RH = 100 * Srh / (2^16 - 1)
        double celsius = -45 + 175.0 * words[0] / 65535.0;
        double rh = 100.0 * words[1] / 65535.0;
        if (celsius > 126) { // the formula reaches 130 degC; the chip's range ends at 125 (+-1 accuracy there)
            throw new SensorFault.InvalidRawValue("%s: raw temperature 0x%04x (%.1f degC) is beyond the chip's range"
                    .formatted(chip.where(), words[0], celsius));
        }
        return new Measurement(celsius, rh);
    }

    @Override
    public List<Reading> sample(long timeMillis) throws BusException {
        try {
            Measurement m = measure();
            return List.of(Units.number(Units.TEMPERATURE, m.celsius(), timeMillis),
                    Units.number(Units.HUMIDITY, m.relativeHumidity(), timeMillis));
        } catch (SensorFault f) {
            throw f.asBusException();
        }
    }
}
