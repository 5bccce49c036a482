package dev.lichen.sensors;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.bus.sim.SimOneWireDevice;
import dev.lichen.sensors.core.SensorFault;
import dev.lichen.sensors.ds18b20.Ds18b20;
import dev.lichen.sensors.ds18b20.Ds18b20Model;
import dev.lichen.sensors.ds18b20.RomId;
import org.junit.jupiter.api.Test;

class Ds18b20Test {
    final SimBoard board = new SimBoard("t");

    static SimOneWireDevice text(String rom, String w1) {
        return new SimOneWireDevice() {
            @Override public String romId() { return rom; }
            @Override public String w1Slave() { return w1; }
        };
    }

    @Test
    void datasheetTemperatureTable() {
        // DS18B20 datasheet table 1: temperature/data relationship (12-bit)
        int[][] table = {{0x07D0, 125_0000}, {0x0550, 85_0000}, {0x0191, 25_0625}, {0x00A2, 10_1250}, {0x0008, 5000},
                {0x0000, 0}, {0xFFF8, -5000}, {0xFF5E, -10_1250}, {0xFE6F, -25_0625}, {0xFC90, -55_0000}};
        for (int[] row : table) {
            assertEquals(row[1] / 10_000.0, Ds18b20.celsius(row[0], 3), 1e-9, "raw 0x%04x".formatted(row[0]));
        }
        // at 9 bits the three lowest bits are undefined: 25.0625 reads 25.0
        assertEquals(25.0, Ds18b20.celsius(0x0191, 0));
    }

    @Test
    void linuxW1ExampleIsParsedAndItsCrcCheckedHere() throws Exception {
        board.attachOneWire(text("28-0000075e3a1b",
                "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n"));
        var s = Ds18b20.start(board.oneWire(), null);
        assertEquals(23.125, s.celsius());
        assertEquals("Cel", s.sample(1).getFirst().unit());
    }

    @Test
    void modelPrintsTheDatasheetRawValues() throws Exception {
        var m = new Ds18b20Model(0x75e3a1bL);
        board.attachOneWire(m);
        var s = Ds18b20.start(board.oneWire(), m.rom());
        for (double t : new double[] {-55, -25.0625, -10.125, -0.5, 0, 0.5, 10.125, 25.0625, 4.5, 125}) {
            m.set(t);
            assertEquals(t, s.celsius(), 1e-9); // exact on the 1/16 grid; datasheet: +-0.5 degC
        }
        m.set(25.0625);
        assertTrue(m.w1Slave().startsWith("91 01 4b 46 7f ff "), m.w1Slave());
        m.set(-10.125);
        assertTrue(m.w1Slave().startsWith("5e ff "), m.w1Slave());
        assertTrue(m.w1Slave().contains("t=-10125"), m.w1Slave());
        m.set(21.3).resolutionBits(9);
        assertEquals(21.0, s.celsius(), 1e-9);
    }

    @Test
    void severalSensorsByRomId() throws Exception {
        var fridge = new Ds18b20Model(0x0000075e3a1bL).set(4.5);
        var freezer = new Ds18b20Model(0x0000075e9c02L).set(-18.25);
        board.attachOneWire(fridge).attachOneWire(freezer);
        assertEquals(4.5, Ds18b20.start(board.oneWire(), RomId.parse("28-0000075e3a1b")).celsius());
        assertEquals(-18.25, Ds18b20.start(board.oneWire(), RomId.parse("28-0000075e9c02")).celsius());
        var e = assertThrows(BusException.class, () -> Ds18b20.start(board.oneWire(), null));
        assertTrue(e.getMessage().contains("2 DS18B20") && e.getMessage().contains("romId"), e.getMessage());
        var absent = assertThrows(BusException.class, () -> Ds18b20.start(board.oneWire(), RomId.parse("28-000000000001")));
        assertEquals(BusException.Kind.ABSENT, absent.kind());
        assertTrue(absent.getMessage().contains("28-0000075e3a1b, 28-0000075e9c02") && absent.getMessage().contains("pin 7"), absent.getMessage());
    }

    @Test
    void kernelYesWithAWrongCrcIsStillRefused() throws Exception {
        board.attachOneWire(text("28-0000075e3a1b",
                "73 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n73 01 4b 46 7f ff 0e 10 57 t=23187\n"));
        var s = Ds18b20.start(board.oneWire(), null);
        var e = assertThrows(BusException.class, () -> s.sample(0));
        assertInstanceOf(SensorFault.CrcMismatch.class, e.getCause());
    }

    @Test
    void faultsOfTheModel() throws Exception {
        var m = new Ds18b20Model(0x1234L).set(20);
        board.attachOneWire(m);
        var s = Ds18b20.start(board.oneWire(), m.rom());
        m.faults().badCrc(true);
        assertTrue(m.w1Slave().contains(" NO\n"));
        assertInstanceOf(SensorFault.CrcMismatch.class, assertThrows(BusException.class, () -> s.sample(0)).getCause());
        m.faults().badCrc(false).nack(true);
        // a vanished sensor reads as zeros, whose CRC is 0: caught by the configuration byte
        assertTrue(m.w1Slave().startsWith("00 00 00 00 00 00 00 00 00 : crc=00 YES"));
        assertInstanceOf(SensorFault.InvalidRawValue.class, assertThrows(BusException.class, () -> s.sample(0)).getCause());
        m.faults().nack(false);
        m.powerOnReset();
        var e = assertThrows(BusException.class, () -> s.sample(0));
        assertTrue(e.getMessage().contains("power-on"), e.getMessage());
        board.attachOneWire(text("28-0000000000ff", "garbage"));
        var g = assertThrows(SensorFault.InvalidRawValue.class, () -> Ds18b20.start(board.oneWire(), RomId.parse("28-0000000000ff")).celsius());
        assertTrue(g.getMessage().contains("w1_therm"), g.getMessage());
    }

    @Test
    void noSensorAtAllNamesTheWiring() {
        var e = assertThrows(BusException.class, () -> Ds18b20.start(board.oneWire(), null));
        assertTrue(e.getMessage().contains("GPIO4 (pin 7)"), e.getMessage());
    }
}
