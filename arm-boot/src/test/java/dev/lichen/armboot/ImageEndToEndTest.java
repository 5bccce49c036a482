package dev.lichen.armboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lichen.sensors.sim.BenchModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images as a user meets them: the real sensor appliance built from Debian's packages
 * (fetched through this machine's apt mirror, cached under ~/.cache/lichen), booted in QEMU,
 * sending SenML over user-mode networking to a CoAP gateway on the host's loopback. On
 * arm64-virt the appliance reads a BME280 model in the fixed bench conditions of
 * {@link BenchModels#BENCH} (virt has no I2C), so the values that arrive can be checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageEndToEndTest {
    private Path dir;
    private HostGateway gateway;
    private Path image;

    @BeforeAll
    void startGatewayAndBuild(@TempDir Path tmp) throws Exception {
        dir = tmp;
        gateway = new HostGateway();
        image = dir.resolve("sensor.img");
        long t0 = System.nanoTime();
        System.setProperty("lichen.cds.keep", dir.resolve("cds-1").toString()); // the class list, compared by the next test
        ImageBuilder.Result r = new ImageBuilder(Progress.to(System.out)).build(TestImages.request(Board.ARM64_VIRT,
                TestImages.config(dir, "arm64-virt", gateway.port()), image, TestImages.sensorAppliance()));
        System.clearProperty("lichen.cds.keep");
        System.out.printf("arm64-virt sensor image built in %.1f s: %.1f MB raw%n", (System.nanoTime() - t0) / 1e9, r.rawBytes() / 1e6);
        assertTrue(r.initramfsFiles().stream().anyMatch(f -> f.matches("/usr/lib/lichen/app/sensors.*\\.jar")), "drivers in the image");
        assertTrue(r.initramfsFiles().contains(dev.lichen.armboot.cds.ClassArchive.GUEST_PATH), "the class archive in the image");
        // the appliance starts before init mounts devtmpfs: without these, SecureRandom seeded itself from thread jitter
        assertTrue(r.initramfsFiles().containsAll(List.of("/dev/random", "/dev/urandom")), "SecureRandom's devices in the image");
    }

    @AfterAll
    void stopGateway() {
        if (gateway != null) gateway.close();
    }

    @Test
    @Order(1)
    void twoBuildsOfTheSensorApplianceImageAreByteIdentical() throws Exception {
        Path again = dir.resolve("sensor-again.img");
        ImageBuilder.Result r;
        System.setProperty("lichen.cds.keep", dir.resolve("cds-2").toString());
        try {
            r = new ImageBuilder(Progress.SILENT).build(TestImages.request(Board.ARM64_VIRT, dir.resolve("device-arm64-virt.json"),
                    again, TestImages.sensorAppliance()));
        } finally {
            System.clearProperty("lichen.cds.keep");
        }
        if (Files.mismatch(image, again) != -1) {
            List<String> one = Files.readAllLines(dir.resolve("cds-1/classlist"));
            List<String> two = Files.readAllLines(dir.resolve("cds-2/classlist"));
            fail("the two images differ (at byte " + Files.mismatch(image, again) + "):\n"
                    + TestImages.differences(image, again, r.bootFiles().keySet())
                    + "\nclass list only in the first build: " + one.stream().filter(c -> !two.contains(c)).toList()
                    + "\nclass list only in the second build: " + two.stream().filter(c -> !one.contains(c)).toList());
        }
        Files.delete(again);
    }

    @Test
    @Order(2)
    void readingsTakenBeforeAPowerCutArriveAfterTheReboot() throws Exception {
        Path kernel = TestImages.extract(image, "vmlinuz", dir);
        Path initrd = TestImages.extract(image, "initrd.img", dir);
        String cmdline = Files.readString(TestImages.extract(image, "cmdline.txt", dir)).trim();

        String firstIdentity;
        // boot 1: the gateway answers 5.03; what the device offers it is durable in its outbox. Then the plug is pulled.
        try (Qemu q = Qemu.virt(kernel, initrd, cmdline, image)) {
            Qemu.Line started = q.await(l -> l.contains("device test-climate starting: boot"), Duration.ofSeconds(180),
                    "the sensor appliance's start line");
            System.out.printf("sensor appliance started at %d ms%n", started.millis());
            assertTrue(q.lines().stream().anyMatch(l -> l.text().contains("data partition /dev/vda2 mounted on /var/lib/lichen")),
                    "data partition mounted; console:\n" + q.tail(40));
            // the JVM maps the image's class archive (Init prints java.vm.info: "sharing"), whose app classes CDS accepts
            // only if the class path, the jars' sizes and mtimes and the JVM's flags are the ones it was dumped with
            assertTrue(q.lines().stream().anyMatch(l -> l.text().contains("] up: java ") && l.text().contains("sharing")),
                    "PID 1's JVM uses the class archive; console:\n" + q.tail(60));
            // the 8 MiB budget of the config does not fit the 4 MiB data partition: the appliance keeps what fits
            assertTrue(q.lines().stream().anyMatch(l -> l.text().contains("outbox budget") && l.text().contains("not the configured 8388608")),
                    "outbox budget fitted to the data partition; console:\n" + q.tail(60));
            firstIdentity = identityLine(q);
            gateway.awaitRefused(9, Duration.ofSeconds(120));
        } // QEMU killed: a power cut
        Map<String, HostGateway.Received> beforeCut = gateway.refused();
        assertTrue(gateway.accepted().isEmpty(), "nothing was acknowledged before the cut");
        TreeSet<String> boots = new TreeSet<>(beforeCut.keySet().stream().map(ImageEndToEndTest::boot).toList());
        assertEquals(1, boots.size(), "one boot before the cut: " + boots);
        String firstBoot = boots.first();

        // boot 2: the gateway accepts; boot 1's readings arrive, then the new boot's own
        gateway.accept(true);
        try (Qemu q = Qemu.virt(kernel, initrd, cmdline, image)) {
            gateway.awaitAccepted(a -> a.keySet().containsAll(beforeCut.keySet())
                    && a.keySet().stream().anyMatch(k -> !boot(k).equals(firstBoot)), Duration.ofSeconds(180),
                    "boot 1's readings and a reading of boot 2");
            // the state files written before the cut (the boot count) survive it on the FAT data partition
            assertTrue(q.lines().stream().noneMatch(l -> l.text().contains("unreadable")), "state lost in the cut; console:\n" + q.tail(60));
            // and so does the device's own key pair: the serial line shows the same fingerprint
            assertEquals(firstIdentity, identityLine(q), "the identity made on the first boot; console:\n" + q.tail(60));
        }
        Map<String, HostGateway.Received> received = gateway.accepted();
        beforeCut.forEach((k, v) -> assertEquals(v, received.get(k), "reading " + k + " taken before the cut"));
        // count: boot 1's sequence numbers at the gateway have no gap, and hold at least what it offered before the cut
        List<Long> seqs = received.keySet().stream().filter(k -> boot(k).equals(firstBoot))
                .map(k -> Long.parseLong(k.substring(k.lastIndexOf(':') + 1))).sorted().toList();
        assertEquals(seqs.getLast() - seqs.getFirst() + 1, seqs.size(), "boot 1's readings without a gap: " + seqs);
        assertTrue(seqs.size() >= beforeCut.size(), seqs.size() + " of boot 1's readings arrived, " + beforeCut.size() + " were offered");
        String secondBoot = boot(received.keySet().stream().filter(k -> !boot(k).equals(firstBoot)).findFirst().orElseThrow());
        assertNotEquals(firstBoot, secondBoot);
        assertTrue(firstBoot.startsWith("1-") && secondBoot.startsWith("2-"), "boots counted across the cut: " + firstBoot + ", " + secondBoot);
        // values: what the BME280 model was set to, through the chip's registers and the driver's compensation
        for (Map.Entry<String, HostGateway.Received> e : received.entrySet()) assertBench(e.getKey(), e.getValue());
        System.out.printf("readings at the gateway: %d (%d of boot 1, offered before the cut: %d)%n", received.size(), seqs.size(),
                beforeCut.size());
    }

    @Test
    @Order(3)
    void rpi3ImageBootsToTheSensorApplianceInRaspi3b() throws Exception {
        Path pi = Files.createDirectories(dir.resolve("pi"));
        Path rpiImage = pi.resolve("sensor-rpi3.img");
        new ImageBuilder(Progress.SILENT).build(TestImages.request(Board.RPI3, TestImages.config(pi, "rpi3", gateway.port()),
                rpiImage, TestImages.sensorAppliance()));
        for (String f : List.of("bootcode.bin", "start_cd.elf", "fixup_cd.dat", "config.txt", "bcm2837-rpi-3-b.dtb"))
            TestImages.extract(rpiImage, f, pi);
        String config = Files.readString(pi.resolve("config.txt"));
        assertTrue(config.contains("arm_64bit=1") && config.contains("initramfs initrd.img followkernel"), config);
        assertTrue(config.contains("\ngpu_mem=16\n"), "the cut-down firmware is selected by gpu_mem=16 alone: " + config);
        assertTrue(Files.size(rpiImage) <= 48_000_000, "the rpi3 image with its default data partition: " + Files.size(rpiImage) + " bytes");
        Path kernel = TestImages.extract(rpiImage, "vmlinuz", pi);
        Path initrd = TestImages.extract(rpiImage, "initrd.img", pi);
        String cmdline = Files.readString(TestImages.extract(rpiImage, "cmdline.txt", pi)).trim();
        try (Qemu q = Qemu.raspi3b(kernel, pi.resolve("bcm2837-rpi-3-b.dtb"), initrd, cmdline, rpiImage)) {
            Qemu.Line main = q.await(l -> l.contains("] starting " + Appliance.SENSOR_MAIN), Duration.ofSeconds(240),
                    "Init starting the sensor appliance on the mini-UART");
            // the appliance opens the Pi's GPIO chip through Pi4J, then prints its start line
            Qemu.Line board = q.await(l -> l.contains("Pi4J context/runtime successfully initialized"), Duration.ofSeconds(120),
                    "the appliance's board opened through Pi4J");
            Qemu.Line start = q.await(l -> l.contains("device test-climate starting: boot"), Duration.ofSeconds(120),
                    "the sensor appliance's start line");
            assertTrue(q.lines().stream().anyMatch(l -> l.text().contains("Using chip gpiochip0 pinctrl-bcm2835")), q.tail(40));
            assertTrue(q.lines().stream().anyMatch(l -> l.text().contains("] up: java ") && l.text().contains("sharing")),
                    "PID 1's JVM uses the class archive on the Pi too:\n" + q.tail(40));
            assertTrue(q.lines().stream().anyMatch(l -> l.text().contains("data partition /dev/mmcblk0p2 mounted on /var/lib/lichen")),
                    "the SD card's data partition mounted:\n" + q.tail(40));
            assertTrue(q.lines().stream().noneMatch(l -> l.text().contains("watchdog /dev/watchdog armed") && l.millis() < start.millis()),
                    "the watchdog is armed only once the appliance has started:\n" + q.tail(40));
            System.out.printf("raspi3b: Init starts the appliance at %d ms, its board is open at %d ms, its start line at %d ms%n",
                    main.millis(), board.millis(), start.millis());
        }
        // (Init arms the bcm2835 watchdog once the appliance has started; QEMU's raspi3b resets the
        // machine the moment the watchdog is armed, as it does not emulate the watchdog's timer.)
    }

    private static String boot(String key) {
        return key.substring(0, key.lastIndexOf(':'));
    }

    private static void assertBench(String key, HostGateway.Received r) {
        var bench = BenchModels.BENCH;
        switch (r.channel()) {
            case "temperature" -> assertReading(key, r, "Cel", bench.temperatureC(), 0.05);
            case "humidity" -> assertReading(key, r, "%RH", bench.humidityPercent(), 0.5);
            case "pressure" -> assertReading(key, r, "Pa", bench.pressurePa(), 5);
            default -> throw new AssertionError("reading " + key + ": unexpected channel " + r);
        }
    }

    private static void assertReading(String key, HostGateway.Received r, String unit, double expected, double tolerance) {
        assertEquals(unit, r.unit(), "unit of " + key);
        assertEquals(expected, r.value(), tolerance, "value of " + key + " (" + r.channel() + ")");
    }

    /** The fingerprint on the device's identity line of the serial console. */
    /** The fingerprint the appliance prints for its own key pair on the serial line. */
    static String identityLine(Qemu q) throws Exception {
        Qemu.Line line = q.await(l -> l.contains("identity: public key fingerprint "), Duration.ofSeconds(60), "the device's identity line");
        var m = java.util.regex.Pattern.compile("fingerprint ([0-9A-F]{4}(-[0-9A-F]{4}){3})").matcher(line.text());
        assertTrue(m.find(), line.text());
        return m.group(1);
    }
}
