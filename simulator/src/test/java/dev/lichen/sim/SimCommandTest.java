package dev.lichen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.sim.cli.SimCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** An invalid scenario on the command line: the fields and problems are named and nothing starts. */
class SimCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String err) {}

    private Run sim(String... args) {
        PrintStream old = System.err;
        var err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            return new Run(new CommandLine(new SimCommand()).execute(args), err.toString());
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void invalidScenarioNamesEveryProblemAndStartsNothing() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, """
                {"seed": 1, "speed": 60,
                 "rooms": [{"name": "kitchen", "motion": {"perHour": -3}, "colour": "blue"}]}
                """);
        Path data = dir.resolve("data");
        Run r = sim("run", "--scenario", bad.toString(), "--data", data.toString(), "--coap-port", "0", "--mqtt-port", "0",
                "--http-port", "0");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("rooms[0].colour: unknown field \"colour\""), r.err());
        assertTrue(r.err().contains("nothing was started"), r.err());
        assertFalse(Files.exists(data), "no data folder, no gateway, no device");

        Files.writeString(bad, """
                {"seed": 1, "rooms": [{"name": "kitchen", "motion": {"perHour": -3}}],
                 "devices": [{"place": "kitchen", "config": {"deviceId": "k1", "sensors": [
                   {"chip": "bme281", "bus": 1, "address": "0x76", "channels": {"temperature": "10s"}}]}}]}
                """);
        r = sim("run", "--scenario", bad.toString(), "--data", data.toString(), "--fault", "type=udp,at=1m,for=5m,loss=2");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("rooms[0].motion.perHour: must not be negative (got -3.0)"), r.err());
        assertTrue(r.err().contains("devices[0].config.sensors[0].chip: unknown chip \"bme281\""), r.err());
        assertTrue(r.err().contains("--fault[0].loss: must be at most 1.0 (got 2.0)"), r.err());
        assertFalse(Files.exists(data));

        r = sim("validate", "--scenario", bad.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown chip \"bme281\""), r.err());
    }

    @Test
    void theDemoHomeIsAValidScenario() {
        var out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true));
        try {
            Path home = Path.of("src/main/resources/dev/lichen/sim/demo/home.json");
            assertEquals(0, new CommandLine(new SimCommand()).execute("validate", "--scenario", home.toString()));
        } finally {
            System.setOut(old);
        }
        assertTrue(out.toString().contains("4 rooms, 4 plants, 1 fridges, 1 doors, 13 devices, 3 outputs"), out.toString());
    }
}
