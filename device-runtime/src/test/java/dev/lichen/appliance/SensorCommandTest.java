package dev.lichen.appliance;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lichen sensor run} refuses a bad config with the reason, exit 2, and starts nothing. */
class SensorCommandTest {
    @TempDir Path dir;

    record Result(int exit, String err) {}

    Result run(String json, String... extra) throws Exception {
        Path file = dir.resolve("device.json");
        Files.writeString(file, json.replace("DATA", dir.resolve("data").toString()));
        StringWriter err = new StringWriter();
        var cli = new CommandLine(new SensorCommand()).setErr(new PrintWriter(err));
        String[] args = new String[3 + extra.length];
        args[0] = "run";
        args[1] = "--config";
        args[2] = file.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        int exit = cli.execute(args);
        assertFalse(Files.exists(dir.resolve("data")), "nothing was started: no data folder, no outbox");
        return new Result(exit, err.toString());
    }

    static final String GOOD = """
            {"deviceId": "den", "gateway": {"uplink": "mqtt", "host": "127.0.0.1", "port": 1},
             "board": "sim", "dataDir": "DATA",
             "sensors": [{"chip": "test-thermo", "address": "0x40", "channels": {"temperature": "1s"}}]}
            """;

    void assertRefused(Result r, String... mentions) {
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("lichen sensor: "), r.err());
        for (String m : mentions) assertTrue(r.err().contains(m), "'" + m + "' in: " + r.err());
    }

    @Test
    void corruptJson() throws Exception {
        assertRefused(run(GOOD.substring(0, GOOD.length() / 2)), "device.json", "not valid JSON at line");
    }

    @Test
    void unknownField() throws Exception {
        assertRefused(run(GOOD.replace("\"board\"", "\"color\": \"red\", \"board\"")), "unknown field 'color'");
    }

    @Test
    void badAddress() throws Exception {
        assertRefused(run(GOOD.replace("0x40", "0x80")), "sensors[0] (test-thermo).address: bad address \"0x80\"");
    }

    @Test
    void missingChannels() throws Exception {
        assertRefused(run(GOOD.replace(", \"channels\": {\"temperature\": \"1s\"}", "")), "sensors[0] (test-thermo).channels: missing");
    }

    @Test
    void unknownChipIsOneNoInstalledDriverOffers() throws Exception {
        assertRefused(run(GOOD.replace("test-thermo", "bme999")), "unknown chip 'bme999'", "test-motion, test-thermo");
    }

    @Test
    void arm64VirtRefusesAChipWithoutAModel() throws Exception {
        // QEMU's virt board reads chip models; this module's test chips have none
        assertRefused(run(GOOD.replace("\"sim\"", "\"arm64-virt\"")), "board arm64-virt has no model of chip test-thermo",
                "use a modelled chip");
    }

    @Test
    void missingFileAndUnknownBoard() throws Exception {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new SensorCommand()).setErr(new PrintWriter(err))
                .execute("run", "--config", dir.resolve("nope.json").toString());
        assertEquals(2, exit);
        assertTrue(err.toString().contains("no such file"), err.toString());
        assertRefused(run(GOOD, "--board", "rpi5"), "unknown board 'rpi5'");
    }
}
