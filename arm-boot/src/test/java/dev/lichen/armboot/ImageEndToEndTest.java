package dev.lichen.armboot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images as a user meets them: built from Debian's packages (fetched through this machine's
 * apt mirror, cached under ~/.cache/lichen), booted in QEMU, sending readings over user-mode
 * networking to a CoAP server on the host's loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageEndToEndTest {
    private static final int POWER_OFF_AFTER = 8;

    private Path dir;
    private CoapServer gateway;
    private int port;
    private final AtomicBoolean accepting = new AtomicBoolean(false);
    /** "boot:seq" to value, as the gateway received them. */
    private final Map<String, Double> received = new ConcurrentSkipListMap<>();
    private Appliance app;
    private Path image;
    private Path sensorImage;

    @BeforeAll
    void startGatewayAndBuild(@TempDir Path tmp) throws Exception {
        dir = tmp;
        Configuration cfg = Configuration.createStandardWithoutFile();
        gateway = new CoapServer(cfg);
        gateway.addEndpoint(new CoapEndpoint.Builder().setConfiguration(cfg)
                .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build());
        gateway.add(new CoapResource("r") {
            @Override
            public void handlePOST(CoapExchange exchange) {
                if (!accepting.get()) {
                    exchange.respond(CoAP.ResponseCode.SERVICE_UNAVAILABLE);
                    return;
                }
                String[] lines = exchange.getRequestText().split("\n");
                for (int i = 1; i < lines.length; i++) {
                    String[] f = lines[i].split(",");
                    received.put(f[0] + ":" + f[1], Double.parseDouble(f[2]));
                }
                exchange.respond(CoAP.ResponseCode.CHANGED);
            }
        });
        gateway.start();
        port = gateway.getEndpoints().getFirst().getAddress().getPort();
        app = TestImages.tinyAppliance(dir, POWER_OFF_AFTER);
        image = dir.resolve("sensor.img");
        long t0 = System.nanoTime();
        new ImageBuilder(Progress.to(System.out)).build(TestImages.request(Board.ARM64_VIRT,
                TestImages.config(dir, "arm64-virt", port), image, app));
        System.out.printf("arm64-virt image built in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    void stopGateway() {
        if (gateway != null) gateway.destroy();
    }

    @Test
    @Order(1)
    void twoBuildsOfTheSensorApplianceImageAreByteIdentical() throws Exception {
        Path sensor = Files.createDirectories(dir.resolve("sensor"));
        Path config = TestImages.config(sensor, "arm64-virt", port);
        sensorImage = sensor.resolve("sensor-appliance.img");
        Path second = sensor.resolve("sensor-appliance-again.img");
        for (Path out : java.util.List.of(sensorImage, second)) {
            ImageBuilder.Result r = new ImageBuilder(Progress.SILENT).build(TestImages.request(Board.ARM64_VIRT, config, out,
                    Appliance.sensor(java.util.List.of("run", "--config", "/etc/lichen/device.json"))));
            assertTrue(r.initramfsFiles().stream().anyMatch(f -> f.matches("/usr/lib/lichen/app/sensors.*\\.jar")), "drivers in the image");
        }
        assertEquals(Files.size(sensorImage), Files.size(second));
        assertEquals(-1, Files.mismatch(sensorImage, second), "the two images differ");
        Files.delete(second);
    }

    @Test
    @Order(2)
    void readingsTakenBeforeAPowerCutArriveAfterTheReboot() throws Exception {
        Path kernel = TestImages.extract(image, "vmlinuz", dir);
        Path initrd = TestImages.extract(image, "initrd.img", dir);
        String cmdline = Files.readString(TestImages.extract(image, "cmdline.txt", dir)).trim();
        Pattern reading = Pattern.compile("tiny-appliance: reading (\\w+) seq=(\\d+) value=([0-9.]+) durable");

        // boot 1: the gateway answers 5.03, readings pile up in the outbox; then the plug is pulled
        Map<String, Double> takenBeforeCut = new TreeMap<>();
        try (Qemu q = Qemu.virt(kernel, initrd, cmdline, image)) {
            Qemu.Line first = q.await(l -> l.contains("tiny-appliance: reading"), Duration.ofSeconds(120), "first reading");
            Qemu.Line up = q.await(l -> l.contains("lichen-init: [") && l.contains("] up: java"), Duration.ofSeconds(1), "init up");
            System.out.printf("boot to first reading: %d ms (JVM up as PID 1 at %d ms)%n", first.millis(), up.millis());
            q.await(l -> l.contains("seq=4 ") && l.contains("durable"), Duration.ofSeconds(60), "fourth reading");
            for (Qemu.Line l : q.lines()) {
                Matcher m = reading.matcher(l.text());
                if (m.find()) takenBeforeCut.put(m.group(1) + ":" + m.group(2), Double.parseDouble(m.group(3)));
            }
        } // QEMU killed: a power cut
        assertTrue(received.isEmpty(), "nothing was acknowledged before the cut");
        assertTrue(takenBeforeCut.size() >= 4, "readings before the cut: " + takenBeforeCut);

        // boot 2: the gateway accepts; the old readings arrive, then the appliance powers the machine off
        accepting.set(true);
        try (Qemu q = Qemu.virt(kernel, initrd, cmdline, image)) {
            assertTrue(q.waitForExit(Duration.ofSeconds(150)), "the guest did not power off; console:\n" + q.tail(40));
            assertEquals(0, q.exitValue(), "QEMU exit after power off");
            assertTrue(q.lines().stream().anyMatch(l -> l.text().contains("lichen-init: [") && l.text().contains("powering off")));
        }
        for (Map.Entry<String, Double> e : takenBeforeCut.entrySet())
            assertEquals(e.getValue(), received.get(e.getKey()), "reading " + e.getKey() + " taken before the cut");
        String firstBoot = takenBeforeCut.keySet().iterator().next().split(":")[0];
        long fromFirstBoot = received.keySet().stream().filter(k -> k.startsWith(firstBoot + ":")).count();
        assertTrue(fromFirstBoot >= takenBeforeCut.size(), "every reading of boot 1 arrived: " + received);
        assertTrue(received.size() >= POWER_OFF_AFTER, "readings at the gateway: " + received);
        received.forEach((k, v) -> assertEquals(20 + Integer.parseInt(k.split(":")[1]) * 0.5, v, 1e-9, "value of " + k));
    }

    @Test
    @Order(3)
    void rpi3ImageBootsToTheApplianceInRaspi3b() throws Exception {
        Path pi = dir.resolve("pi");
        Files.createDirectories(pi);
        Path rpiImage = pi.resolve("sensor-rpi3.img");
        new ImageBuilder(Progress.SILENT).build(TestImages.request(Board.RPI3, TestImages.config(pi, "rpi3", port), rpiImage, app));
        for (String f : java.util.List.of("bootcode.bin", "start.elf", "fixup.dat", "config.txt", "bcm2837-rpi-3-b.dtb"))
            TestImages.extract(rpiImage, f, pi);
        String config = Files.readString(pi.resolve("config.txt"));
        assertTrue(config.contains("arm_64bit=1") && config.contains("initramfs initrd.img followkernel"), config);
        Path kernel = TestImages.extract(rpiImage, "vmlinuz", pi);
        Path initrd = TestImages.extract(rpiImage, "initrd.img", pi);
        String cmdline = Files.readString(TestImages.extract(rpiImage, "cmdline.txt", pi)).trim();
        try (Qemu q = Qemu.raspi3b(kernel, pi.resolve("bcm2837-rpi-3-b.dtb"), initrd, cmdline)) {
            Qemu.Line started = q.await(l -> l.contains("tiny-appliance: started test-climate"), Duration.ofSeconds(240),
                    "the appliance's start line on the mini-UART");
            System.out.printf("raspi3b: appliance start line at %d ms%n", started.millis());
        }
    }

    @Test
    @Order(4)
    void theSensorApplianceImageBootsToTheApplianceWithItsOutboxOnTheDataPartition() throws Exception {
        Path sensor = sensorImage.getParent();
        Path kernel = TestImages.extract(sensorImage, "vmlinuz", sensor);
        Path initrd = TestImages.extract(sensorImage, "initrd.img", sensor);
        String cmdline = Files.readString(TestImages.extract(sensorImage, "cmdline.txt", sensor)).trim();
        try (Qemu q = Qemu.virt(kernel, initrd, cmdline, sensorImage)) {
            Qemu.Line started = q.await(l -> l.contains("device test-climate starting: boot"), Duration.ofSeconds(180),
                    "the sensor appliance's start line");
            System.out.printf("sensor appliance started at %d ms%n", started.millis());
            assertTrue(q.lines().stream().anyMatch(l -> l.text().contains("data partition /dev/vda2 mounted on /var/lib/lichen")));
            // arm64-virt has no I2C: the appliance says so and keeps retrying, as on a board with a loose wire
            q.await(l -> l.contains("sensor bme280@i2c-1/0x76: not answering"), Duration.ofSeconds(60), "the sensor's state line");
        }
    }
}
