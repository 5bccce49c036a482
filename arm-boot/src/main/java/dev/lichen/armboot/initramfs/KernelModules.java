package dev.lichen.armboot.initramfs;

import dev.lichen.armboot.BuildException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.tukaani.xz.XZInputStream;

/**
 * The kernel modules a board needs, with everything they depend on, in an order in which each
 * loads after its dependencies. Debian ships no modules.dep, so the dependencies are read from
 * each module's own .modinfo ("depends="). Modules are decompressed here, at build time, so the
 * init loads plain ELF with init_module(2) and the initramfs compression covers them.
 */
public final class KernelModules {
    private KernelModules() {}

    /** Module name (with '_') to its decompressed bytes, dependencies first. */
    public static SequencedMap<String, byte[]> resolve(Path modulesRoot, List<String> wanted) {
        Map<String, Path> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(modulesRoot)) {
            s.filter(p -> p.getFileName().toString().matches(".*\\.ko(\\.xz)?")).forEach(p -> {
                String n = p.getFileName().toString().replaceFirst("\\.ko(\\.xz)?$", "").replace('-', '_');
                files.putIfAbsent(n, p);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list kernel modules in " + modulesRoot, e);
        }
        SequencedMap<String, byte[]> ordered = new LinkedHashMap<>();
        for (String w : wanted) add(w.replace('-', '_'), files, ordered, new ArrayList<>());
        return ordered;
    }

    private static void add(String name, Map<String, Path> files, SequencedMap<String, byte[]> out, List<String> path) {
        if (out.containsKey(name)) return;
        if (path.contains(name)) throw new BuildException("kernel modules depend on each other in a circle: " + path);
        Path f = files.get(name);
        if (f == null) throw new BuildException("kernel module " + name + " is not in the kernel package"
                + (path.isEmpty() ? "" : " (needed by " + path.getLast() + ")"));
        byte[] ko = read(f);
        path.add(name);
        for (String dep : modinfo(ko, "depends")) add(dep.replace('-', '_'), files, out, path);
        path.removeLast();
        out.put(name, ko);
    }

    private static byte[] read(Path f) {
        try (InputStream in = f.toString().endsWith(".xz") ? new XZInputStream(Files.newInputStream(f)) : Files.newInputStream(f)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read module " + f, e);
        }
    }

    /** Values of a key in the module's .modinfo strings ("key=value\0"), comma lists split. */
    static List<String> modinfo(byte[] ko, String key) {
        byte[] k = (key + "=").getBytes(StandardCharsets.US_ASCII);
        List<String> out = new ArrayList<>();
        outer:
        for (int i = 0; i + k.length < ko.length; i++) {
            if (i > 0 && ko[i - 1] != 0) continue;
            for (int j = 0; j < k.length; j++) if (ko[i + j] != k[j]) continue outer;
            int end = i + k.length;
            while (end < ko.length && ko[end] != 0) end++;
            String v = new String(ko, i + k.length, end - i - k.length, StandardCharsets.US_ASCII);
            for (String d : v.split(",")) if (!d.isBlank()) out.add(d.trim());
            return out;
        }
        return out;
    }
}
