package dev.lichen.armboot;

import dev.lichen.armboot.initramfs.Cpio;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * The baseline for boot time: an initramfs whose /init is a 200-byte static arm64 program that
 * writes a marker line to the console and powers off, so "boot" is the kernel's own work.
 */
final class TrivialInit {
    static final String MARKER = "TRIVIAL-INIT-MARKER";

    private TrivialInit() {}

    static byte[] initramfs() throws IOException {
        Cpio cpio = new Cpio();
        cpio.dir("dev").charDevice("dev/console", 0600, 5, 1);
        cpio.file("init", elf(), 0755);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            cpio.write(gz, 0);
        }
        return out.toByteArray();
    }

    static byte[] elf() {
        byte[] msg = (MARKER + "\n").getBytes(StandardCharsets.US_ASCII);
        int[] code = {
            movz(0, 1, 0),                      // x0 = 1 (stdout: the console)
            0,                                  // adr x1, msg (patched below)
            movz(2, msg.length, 0),             // x2 = length
            movz(8, 64, 0), 0xD4000001,         // write(2)
            movz(0, 0xdead, 0), movk(0, 0xfee1, 1),
            movz(1, 0x1969, 0), movk(1, 0x2812, 1),
            movz(2, 0xfedc, 0), movk(2, 0x4321, 1),
            movz(3, 0, 0),
            movz(8, 142, 0), 0xD4000001,        // reboot(2): power off
            0x14000000,                         // b . (never reached)
        };
        int codeAt = 64 + 56;
        int msgOffset = code.length * 4 - 4; // from the adr instruction (index 1) to the end of code
        code[1] = 0x10000000 | ((msgOffset & 3) << 29) | ((msgOffset >> 2) << 5) | 1;
        int size = codeAt + code.length * 4 + msg.length;
        long base = 0x400000;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]);
        b.putShort((short) 2).putShort((short) 183).putInt(1).putLong(base + codeAt).putLong(64).putLong(0)
                .putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) 1).putShort((short) 64)
                .putShort((short) 0).putShort((short) 0);
        b.putInt(1).putInt(5).putLong(0).putLong(base).putLong(base).putLong(size).putLong(size).putLong(0x1000);
        for (int c : code) b.putInt(c);
        b.put(msg);
        return b.array();
    }

    private static int movz(int rd, int imm, int hw) {
        return 0xD2800000 | (hw << 21) | (imm << 5) | rd;
    }

    private static int movk(int rd, int imm, int hw) {
        return 0xF2800000 | (hw << 21) | (imm << 5) | rd;
    }
}
