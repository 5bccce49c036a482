package dev.lichen.sensors;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import dev.lichen.sensors.core.Units;
import dev.lichen.sensors.gpio.EdgeSensor;
import dev.lichen.sensors.gpio.PirModel;
import dev.lichen.sensors.gpio.ReedSwitchModel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GpioTest {
    final SimBoard board = new SimBoard("t");

    static boolean value(Reading r) {
        return ((Value.Bool) r.value()).value();
    }

    @Test
    void pirEdgesBecomeMotionEventsImmediatelyWithoutDebounce() throws Exception {
        var pir = new PirModel(board, 17);
        var sensor = new EdgeSensor(Units.MOTION, board.digitalInput(17, Board.Pull.DOWN), true, Duration.ZERO, Clock.SYSTEM);
        var events = new LinkedBlockingQueue<Reading>();
        sensor.onEvent(events::add);
        pir.motion(true);
        pir.motion(false);
        pir.motion(true);
        assertEquals(List.of(true, false, true), events.stream().map(GpioTest::value).toList());
        assertEquals("motion", events.peek().channel());
        assertTrue(value(sensor.sample(0).getFirst()));
        sensor.close();
        pir.motion(false);
        assertEquals(3, events.size(), "no events after close");
    }

    @Test
    void reedBounceIsDebouncedToOneDoorEventPerMove() throws Exception {
        var door = new ReedSwitchModel(board, 27);
        var sensor = new EdgeSensor(Units.DOOR, board.digitalInput(27, Board.Pull.UP), true, Duration.ofMillis(20), Clock.SYSTEM);
        var events = new LinkedBlockingQueue<Reading>();
        sensor.onEvent(events::add);
        assertFalse(value(sensor.sample(0).getFirst()), "door shut: magnet closes the switch, pin low");
        door.doorOpen(true, 5);
        Reading open = events.poll(2, TimeUnit.SECONDS);
        assertNotNull(open);
        assertTrue(value(open));
        assertEquals("door", open.channel());
        door.doorOpen(false, 7);
        Reading shut = events.poll(2, TimeUnit.SECONDS);
        assertNotNull(shut);
        assertFalse(value(shut));
        assertNull(events.poll(60, TimeUnit.MILLISECONDS), "bounces produced no more events");
        // a blip shorter than the debounce that ends where it started publishes nothing
        door.doorOpen(true);
        door.doorOpen(false);
        assertNull(events.poll(80, TimeUnit.MILLISECONDS));
        sensor.close();
    }

    @Test
    void reedWiredTo3v3WithPullDownReadsOpenWhenLow() throws Exception {
        var factory = new dev.lichen.sensors.factory.LichenSensorFactory();
        var sensor = factory.start("reed", board, java.util.Map.of("pin", 6, "pull", "down", "settings", java.util.Map.of("debounceMs", 0)));
        board.drive(6, true); // switch closed to 3V3: door shut
        assertFalse(value(sensor.sample(0).getFirst()));
        board.drive(6, false);
        assertTrue(value(sensor.sample(0).getFirst()), "door open");
    }

    @Test
    void stuckContactSendsNothing() throws Exception {
        var pir = new PirModel(board, 22);
        var sensor = new EdgeSensor(Units.MOTION, board.digitalInput(22, Board.Pull.DOWN), true, Duration.ZERO, Clock.SYSTEM);
        var events = new LinkedBlockingQueue<Reading>();
        sensor.onEvent(events::add);
        pir.faults().stuck(true);
        pir.motion(true);
        assertTrue(events.isEmpty());
    }
}
