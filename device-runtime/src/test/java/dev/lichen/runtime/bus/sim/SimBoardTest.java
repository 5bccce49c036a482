package dev.lichen.runtime.bus.sim;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.DigitalInput;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimBoardTest {
    @Test
    void emptyAddressNacksAndNamesBusAndAddress() {
        var board = new SimBoard("t");
        var e = assertThrows(BusException.class, () -> board.i2c(1).read(0x76, 1));
        assertEquals(BusException.Kind.NACK, e.kind());
        assertTrue(e.getMessage().contains("0x76") && e.getMessage().contains("i2c-1"), e.getMessage());
    }

    @Test
    void registerReadReachesAttachedModel() throws Exception {
        var board = new SimBoard("t");
        board.attachI2c(1, 0x44, new SimI2cDevice() {
            int reg;
            @Override public void write(byte[] data) { reg = data[0]; }
            @Override public byte[] read(int n) { return new byte[] {(byte) (reg + 1)}; }
        });
        assertArrayEquals(new byte[] {0x11}, board.i2c(1).writeRead(0x44, new byte[] {0x10}, 1));
    }

    @Test
    void drivenPinRaisesEdgesOnlyOnChange() throws Exception {
        var board = new SimBoard("t");
        DigitalInput in = board.digitalInput(17, Board.Pull.DOWN);
        List<DigitalInput.Edge> edges = new ArrayList<>();
        in.onEdge(edges::add);
        board.drive(17, true);
        board.drive(17, true);
        board.drive(17, false);
        assertEquals(List.of(true, false), edges.stream().map(DigitalInput.Edge::high).toList());
        assertFalse(in.isHigh());
    }
}
