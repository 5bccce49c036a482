package dev.lichen.bench;

import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlException;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.senml.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * SenML encode/decode cost per record, on packs of 10 readings as a BME280 node sends them
 * (temperature, humidity, pressure every 10 s). Scores are per record.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SenmlBench {
    static final int RECORDS = 10;

    @Param({"JSON", "CBOR"})
    public SenmlFormat format;

    final SenmlCodec codec = new SenmlCodec();
    Batch batch;
    byte[] pack;

    /** The realistic pack BENCHMARKS.md quotes sizes for. */
    public static Batch climatePack() {
        String[] channel = {"temperature", "humidity", "pressure"};
        String[] unit = {"Cel", "%RH", "Pa"};
        double[] value = {21.53, 46387 / 1024.0, 25939264 / 256.0}; // BME280 integer compensation steps
        List<Reading> rs = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++)
            rs.add(new Reading(channel[i % 3], unit[i % 3], new Value.Number(value[i % 3] + (i / 3) * 0.01),
                    1_764_170_314_000L + (i / 3) * 10_000L));
        return new Batch("kitchen-climate", "17", 40_213, rs);
    }

    @Setup
    public void setup() {
        batch = climatePack();
        pack = codec.encode(batch, format);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public byte[] encode() {
        return codec.encode(batch, format);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public Batch decodeBatch() throws SenmlException {
        return codec.decodeBatch(pack, format);
    }
}
