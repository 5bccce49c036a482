package dev.lichen.sensors.ds18b20;

import dev.lichen.sensors.core.Crc8;
import dev.lichen.sensors.core.SensorFault;
import java.util.regex.Pattern;

/**
 * The text of a DS18B20's /sys/bus/w1/devices/28-.../w1_slave, as Linux's w1_therm prints it:
 * <pre>
 * 72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
 * 72 01 4b 46 7f ff 0e 10 57 t=23125
 * </pre>
 * The nine scratchpad bytes, the kernel's CRC verdict, then the temperature in millidegrees.
 */
public record W1Slave(byte[] scratchpad, boolean kernelCrcOk, int milliCelsius) {
    private static final Pattern LINE1 = Pattern.compile("((?:[0-9a-f]{2} ){9}): crc=([0-9a-f]{2}) (YES|NO)");
    private static final Pattern LINE2 = Pattern.compile("((?:[0-9a-f]{2} ){9})t=(-?\\d+)");

    public static W1Slave parse(String text, String where) throws SensorFault.InvalidRawValue {
        String[] lines = text == null ? new String[0] : text.strip().split("\n");
        var m1 = lines.length == 2 ? LINE1.matcher(lines[0].strip()) : null;
        var m2 = lines.length == 2 ? LINE2.matcher(lines[1].strip()) : null;
        if (m1 == null || !m1.matches() || !m2.matches()) {
            throw new SensorFault.InvalidRawValue(where + ": w1_slave text is not what w1_therm prints: "
                    + (text == null ? "null" : text.replace("\n", "\\n")));
        }
        byte[] bytes = new byte[9];
        String[] hex = m1.group(1).strip().split(" ");
        for (int i = 0; i < 9; i++) {
            bytes[i] = (byte) Integer.parseInt(hex[i], 16);
        }
        return new W1Slave(bytes, m1.group(3).equals("YES"), Integer.parseInt(m2.group(2)));
    }

    /** The CRC computed here over bytes 0..7 matches byte 8, whatever the kernel said. */
    public boolean crcValid() {
        return Crc8.maxim(scratchpad, 0, 8) == (scratchpad[8] & 0xFF);
    }

    /** Prints the text w1_therm would print for these scratchpad bytes. */
    public static String format(byte[] scratchpad, boolean kernelCrcOk, int milliCelsius) {
        StringBuilder hex = new StringBuilder(27);
        for (byte b : scratchpad) {
            hex.append("%02x ".formatted(b & 0xFF));
        }
        return hex + ": crc=%02x %s\n".formatted(scratchpad[8] & 0xFF, kernelCrcOk ? "YES" : "NO") + hex + "t=" + milliCelsius + "\n";
    }
}
