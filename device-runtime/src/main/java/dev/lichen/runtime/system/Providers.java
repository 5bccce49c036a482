package dev.lichen.runtime.system;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A service's providers: those an image names in the system property
 * {@code lichen.providers.<service class name>} (comma-separated classes, written by the image
 * builder from the image's own {@code META-INF/services} files), else {@link ServiceLoader}'s.
 * ServiceLoader must open every jar on the class path to look for the service's file, which
 * costs about half a second of an image's boot under emulation; a named class comes straight
 * from the class archive.
 */
public final class Providers {
    public static final String PROPERTY_PREFIX = "lichen.providers.";

    private Providers() {}

    public static <S> List<S> load(Class<S> service) {
        String named = System.getProperty(PROPERTY_PREFIX + service.getName());
        List<S> out = new ArrayList<>();
        if (named == null) {
            ServiceLoader.load(service).forEach(out::add);
            return out;
        }
        for (String name : named.split(",")) {
            if (name.isBlank()) continue;
            try {
                Class<?> c = Class.forName(name.strip(), true, service.getClassLoader());
                out.add(service.cast(c.getConstructor().newInstance()));
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new IllegalStateException(PROPERTY_PREFIX + service.getName() + " names " + name.strip()
                        + ", which is not a " + service.getSimpleName() + " with a public no-argument constructor: " + e, e);
            }
        }
        return out;
    }
}
