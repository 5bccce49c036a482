package dev.lichen.gateway.addons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostConfigTest {
    @TempDir Path dir;

    @Test
    void hostJsonSetsIdleAndRefusesUnknownKeys() throws Exception {
        Path f = dir.resolve("host.json");
        var base = AddonHost.Config.defaults();
        assertEquals(base, AddonHost.Config.load(f, base), "no file: the defaults");
        Files.writeString(f, "{\"idleSeconds\": 300, \"aotCache\": false, \"maxPackageMb\": 16}");
        var c = AddonHost.Config.load(f, base);
        assertEquals(Duration.ofSeconds(300), c.idle());
        assertFalse(c.aotCache());
        assertEquals(16L << 20, c.limits().maxPackageBytes());
        Files.writeString(f, "{\"idle\": 300}");
        var e = assertThrows(java.io.IOException.class, () -> AddonHost.Config.load(f, base));
        assertTrue(e.getMessage().contains("idle") && e.getMessage().contains("allowed keys"), e.getMessage());
    }
}
