package dev.lichen.sensors;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.sensors.core.Crc8;
import dev.lichen.sensors.core.SensirionWords;
import dev.lichen.sensors.core.SensorFault;
import dev.lichen.sensors.ds18b20.RomId;
import org.junit.jupiter.api.Test;

class CrcTest {
    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    @Test
    void sensirionDatasheetExampleBeefGives92() {
        // SHT3x datasheet 4.12 and SGP30 datasheet 6.6: CRC(0xBEEF) = 0x92
        assertEquals(0x92, Crc8.sensirion(bytes(0xBE, 0xEF), 0, 2));
        assertArrayEquals(bytes(0xBE, 0xEF, 0x92), SensirionWords.encode(0xBEEF));
    }

    @Test
    void sensirionWordWithWrongCrcIsRefusedNamingTheWord() {
        var e = assertThrows(SensorFault.CrcMismatch.class,
                () -> SensirionWords.decode(bytes(0x01, 0x02, 0x17, 0xBE, 0xEF, 0x93), "test chip"));
        assertTrue(e.getMessage().contains("word 0") || e.getMessage().contains("word 1"), e.getMessage());
        assertEquals(0xBEEF, assertDoesNotThrow(() -> SensirionWords.decode(bytes(0xBE, 0xEF, 0x92), "x"))[0]);
    }

    @Test
    void maximCrcOfTheLinuxW1ExampleScratchpad() {
        // "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES": bytes 0..7 give 0x57
        assertEquals(0x57, Crc8.maxim(bytes(0x72, 0x01, 0x4b, 0x46, 0x7f, 0xff, 0x0e, 0x10), 0, 8));
        // a CRC over the data plus its own CRC is 0
        assertEquals(0, Crc8.maxim(bytes(0x72, 0x01, 0x4b, 0x46, 0x7f, 0xff, 0x0e, 0x10, 0x57), 0, 9));
    }

    @Test
    void maximAn27RomExample() {
        // Maxim AN27: family 02h, serial 00000001B81Ch, CRC A2h
        var rom = new RomId(0x02, 0x00000001B81CL);
        assertArrayEquals(bytes(0x02, 0x1C, 0xB8, 0x01, 0x00, 0x00, 0x00, 0xA2), rom.bytes());
        assertTrue(RomId.crcValid(rom.bytes()));
        byte[] flipped = rom.bytes();
        flipped[3] ^= 1;
        assertFalse(RomId.crcValid(flipped));
    }

    @Test
    void romIdParsesAndPrintsLinuxNames() {
        var rom = RomId.parse("28-0000075e3a1b");
        assertEquals(0x28, rom.family());
        assertEquals(0x75e3a1bL, rom.serial());
        assertEquals("28-0000075e3a1b", rom.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> RomId.parse("28-75e3a1b"));
        assertTrue(e.getMessage().contains("12 hex digits"), e.getMessage());
    }
}
