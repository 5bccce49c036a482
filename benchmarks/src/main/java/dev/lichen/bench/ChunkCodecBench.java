package dev.lichen.bench;

import dev.lichen.gateway.store.series.ChunkDecoder;
import dev.lichen.gateway.store.series.ChunkEncoder;
import dev.lichen.gateway.store.series.ChunkReading;
import dev.lichen.gateway.store.series.EncodedChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Encode and decode of one hour of a typical channel as one chunk: temperature at 0.01
 * resolution, a random walk of +-0.02 every 10 s, one boot, seq +3 a reading (the chunk the size
 * test holds to 4 bytes a reading). Scores are per reading.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChunkCodecBench {
    static final int READINGS = 360;

    List<ChunkReading> readings;
    byte[] blob;

    public static List<ChunkReading> temperatureHour() {
        Random rnd = new Random(1);
        List<ChunkReading> rs = new ArrayList<>(READINGS);
        long units = 2137, seq = 40_213;
        for (int i = 0; i < READINGS; i++, seq += 3, units += rnd.nextInt(5) - 2)
            rs.add(ChunkReading.number(1_764_170_314_000L + i * 10_000L, 1_234, seq, units / 100.0));
        return rs;
    }

    @Setup
    public void setup() {
        readings = temperatureHour();
        blob = ChunkEncoder.encode(readings).blob();
    }

    @Benchmark
    @OperationsPerInvocation(READINGS)
    public EncodedChunk encode() {
        return ChunkEncoder.encode(readings);
    }

    @Benchmark
    @OperationsPerInvocation(READINGS)
    public List<ChunkReading> decode() {
        return ChunkDecoder.decode(blob);
    }
}
