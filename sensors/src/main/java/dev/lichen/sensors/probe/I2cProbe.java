package dev.lichen.sensors.probe;

import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.I2cBus;
import dev.lichen.sensors.core.Crc8;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Scans I2C buses like i2cdetect -r (a one-byte read at each address 0x03..0x77), then asks the
 * chips Lichen knows to identify themselves at their possible addresses. Chips that NACK a bare
 * read (SHT31, SGP30 without a command) are tried with their harmless "read status/feature set"
 * command. Only read-type commands are sent, so probing changes no chip's settings.
 */
public final class I2cProbe {
    public record Found(String bus, int address, String chip, String detail) {
        @Override
        public String toString() {
            return "%s 0x%02x  %s%s".formatted(bus, address, chip, detail.isEmpty() ? "" : "  (" + detail + ")");
        }
    }

    private I2cProbe() {}

    public static List<Found> scan(Board board, List<Integer> buses, Consumer<String> progress) {
        List<Found> found = new ArrayList<>();
        for (int n : buses) {
            I2cBus bus;
            try {
                bus = board.i2c(n);
            } catch (BusException | RuntimeException e) {
                progress.accept("i2c-" + n + ": not available (" + e.getMessage() + ")");
                continue;
            }
            try {
                bus.read(0x03, 1);
            } catch (BusException e) {
                if (e.kind() == BusException.Kind.ABSENT) { // the bus itself, not a chip, is missing
                    progress.accept(bus.name() + ": not available (" + e.getMessage() + ")");
                    continue;
                }
            } catch (RuntimeException e) {
                progress.accept(bus.name() + ": not available (" + e.getMessage() + ")");
                continue;
            }
            progress.accept("scanning " + bus.name() + " (0x03..0x77)...");
            for (int address = 0x03; address <= 0x77; address++) {
                Found f = identify(bus, address);
                if (f != null) {
                    found.add(f);
                    progress.accept("  " + f);
                }
            }
        }
        return found;
    }

    static Found identify(I2cBus bus, int address) {
        String name = bus.name();
        boolean answers = answersRead(bus, address);
        switch (address) {
            case 0x76, 0x77 -> {
                Integer id = register(bus, address, 0xD0);
                if (id != null) {
                    String chip = switch (id) {
                        case 0x60 -> "bme280";
                        case 0x56, 0x57, 0x58 -> "bmp280";
                        case 0x61 -> "bme680";
                        default -> "unknown";
                    };
                    return new Found(name, address, chip, "chip id 0x%02x".formatted(id));
                }
            }
            case 0x44, 0x45 -> {
                Integer status = sensirionWord(bus, address, 0xF32D);
                if (status != null) {
                    return new Found(name, address, "sht31", "status 0x%04x".formatted(status));
                }
            }
            case 0x58 -> {
                Integer features = sensirionWord(bus, address, 0x202F);
                if (features != null) {
                    return new Found(name, address, (features >> 12) == 0 ? "sgp30" : "sgp4x", "feature set 0x%04x".formatted(features));
                }
            }
            case 0x48, 0x49, 0x4A, 0x4B -> {
                byte[] config = registers(bus, address, 0x01, 2);
                if (config != null) {
                    return new Found(name, address, "ads1115", "config register 0x%02x%02x; 0x8583 after power-up"
                            .formatted(config[0] & 0xFF, config[1] & 0xFF));
                }
            }
            case 0x23, 0x5C -> {
                if (answers) {
                    return new Found(name, address, "bh1750", "BH1750 address; it has no id register");
                }
            }
            default -> { }
        }
        return answers ? new Found(name, address, "unknown", "answers a read") : null;
    }

    private static boolean answersRead(I2cBus bus, int address) {
        try {
            bus.read(address, 1);
            return true;
        } catch (BusException | RuntimeException e) {
            return false;
        }
    }

    private static Integer register(I2cBus bus, int address, int register) {
        byte[] b = registers(bus, address, register, 1);
        return b == null ? null : b[0] & 0xFF;
    }

    private static byte[] registers(I2cBus bus, int address, int register, int length) {
        try {
            return bus.writeRead(address, new byte[] {(byte) register}, length);
        } catch (BusException | RuntimeException e) {
            return null;
        }
    }

    /** A Sensirion read command and its one CRC-checked word, after the command's 10 ms. */
    private static Integer sensirionWord(I2cBus bus, int address, int command) {
        try {
            bus.write(address, new byte[] {(byte) (command >> 8), (byte) command});
            Thread.sleep(11);
            byte[] d = bus.read(address, 3);
            return Crc8.sensirion(d, 0, 2) == (d[2] & 0xFF) ? ((d[0] & 0xFF) << 8) | (d[1] & 0xFF) : null;
        } catch (BusException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
