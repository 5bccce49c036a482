package dev.lichen.armboot.debian;

import dev.lichen.armboot.BuildException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The stanzas of a Packages index that the build asks for (all others are skipped while reading). */
public final class PackageIndex {
    /** One binary package as the signed index describes it. */
    public record Package(String name, String version, String architecture, String filename, long size,
                          String sha256, String depends) {}

    private final Map<String, Package> packages;

    private PackageIndex(Map<String, Package> packages) {
        this.packages = packages;
    }

    /** Reads a Packages stream, keeping the stanzas whose name is wanted or starts with one of the prefixes. */
    public static PackageIndex read(InputStream in, Set<String> names, Set<String> prefixes) throws IOException {
        Map<String, Package> out = new HashMap<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        Map<String, String> fields = new LinkedHashMap<>();
        boolean keep = false;
        for (String line = r.readLine(); ; line = r.readLine()) {
            if (line == null || line.isEmpty()) {
                if (keep) add(out, fields);
                fields.clear();
                keep = false;
                if (line == null) break;
                continue;
            }
            if (line.startsWith("Package: ")) {
                String name = line.substring(9).trim();
                keep = names.contains(name) || prefixes.stream().anyMatch(name::startsWith);
            }
            if (!keep || line.startsWith(" ")) continue;
            int colon = line.indexOf(':');
            if (colon > 0) fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return new PackageIndex(out);
    }

    private static void add(Map<String, Package> out, Map<String, String> f) {
        String sha = f.getOrDefault("SHA256", "");
        if (!sha.matches("[0-9a-f]{64}") || !f.containsKey("Filename") || f.get("Filename").contains(".."))
            throw new BuildException("malformed Packages stanza for " + f.get("Package"));
        Package p = new Package(f.get("Package"), f.get("Version"), f.get("Architecture"), f.get("Filename"),
                Long.parseLong(f.getOrDefault("Size", "-1")), sha, f.getOrDefault("Depends", ""));
        out.merge(p.name(), p, (a, b) -> a); // first stanza wins, as in a single-version suite
    }

    public Package get(String name) {
        Package p = packages.get(name);
        if (p == null) throw new BuildException("package " + name + " is not in the suite's index for arm64");
        return p;
    }

    public boolean contains(String name) {
        return packages.containsKey(name);
    }
}
