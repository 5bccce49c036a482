package dev.lichen.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.testing.Api;
import dev.lichen.gateway.testing.GatewayProcess;
import dev.lichen.runtime.uplink.CoapUplink;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.senml.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bytes the gateway writes to storage, as /metrics shows them: SD-card wear as a figure. */
class ProcessIoTest {
    @TempDir
    Path dir;

    @Test
    void readsWriteBytesAndKnowsWhenTheKernelKeepsNone() throws Exception {
        Path io = dir.resolve("io");
        Files.writeString(io, "rchar: 6976\nwchar: 10\nsyscr: 10\nsyscw: 1\nread_bytes: 0\nwrite_bytes: 1234567\ncancelled_write_bytes: 0\n");
        assertEquals(1234567, new ProcessIo(io).writeBytes());
        assertEquals(-1, new ProcessIo(dir.resolve("absent")).writeBytes());
        Files.writeString(io, "rchar: 1\n");
        assertEquals(-1, new ProcessIo(io).writeBytes());
    }

    /** A gateway process: what it stored shows as bytes written, at least what its data folder grew by. */
    @Test
    void theGatewaysMetricsCountWhatStoringReadingsWrote() throws Exception {
        int[] tcp = GatewayProcess.freeTcpPorts(2);
        int coap = GatewayProcess.freeUdpPort();
        Path data = dir.resolve("data");
        try (var gw = GatewayProcess.start(dir.resolve("gw.log"), List.of("--data", data.toString(),
                "--bind", "127.0.0.1", "--coap-port", "" + coap, "--mqtt-port", "" + tcp[0], "--http-port", "" + tcp[1], "--plain-http"))) {
            Api api = new Api("http://127.0.0.1:" + tcp[1]);
            api.setup("admin", "correct horse battery");
            Api.Session admin = api.login("admin", "correct horse battery");
            long before = written(admin);
            long folderBefore = size(data);
            assertTrue(before > 0, "the start wrote the database");

            var uplink = new CoapUplink("127.0.0.1", coap, Optional.empty(), new CoapUplink.Options(SenmlFormat.CBOR, Duration.ofSeconds(1), 3, 512));
            try {
                long t0 = System.currentTimeMillis() - 3_600_000;
                for (int pack = 0; pack < 400; pack++) {
                    List<Reading> rs = new ArrayList<>();
                    for (int i = 0; i < 5; i++) rs.add(new Reading("temperature", "Cel", new Value.Number(20 + (pack * 5 + i) % 100 / 100.0),
                            t0 + (pack * 5 + i) * 1000L));
                    uplink.deliver(new Batch("wear", "boot-1", pack * 5L, rs)); // acknowledged: in the journal, fsynced
                }
            } finally {
                uplink.close();
            }
            long grew = size(data) - folderBefore;
            long after = written(admin);
            assertTrue(grew > 0, "the data folder grew");
            assertTrue(after - before >= grew, "written " + (after - before) + " bytes, the folder grew " + grew);
            System.out.printf("2,000 readings: %,d bytes written (%.0f per reading), data folder +%,d bytes%n",
                    after - before, (after - before) / 2000.0, grew);
        }
    }

    private static long written(Api.Session s) {
        var r = s.send("GET", "/metrics", null);
        assertEquals(200, r.statusCode(), r.body());
        var m = Pattern.compile("(?m)^lichen_process_write_bytes (\\S+)$").matcher(r.body());
        assertTrue(m.find(), "lichen_process_write_bytes in /metrics:\n" + r.body());
        return (long) Double.parseDouble(m.group(1));
    }

    private static long size(Path folder) throws Exception {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
