package dev.lichen.runtime.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProvidersTest {
    /** A service with no META-INF/services file anywhere: only the property can name its providers. */
    public interface Greeter {
        String hello();
    }

    public static final class English implements Greeter {
        @Override public String hello() {
            return "hello";
        }
    }

    public static final class French implements Greeter {
        @Override public String hello() {
            return "bonjour";
        }
    }

    private static final String KEY = Providers.PROPERTY_PREFIX + Greeter.class.getName();

    @AfterEach
    void clear() {
        System.clearProperty(KEY);
    }

    @Test
    void withoutThePropertyServiceLoaderDecides() {
        assertEquals(List.of(), Providers.load(Greeter.class));
    }

    @Test
    void thePropertyNamesTheProvidersInItsOrder() {
        System.setProperty(KEY, English.class.getName() + ", " + French.class.getName());
        assertEquals(List.of("hello", "bonjour"), Providers.load(Greeter.class).stream().map(Greeter::hello).toList());
    }

    @Test
    void aNamedClassThatIsNoProviderIsAClearError() {
        System.setProperty(KEY, String.class.getName());
        var e = assertThrows(IllegalStateException.class, () -> Providers.load(Greeter.class));
        assertTrue(e.getMessage().contains("java.lang.String, which is not a Greeter"), e.getMessage());
    }
}
