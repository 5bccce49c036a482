package dev.lichen.armboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.runtime.bus.sim.SimChipModels;
import dev.lichen.runtime.sensor.SensorFactory;
import dev.lichen.runtime.system.Providers;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's class path at boot: the appliance's start must not look up a resource that makes
 * the class loader open every jar (~0.5 s under emulation). A JVM gets the image's jars, its
 * first jar and its provider options, then a last jar that nothing loads from: the class loader
 * opens that one only when a look-up walks the whole class path.
 */
class ImageClassPathTest {
    @Test
    void theProviderOptionsNameTheImagesDriversAndSlf4jsBinding() {
        List<String> options = Appliance.providerOptions(Appliance.sensor(List.of()).jars());
        assertTrue(options.contains("-Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider"), options.toString());
        assertTrue(options.contains("-D" + Providers.PROPERTY_PREFIX + SensorFactory.class.getName()
                + "=dev.lichen.sensors.factory.LichenSensorFactory"), options.toString());
        assertTrue(options.stream().anyMatch(o -> o.startsWith("-D" + Providers.PROPERTY_PREFIX + SimChipModels.class.getName() + "=")),
                options.toString());
    }

    @Test
    void theImagesFirstJarHoldsTheLogSettingsAndIsTheSameEachTime(@TempDir Path dir) throws Exception {
        Appliance.Jar first = Appliance.imageJar();
        assertEquals(Appliance.IMAGE_JAR, first.name());
        assertTrue(java.util.Arrays.equals(first.bytes(), Appliance.imageJar().bytes()), "built twice, the same bytes");
        Path f = Files.write(dir.resolve(first.name()), first.bytes());
        try (JarFile j = new JarFile(f.toFile())) {
            String props = new String(j.getInputStream(j.getJarEntry("simplelogger.properties")).readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(props.contains("org.slf4j.simpleLogger.defaultLogLevel=info"), props);
        }
    }

    @Test
    void theAppliancesStartOpensNoJarItDoesNotLoadFrom(@TempDir Path dir) throws Exception {
        List<Appliance.Jar> jars = Appliance.sensor(List.of()).jars();
        List<String> cp = new ArrayList<>();
        cp.add(Files.write(dir.resolve(Appliance.IMAGE_JAR), Appliance.imageJar().bytes()).toString());
        for (Appliance.Jar j : jars) cp.add(Files.write(dir.resolve(j.name()), j.bytes()).toString());
        cp.add(Path.of(Probe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        Path trap = Files.write(dir.resolve("zz-nothing-loads-from-here.jar"), Appliance.jar(new java.util.TreeMap<>()));
        cp.add(trap.toString());

        String outbox = Files.createDirectories(dir.resolve("outbox")).toString();
        String withOptions = probe(cp, Appliance.providerOptions(jars), outbox);
        assertTrue(withOptions.contains("probe: 1 sensor factory"), withOptions);
        assertFalse(withOptions.contains("Opening file:" + trap), "a look-up opened every jar:\n" + withOptions);

        // the same without the options: ServiceLoader walks the class path (what the test guards against)
        String without = probe(cp, List.of(), outbox + "-2");
        assertTrue(without.contains("Opening file:" + trap), without);
    }

    private static String probe(List<String> cp, List<String> options, String outbox) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dsun.misc.URLClassPath.debug=true"));
        cmd.addAll(options);
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, cp), Probe.class.getName(), outbox));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe did not end");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /**
     * What the image does up to its first reading: the appliance's log, its drivers and (arm64-virt)
     * bench models, its outbox; Init's UDP clients (SNTP here, DHCP the same way).
     */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            org.slf4j.LoggerFactory.getLogger(Probe.class).info("probe: logging");
            System.out.println("probe: " + Providers.load(SensorFactory.class).size() + " sensor factory");
            Providers.load(SimChipModels.class);
            dev.lichen.runtime.storage.FileOutbox.open(Path.of(args[0]), 1 << 20).close();
            try {
                dev.lichen.runtime.system.Sntp.query(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 9),
                        java.time.Duration.ofMillis(20));
            } catch (java.io.IOException e) {
                // nobody answers on the discard port: the socket was opened, which is what counts
            }
        }
    }
}
