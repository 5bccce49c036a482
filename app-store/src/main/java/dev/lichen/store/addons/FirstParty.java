package dev.lichen.store.addons;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lichen.store.pkg.Lapp;
import dev.lichen.store.pkg.ManifestParser;
import dev.lichen.store.pkg.PackageException;
import dev.lichen.store.pkg.PackageVerifier;
import dev.lichen.store.pkg.Packer;
import dev.lichen.store.pkg.Signing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Packs the first-party add-ons (plantcare, fridge, share) from the classes this module was
 * built into: each gets a jar of only its own packages plus the SDK, and Jackson's jars.
 */
public final class FirstParty {
    public static final List<String> IDS = List.of("plantcare", "fridge", "share");
    private static final String SDK = "dev/lichen/store/sdk/";

    private FirstParty() {}

    /** The add-on's manifest.json as an editable tree (tests derive broken or greedy variants from it). */
    public static ObjectNode manifest(String id) {
        try (InputStream in = resource(id, "manifest.json")) {
            return (ObjectNode) ManifestParser.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Lapp pack(String id) throws PackageException {
        return pack(id, manifest(id));
    }

    /** Packs add-on {@code id}'s code with the given manifest, unsigned. */
    public static Lapp pack(String id, ObjectNode manifest) throws PackageException {
        var prefixes = switch (id) {
            case "share" -> List.of(SDK, "dev/lichen/store/addons/share/", "dev/lichen/store/addons/fridge/Freshness");
            default -> List.of(SDK, "dev/lichen/store/addons/" + id + "/");
        };
        var entries = new TreeMap<String, byte[]>(runtimeLibs());
        entries.put(Lapp.LIB + id + ".jar", Packer.jarOf(Packer.codeSource(FirstParty.class), prefixes));
        try (InputStream icon = resource(id, "icon.svg")) {
            entries.put("icon.svg", icon.readAllBytes());
            entries.put(Lapp.MANIFEST, ManifestParser.mapper().writeValueAsBytes(manifest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Lapp lapp = new Lapp(entries);
        PackageVerifier.manifestOf(lapp);
        return lapp;
    }

    /**
     * The jars every add-on built on the SDK needs besides its own: Jackson (core, databind,
     * annotations), copied as they are, or cut out by package when they were merged into a bigger
     * jar (a shaded launcher) or come from a class folder.
     */
    public static Map<String, byte[]> runtimeLibs() {
        var libs = new TreeMap<String, byte[]>();
        var parts = Map.of("jackson-databind", com.fasterxml.jackson.databind.ObjectMapper.class,
                "jackson-core", com.fasterxml.jackson.core.JsonParser.class,
                "jackson-annotations", com.fasterxml.jackson.annotation.JsonProperty.class);
        for (var part : parts.entrySet()) {
            var src = Packer.codeSource(part.getValue());
            String name = src.getFileName().toString();
            try {
                if (name.startsWith(part.getKey()) && name.endsWith(".jar")) {
                    libs.put(Lapp.LIB + name, Files.readAllBytes(src));
                } else {
                    String pkg = part.getValue().getPackageName().replace('.', '/') + "/";
                    libs.put(Lapp.LIB + part.getKey() + ".jar", Packer.jarOf(src, List.of(pkg)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return libs;
    }

    /** A jar of the add-on SDK alone, for add-ons built elsewhere (with {@link #runtimeLibs()}). */
    public static byte[] sdkJar() {
        return Packer.jarOf(Packer.codeSource(FirstParty.class), List.of(SDK));
    }

    public static Lapp packSigned(String id, ObjectNode manifest, KeyPair key) throws PackageException {
        return Signing.sign(pack(id, manifest), key.getPrivate(), key.getPublic());
    }

    private static InputStream resource(String id, String name) {
        var in = FirstParty.class.getResourceAsStream("/dev/lichen/store/addons/" + id + "/" + name);
        if (in == null) throw new IllegalArgumentException("no first-party add-on '" + id + "' (known: " + IDS + ")");
        return in;
    }

}
