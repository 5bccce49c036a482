package dev.lichen.armboot.jlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops the symbol table and other sections a program never loads (.symtab, .strtab, .comment,
 * .gnu_debuglink, .debug_*) from a 64-bit little-endian ELF file, as {@code strip} would. Debian's
 * libjvm.so keeps its full .symtab (5 MB); the build machine's objcopy cannot read arm64 files, so
 * the builder does this itself. Only sections outside every loaded segment are removed; an input it
 * does not fully understand is returned unchanged.
 */
public final class ElfStrip {
    private static final int SHF_ALLOC = 0x2, SHT_NOBITS = 8, SHF_INFO_LINK = 0x40;

    private ElfStrip() {}

    public static boolean isElf(byte[] f) {
        return f.length > 64 && f[0] == 0x7f && f[1] == 'E' && f[2] == 'L' && f[3] == 'F';
    }

    public static byte[] strip(byte[] f) {
        if (!isElf(f) || f[4] != 2 || f[5] != 1) return f;
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20), shoff = b.getLong(0x28);
        int phentsize = b.getShort(0x36) & 0xFFFF, phnum = b.getShort(0x38) & 0xFFFF;
        int shentsize = b.getShort(0x3A) & 0xFFFF, shnum = b.getShort(0x3C) & 0xFFFF, shstrndx = b.getShort(0x3E) & 0xFFFF;
        if (shoff == 0 || shentsize != 64 || shnum == 0 || shstrndx >= shnum || shoff + (long) shnum * 64 > f.length) return f;
        long end = 0;
        for (int i = 0; i < phnum; i++) {
            int p = (int) (phoff + (long) i * phentsize);
            end = Math.max(end, b.getLong(p + 8) + b.getLong(p + 32)); // p_offset + p_filesz
        }
        int strOff = (int) b.getLong((int) shoff + shstrndx * 64 + 24);
        int[] map = new int[shnum];
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            int s = (int) shoff + i * 64;
            String name = cstring(f, strOff + b.getInt(s));
            long flags = b.getLong(s + 8);
            boolean drop = i != 0 && i != shstrndx && (flags & SHF_ALLOC) == 0
                    && (name.equals(".symtab") || name.equals(".strtab") || name.equals(".comment")
                    || name.equals(".gnu_debuglink") || name.startsWith(".debug"));
            map[i] = drop ? -1 : kept.size();
            if (!drop) kept.add(i);
        }
        if (kept.size() == shnum) return f;
        for (int i : kept) {
            int s = (int) shoff + i * 64;
            int link = b.getInt(s + 40), info = b.getInt(s + 44);
            if (link != 0 && (link >= shnum || map[link] < 0)) return f;
            if ((b.getLong(s + 8) & SHF_INFO_LINK) != 0 && (info >= shnum || map[info] < 0)) return f;
            if (i != shstrndx && b.getInt(s + 4) != SHT_NOBITS) end = Math.max(end, b.getLong(s + 24) + b.getLong(s + 32));
        }
        int shstrSize = (int) b.getLong((int) shoff + shstrndx * 64 + 32);
        long newStr = end;
        long newSh = (newStr + shstrSize + 7) & ~7L;
        if (newSh + (long) kept.size() * 64 >= f.length) return f;
        ByteBuffer out = ByteBuffer.allocate((int) (newSh + kept.size() * 64L)).order(ByteOrder.LITTLE_ENDIAN);
        out.put(0, f, 0, (int) end);
        out.put((int) newStr, f, strOff, shstrSize);
        for (int k = 0; k < kept.size(); k++) {
            int i = kept.get(k);
            int s = (int) shoff + i * 64, d = (int) newSh + k * 64;
            out.put(d, f, s, 64);
            int link = b.getInt(s + 40);
            if (link != 0) out.putInt(d + 40, map[link]);
            if ((b.getLong(s + 8) & SHF_INFO_LINK) != 0) out.putInt(d + 44, map[b.getInt(s + 44)]);
            if (i == shstrndx) out.putLong(d + 24, newStr);
        }
        out.putLong(0x28, newSh).putShort(0x3C, (short) kept.size()).putShort(0x3E, (short) map[shstrndx]);
        return out.array();
    }

    private static String cstring(byte[] f, int at) {
        int e = at;
        while (e < f.length && f[e] != 0) e++;
        return new String(f, at, e - at, StandardCharsets.US_ASCII);
    }
}
