package dev.lichen.armboot.debian;

import dev.lichen.armboot.BuildException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the Debian archive mirror the build machine already trusts, from its apt sources
 * (deb822 {@code *.sources} files and one-line {@code sources.list}). The security archive is
 * skipped: it holds only updates. The suite is not taken from here (the machine may run an
 * older release); the builder asks the same mirror for trixie.
 */
public final class AptSources {
    private AptSources() {}

    /** The Debian archive's base URI, e.g. {@code http://mirror/debian}. */
    public static URI debianMirror(Path aptRoot) {
        List<Entry> entries = new ArrayList<>();
        Path dir = aptRoot.resolve("sources.list.d");
        try {
            Path list = aptRoot.resolve("sources.list");
            if (Files.isRegularFile(list)) entries.addAll(parseList(Files.readString(list)));
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.sorted().toList()) {
                        String name = f.getFileName().toString();
                        if (name.endsWith(".sources")) entries.addAll(parseDeb822(Files.readString(f)));
                        else if (name.endsWith(".list")) entries.addAll(parseList(Files.readString(f)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read apt sources under " + aptRoot, e);
        }
        return entries.stream()
                .filter(e -> e.suites().stream().noneMatch(s -> s.endsWith("-security") || s.contains("/updates")))
                .filter(e -> e.uri().getPath() != null && e.uri().getPath().replaceAll("/+$", "").endsWith("/debian"))
                .map(Entry::uri)
                .findFirst()
                .orElseThrow(() -> new BuildException("no Debian archive found in the apt sources under " + aptRoot
                        + " (sources.list, sources.list.d/*.sources): give one with --mirror http://<mirror>/debian"));
    }

    record Entry(URI uri, List<String> suites) {}

    static List<Entry> parseDeb822(String text) {
        List<Entry> out = new ArrayList<>();
        for (String stanza : text.split("\\n\\s*\\n")) {
            List<String> uris = List.of();
            List<String> suites = List.of();
            boolean deb = false;
            boolean enabled = true;
            for (String line : stanza.split("\\n")) {
                if (line.startsWith("#") || !line.contains(":")) continue;
                String key = line.substring(0, line.indexOf(':')).trim().toLowerCase();
                List<String> words = List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                switch (key) {
                    case "types" -> deb = words.contains("deb");
                    case "uris" -> uris = words;
                    case "suites" -> suites = words;
                    case "enabled" -> enabled = !words.getFirst().equalsIgnoreCase("no");
                    default -> { }
                }
            }
            if (!deb || !enabled) continue;
            for (String u : uris) out.add(new Entry(URI.create(u), suites));
        }
        return out;
    }

    static List<Entry> parseList(String text) {
        List<Entry> out = new ArrayList<>();
        for (String raw : text.split("\\n")) {
            String line = raw.replaceAll("#.*", "").replaceAll("\\[[^]]*]", " ").trim();
            String[] w = line.split("\\s+");
            if (w.length >= 3 && w[0].equals("deb")) out.add(new Entry(URI.create(w[1]), List.of(w[2])));
        }
        return out;
    }
}
