package dev.lichen.sensors.sgp30;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimI2cDevice;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.sensors.core.Crc8;
import dev.lichen.sensors.core.ModelFaults;
import dev.lichen.sensors.core.PendingReply;

/**
 * An SGP30 as its I2C commands show it: feature set and serial id, init_air_quality, measure_iaq
 * answering 400 ppm / 0 ppb until 15 s after init, set_humidity (its parameter's CRC checked,
 * NACKed if wrong), baselines; a read before a command's duration has passed is NACKed.
 */
public final class Sgp30Model implements SimI2cDevice {
    private final Clock clock;
    private final ModelFaults faults = new ModelFaults();
    private int co2 = 400, tvoc = 0;
    private int humidity; // 8.8 g/m3, 0 = off
    private long initNanos = Long.MIN_VALUE;
    private boolean initialised;
    private int baselineCo2 = 0x8973, baselineTvoc = 0x8aae;
    private final PendingReply reply = new PendingReply();

    public Sgp30Model(Clock clock) {
        this.clock = clock;
    }

    public ModelFaults faults() { return faults; }

    /** The air the chip sits in: eCO2 in ppm, TVOC in ppb. */
    public synchronized Sgp30Model set(int co2Ppm, int tvocPpb) {
        if (!faults.isStuck()) {
            co2 = Math.clamp(co2Ppm, 400, 60000);
            tvoc = Math.clamp(tvocPpb, 0, 60000);
        }
        return this;
    }

    /** The absolute humidity the driver last set, in g/m3 (0: compensation off). */
    public synchronized double absoluteHumidity() {
        return humidity / 256.0;
    }

    @Override
    public synchronized void write(byte[] data) throws BusException {
        faults.checkAnswering("sgp30");
        if (data.length < 2) {
            return;
        }
        int command = ((data[0] & 0xFF) << 8) | (data[1] & 0xFF);
        long now = clock.monotonicNanos();
        switch (command) {
            case Sgp30.CMD_INIT_AIR_QUALITY -> { initialised = true; initNanos = now; answer(now, 10, null); }
            case Sgp30.CMD_MEASURE_IAQ -> {
                boolean warm = initialised && now - initNanos >= Sgp30.WARM_UP_NANOS;
                int c = warm ? (int) Math.clamp(Math.round(faults.noisy(co2, 10)), 400, 60000) : 400;
                int t = warm ? (int) Math.clamp(Math.round(faults.noisy(tvoc, 5)), 0, 60000) : 0;
                answer(now, 12, new int[] {c, t});
            }
            case Sgp30.CMD_SET_HUMIDITY, Sgp30.CMD_SET_BASELINE -> {
                int words = command == Sgp30.CMD_SET_HUMIDITY ? 1 : 2;
                if (data.length != 2 + 3 * words) {
                    throw new BusException(BusException.Kind.NACK, "sgp30: parameter missing");
                }
                for (int i = 0; i < words; i++) {
                    if (Crc8.sensirion(data, 2 + 3 * i, 2) != (data[4 + 3 * i] & 0xFF)) {
                        throw new BusException(BusException.Kind.NACK, "sgp30: parameter CRC wrong (NACK)");
                    }
                }
                int w0 = ((data[2] & 0xFF) << 8) | (data[3] & 0xFF);
                if (words == 1) {
                    humidity = w0;
                } else {
                    baselineCo2 = w0;
                    baselineTvoc = ((data[5] & 0xFF) << 8) | (data[6] & 0xFF);
                }
                answer(now, 10, null);
            }
            case Sgp30.CMD_GET_BASELINE -> answer(now, 10, new int[] {baselineCo2, baselineTvoc});
            case Sgp30.CMD_FEATURE_SET -> answer(now, 10, new int[] {0x0022});
            case Sgp30.CMD_SERIAL_ID -> answer(now, 1, new int[] {0x0000, 0x0148, 0xB2F1});
            case 0x2032 -> answer(now, 220, new int[] {0xD400}); // measure_test: all good
            default -> throw new BusException(BusException.Kind.NACK, "sgp30: unknown command 0x%04x".formatted(command));
        }
    }

    private void answer(long now, int millis, int[] words) {
        long ready = now + millis * 1_000_000L;
        if (words == null) {
            reply.none(ready);
        } else {
            reply.words(ready, faults, words);
        }
    }

    @Override
    public synchronized byte[] read(int length) throws BusException {
        faults.checkAnswering("sgp30");
        return reply.take(length, clock.monotonicNanos(), "sgp30");
    }
}
