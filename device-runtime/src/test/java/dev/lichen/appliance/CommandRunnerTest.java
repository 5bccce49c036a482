package dev.lichen.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.command.Command;
import dev.lichen.command.CommandAck;
import dev.lichen.command.CommandCodec;
import dev.lichen.command.OutputsAnnouncement;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.output.Output;
import dev.lichen.runtime.output.Outputs;
import dev.lichen.runtime.storage.FileKeyValueStore;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device's side of commands, on a simulated board with a key-value store on disk: what it
 * sets, what it reports (state readings and acknowledgements, in the outbox's order), and what it
 * refuses to do twice or at all.
 */
class CommandRunnerTest {
    static final List<DeviceConfig.OutputSpec> SPECS = List.of(
            new DeviceConfig.OutputSpec.SwitchSpec("light", 17, false, false),
            new DeviceConfig.OutputSpec.DimmerSpec("fan", 18, 1000, Duration.ZERO, 0));

    @TempDir
    Path dir;
    SimBoard board;
    List<Output> outputs;
    final List<Reading> sent = new CopyOnWriteArrayList<>();
    CommandRunner runner;

    @BeforeEach
    void start() throws Exception {
        boot();
    }

    /** A (re)boot: a fresh board and outputs in their safe state, the same key-value store. */
    void boot() throws Exception {
        if (runner != null) runner.close();
        board = new SimBoard("sim");
        outputs = Outputs.open(board, SPECS, Clock.SYSTEM);
        sent.clear();
        runner = new CommandRunner("hall", outputs, sent::add, Optional.of(new FileKeyValueStore(dir.resolve("state"))), Clock.SYSTEM).start();
    }

    @AfterEach
    void stop() {
        runner.close();
    }

    static String pack(String body) {
        return "[{\"bn\":\"urn:dev:lichen:hall:\"," + body.substring(2);
    }

    void offer(String pack) {
        runner.offer(pack.getBytes(StandardCharsets.UTF_8));
    }

    List<String> acks() {
        return sent.stream().filter(r -> r.channel().equals(CommandAck.CHANNEL)).map(r -> ((Value.Text) r.value()).value()).toList();
    }

    void awaitAcks(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (acks().size() < n) {
            if (System.nanoTime() > deadline) throw new AssertionError("expected " + n + " acknowledgements, got " + acks() + " of " + sent);
            Thread.sleep(5);
        }
    }

    /** Waits a while and checks nothing more was reported (what a device does not do takes no time to show). */
    void quietFor(long millis, Predicate<List<Reading>> still) throws InterruptedException {
        Thread.sleep(millis);
        assertTrue(still.test(sent), "reported: " + sent);
    }

    @Test
    void atBootItAnnouncesItsOutputsAndTheirSafeState() {
        assertEquals(OutputsAnnouncement.CHANNEL, sent.get(0).channel());
        assertEquals("light:switch fan:dimmer", ((Value.Text) sent.get(0).value()).value());
        assertEquals(new Value.Bool(false), sent.get(1).value());
        assertEquals(new Value.Number(0), sent.get(2).value());
        assertEquals("%", sent.get(2).unit());
    }

    @Test
    void commandsAreCarriedOutInOrderAndEachStateComesBeforeItsAcknowledgement() throws Exception {
        sent.clear();
        runner.offer(CommandCodec.encode("hall", List.of(
                new Command(new Command.CommandId("ep", 8), "fan", new Value.Number(40)),
                new Command(new Command.CommandId("ep", 7), "light", new Value.Bool(true)))));
        awaitAcks(2);
        assertEquals(List.of("light", "ack", "fan", "ack"), sent.stream().map(Reading::channel).toList(), "by id, the state first");
        assertEquals(List.of("ep-7 done", "ep-8 done"), acks());
        assertTrue(board.level(17));
        assertEquals(40.0, board.duty(18), 1e-9);
        assertEquals(new Value.Bool(true), sent.get(0).value());
        assertEquals(2, runner.applied());
    }

    @Test
    void aCommandIsCarriedOutOnceAcrossRepeatsAndRestartsAndAnOlderOneNeverAfterANewer() throws Exception {
        String on = pack("[{\"n\":\"light\",\"vb\":true,\"cid\":\"ep-5\"}]");
        offer(on);
        awaitAcks(1);
        offer(on); // the retained set again (a reconnect) while the first answer is on its way
        quietFor(200, s -> acks().size() == 1);

        boot(); // the device restarts: its outputs are back in their safe state, the store remembers
        assertFalse(board.level(17));
        offer(on);
        awaitAcks(1);
        assertEquals(List.of("ep-5 done"), acks(), "answered again, with the outcome it had");
        assertFalse(board.level(17), "not carried out a second time");

        offer(pack("[{\"n\":\"light\",\"vb\":false,\"cid\":\"ep-4\"}]"));
        quietFor(200, s -> acks().size() == 1);
        assertFalse(board.level(17));
        offer(pack("[{\"n\":\"light\",\"vb\":true,\"cid\":\"ep-6\"}]"));
        awaitAcks(2);
        assertTrue(board.level(17), "a newer one is");

        // another gateway database: its ids start again
        offer(pack("[{\"n\":\"light\",\"vb\":false,\"cid\":\"other-1\"}]"));
        awaitAcks(3);
        assertEquals("other-1 done", acks().get(2));
        assertFalse(board.level(17));
    }

    @Test
    void whatCannotBeCarriedOutIsRefusedWithItsReasonAndChangesNothing() throws Exception {
        sent.clear();
        offer(pack("[{\"n\":\"heater\",\"vb\":true,\"cid\":\"ep-1\"},{\"n\":\"light\",\"v\":1,\"cid\":\"ep-2\"},"
                + "{\"n\":\"fan\",\"v\":140,\"cid\":\"ep-3\"},{\"n\":\"fan\",\"vs\":\"max\",\"cid\":\"ep-4\"},"
                + "{\"n\":\"light\",\"vb\":true,\"vs\":\"x\",\"cid\":\"ep-5\"}]"));
        awaitAcks(5);
        List<String> acks = acks();
        assertTrue(acks.get(0).startsWith("ep-1 refused: no output 'heater' on this device (it has light, fan)"), acks.get(0));
        assertTrue(acks.get(1).startsWith("ep-2 refused: 'light' is a switch"), acks.get(1));
        assertTrue(acks.get(2).startsWith("ep-3 refused: level 140.0 is not within 0 to 100"), acks.get(2));
        assertTrue(acks.get(3).startsWith("ep-4 refused:"), acks.get(3));
        assertTrue(acks.get(4).startsWith("ep-5 refused: a command carries exactly one value"), acks.get(4));
        assertFalse(board.level(17));
        assertEquals(0.0, board.duty(18));
        assertEquals(0, runner.applied());
    }

    @Test
    void aPackThatIsNotForThisDeviceOrNotACommandPackIsCountedAndTheNextGoodOneStillWorks() throws Exception {
        sent.clear();
        offer("{not json");
        offer("[{\"bn\":\"urn:dev:lichen:kitchen:\",\"n\":\"light\",\"vb\":true,\"cid\":\"ep-1\"}]");
        offer("[{\"n\":\"light\",\"vb\":true}]");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (runner.badPacks() < 1 && System.nanoTime() < deadline) Thread.sleep(5);
        quietFor(200, List::isEmpty);
        assertFalse(board.level(17), "nothing was carried out");
        assertTrue(runner.badPacks() >= 1, "counted");
        offer("");
        offer(pack("[{\"n\":\"light\",\"vb\":true,\"cid\":\"ep-9\"}]"));
        awaitAcks(1);
        assertTrue(board.level(17));
    }

    @Test
    void aPinThatFailsFailsTheCommandNamesThePinAndLeavesTheOutputSafe() throws Exception {
        sent.clear();
        board.breakOutput(18, "no answer from the driver");
        offer(pack("[{\"n\":\"fan\",\"v\":60,\"cid\":\"ep-1\"}]"));
        awaitAcks(1);
        String ack = acks().getFirst();
        assertTrue(ack.startsWith("ep-1 failed: "), ack);
        assertTrue(ack.contains("GPIO 18"), ack);
        List<Reading> fan = new ArrayList<>(sent.stream().filter(r -> r.channel().equals("fan")).toList());
        assertEquals(new Value.Number(0), fan.getLast().value(), "it reports the state it is in: safe, 0 %");
        assertEquals(0.0, board.duty(18));
        board.repairOutput(18);
        offer(pack("[{\"n\":\"fan\",\"v\":60,\"cid\":\"ep-2\"}]"));
        awaitAcks(2);
        assertEquals("ep-2 done", acks().get(1));
        assertEquals(60.0, board.duty(18), 1e-9);
    }
}
