package dev.lichen.store.pkg;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HexFormat;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The entries of a {@code .lapp} (a zip): {@code manifest.json}, jars under {@code lib/}, other
 * resources (icon, screenshots), and the {@code signature} entry over the digest of all the others.
 */
public record Lapp(SortedMap<String, byte[]> entries) {
    public static final String MANIFEST = "manifest.json";
    public static final String SIGNATURE = "signature";
    public static final String LIB = "lib/";

    public Lapp {
        entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    }

    /**
     * The canonical digest: SHA-256 over "name\nsha256hex\n" for every entry except the signature,
     * in sorted name order. Independent of zip ordering, timestamps and compression.
     */
    public byte[] digest() {
        var sb = new StringBuilder();
        var hex = HexFormat.of();
        for (var e : entries.entrySet()) {
            if (e.getKey().equals(SIGNATURE)) continue;
            sb.append(e.getKey()).append('\n').append(hex.formatHex(Keys.sha256(e.getValue()))).append('\n');
        }
        return Keys.sha256(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    public Lapp with(String name, byte[] content) {
        var m = new TreeMap<>(entries);
        m.put(name, content);
        return new Lapp(m);
    }

    public Lapp without(String name) {
        var m = new TreeMap<>(entries);
        m.remove(name);
        return new Lapp(m);
    }

    public long unpackedBytes() {
        return entries.values().stream().mapToLong(b -> b.length).sum();
    }
}
