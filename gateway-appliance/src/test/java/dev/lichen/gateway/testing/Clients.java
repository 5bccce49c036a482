package dev.lichen.gateway.testing;

import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;

/** Test helpers: packs, a Californium client endpoint, and foreign command-line clients. */
public final class Clients {
    static {
        CoapConfig.register();
        UdpConfig.register();
    }

    private Clients() {}

    /** Reading times start an hour ago: recent enough that retention keeps them raw. */
    public static final long BASE_MILLIS = System.currentTimeMillis() / 1000 * 1000 - 3_600_000L;

    /** n temperature readings value base+i, one second apart, sequence firstSeq.. */
    public static Batch pack(String device, String boot, long firstSeq, int n, double base) {
        List<Reading> rs = new ArrayList<>();
        long t0 = BASE_MILLIS + firstSeq * 1000;
        for (int i = 0; i < n; i++) rs.add(new Reading("temperature", "Cel", new Value.Number(base + i), t0 + i * 1000L));
        return new Batch(device, boot, firstSeq, rs);
    }

    /** A Californium client on its own endpoint (no Californium3.properties file written). */
    public static CoapClient coap(int port) {
        Configuration cfg = Configuration.createStandardWithoutFile();
        CoapClient c = new CoapClient("coap://127.0.0.1:" + port + "/r");
        c.setEndpoint(CoapEndpoint.builder().setConfiguration(cfg).build());
        c.setTimeout(10_000L);
        return c;
    }

    /** How many readings of the device the store holds once everything acknowledged so far is written. */
    public static long stored(dev.lichen.gateway.Gateway gw, String device) throws InterruptedException {
        if (!gw.pipeline().awaitStored(java.time.Duration.ofSeconds(10))) throw new AssertionError("the writer did not catch up in 10 s");
        return gw.store().readingCount(device);
    }

    /** Waits for the device's link to be known: it is set once a pack is stored, a moment after its acknowledgement. */
    public static java.util.Optional<dev.lichen.gateway.ingest.Protocol> awaitLink(dev.lichen.gateway.Gateway gw, String device)
            throws InterruptedException {
        Await.holds(java.time.Duration.ofSeconds(10), () -> gw.pipeline().link(device).isPresent());
        return gw.pipeline().link(device);
    }

    public record Run(int exit, String output) {}

    /** Runs a command; fails naming the Debian package when the program is missing. */
    public static Run run(String debianPackage, List<String> cmd) throws IOException, InterruptedException {
        String program = cmd.getFirst();
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) found = true;
        }
        if (!found) throw new AssertionError(program + " not found on PATH: install Debian's '" + debianPackage + "' package");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 30 s");
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }
}
