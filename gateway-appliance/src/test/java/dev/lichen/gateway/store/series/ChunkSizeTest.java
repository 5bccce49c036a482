package dev.lichen.gateway.store.series;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Bytes per reading of typical channels, the whole blob (header and CRC) included. */
class ChunkSizeTest {
    static final int READINGS = 360; // an hour at one reading every 10 s

    /** Temperature at 0.01 resolution, a random walk of +-0.02 every 10 s, one boot, seq +3 a reading. */
    static List<ChunkReading> temperatureHour(long seed) {
        return walk(new Random(seed), 2137, 2, 100.0, 10_000, 0);
    }

    /** Relative humidity at 0.1 resolution, noisier: a random walk of +-0.3 every 10 s. */
    static List<ChunkReading> humidityHour(long seed) {
        return walk(new Random(seed + 100), 453, 3, 10.0, 10_000, 0);
    }

    private static List<ChunkReading> walk(Random rnd, long units, int step, double per, long every, int jitter) {
        List<ChunkReading> rs = new ArrayList<>(READINGS);
        long t = 1_764_170_314_000L, seq = 40_213;
        for (int i = 0; i < READINGS; i++) {
            long at = t + (jitter == 0 ? 0 : rnd.nextInt(2 * jitter + 1) - jitter);
            rs.add(ChunkReading.number(at, 1_234, seq, units / per)); // as parsed from SenML "21.37"
            t += every;
            seq += 3;
            units += rnd.nextInt(2 * step + 1) - step;
        }
        return rs;
    }

    private static double bytesPerReading(String name, List<ChunkReading> rs) {
        EncodedChunk c = ChunkEncoder.encode(rs);
        assertEquals(rs, ChunkDecoder.decode(c.blob()));
        double per = (double) c.blob().length / rs.size();
        System.out.printf("chunk size: %s: %d readings in %d bytes, %.3f bytes/reading%n", name, rs.size(), c.blob().length, per);
        return per;
    }

    @Test
    void aTemperatureHourTakesAtMostFourBytesAReading() {
        for (long seed = 1; seed <= 5; seed++) {
            double per = bytesPerReading("temperature 0.01, +-0.02 / 10 s (seed " + seed + ")", temperatureHour(seed));
            assertTrue(per <= 4.0, per + " bytes/reading");
        }
    }

    @Test
    void aHumidityHourTakesAtMostFourBytesAReading() {
        for (long seed = 1; seed <= 5; seed++) {
            double per = bytesPerReading("humidity 0.1, +-0.3 / 10 s (seed " + seed + ")", humidityHour(seed));
            assertTrue(per <= 4.0, per + " bytes/reading");
        }
    }

    /** Not the target's case, printed so the figures are known: device clocks jitter, and XOR is the fallback. */
    @Test
    void lessFriendlyChannels() {
        Random rnd = new Random(7);
        double jittered = bytesPerReading("temperature, times jittered +-20 ms", walk(rnd, 2137, 2, 100.0, 10_000, 20));
        assertTrue(jittered <= 4.0, jittered + " bytes/reading");

        List<ChunkReading> binary = new ArrayList<>();
        long h = 46_387; // BME280 humidity in 1/1024 %RH: exact in binary, 10 decimals, so XOR
        for (int i = 0; i < READINGS; i++, h += rnd.nextInt(21) - 10)
            binary.add(ChunkReading.number(1_764_170_314_000L + i * 10_000L, 1_234, i * 3L, h / 1024.0));
        bytesPerReading("humidity in 1/1024 steps (XOR)", binary);

        List<ChunkReading> door = new ArrayList<>();
        for (int i = 0; i < READINGS; i++)
            door.add(ChunkReading.text(1_764_170_314_000L + i * 10_000L, 1_234, i, i % 90 < 80 ? "closed" : "open"));
        double texts = bytesPerReading("door state texts", door);
        assertTrue(texts <= 1.0, texts + " bytes/reading");
    }

    /** An energy counter rising 0.125 kWh every 10 s: delta-of-delta zeros, a bit a value. */
    @Test
    void aCounterTakesLittleMoreThanThreeBitsAReading() {
        List<ChunkReading> rs = new ArrayList<>();
        for (int i = 0; i < READINGS; i++)
            rs.add(ChunkReading.number(1_764_170_314_000L + i * 10_000L, 1_234, i, 1_000 + i * 0.125));
        double per = bytesPerReading("counter +0.125 / 10 s", rs);
        assertTrue(per <= 0.5, per + " bytes/reading");
    }
}
