package dev.lichen.runtime.system;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The JVM as the machine's init (PID 1). The kernel starts the java launcher directly
 * ({@code rdinit=/usr/lib/lichen/runtime/bin/java -- @/etc/lichen/java.args}), and this class
 * brings the machine up from Java: pseudo-filesystems, kernel modules, the data partition,
 * network (DHCP or static), clock (SNTP), the hardware watchdog; then it runs the appliance's
 * main under a {@link Supervisor}. Nothing else runs on the machine.
 *
 * <p>PID 1 must never exit (the kernel panics), so every step that fails is logged and the boot
 * goes on; an appliance that keeps failing gets a reboot, and a JVM that ends anyway (a
 * {@code System.exit}, {@link Machine#powerOff()}) syncs, unmounts and powers off or reboots.
 */
public final class Init {
    private final Properties p;
    private volatile boolean healthy = true;
    private volatile boolean dataMounted;

    Init(Properties p) {
        this.p = p;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: Init /etc/lichen/system.properties (run by the kernel as PID 1 on a Lichen image)");
            return;
        }
        if (!Machine.isInit()) {
            System.err.println("lichen-init: this JVM is not PID 1; Init only runs as a machine's init (on a Lichen image)");
            return;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            p.load(in);
        }
        new Init(p).boot();
    }

    static void log(String msg) {
        System.out.println("lichen-init: [" + uptime() + "] " + msg);
    }

    /** 2025-01-01T00:00:00Z: a clock before it was never set (a number, not Instant.parse: java.time's parser costs ~0.3 s of a boot under emulation). */
    static final long CLOCK_FLOOR_MILLIS = 1_735_689_600_000L;

    /** Seconds since the kernel started, as its own log shows them. */
    static String uptime() {
        try {
            return Files.readString(Path.of("/proc/uptime")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    void boot() throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(this::halt, "halt"));
        // the appliance starts at once, on its own thread: its first steps (reading its config, loading
        // its classes) need nothing of the machine and take seconds under emulation, so they run beside
        // the steps below; it waits at Machine.awaitReady() before it touches devices, files or network
        Machine.bringingUp();
        Thread appliance = Thread.ofPlatform().name("appliance").start(() -> {
            try {
                runAppliance();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            mountPseudoFilesystems();
            // java.vm.info says "sharing" when the JVM maps the image's class archive (the image tests check it)
            log("up: java " + Runtime.version() + " (" + System.getProperty("java.vm.info") + "), "
                    + Runtime.getRuntime().availableProcessors() + " cpu");
            CountDownLatch clockSet = new CountDownLatch(1);
            // the network's own modules load on its thread, beside the others: DHCP waits for none of the
            // disk's or the watchdog's modules, and the data partition for none of the network's
            Thread.ofVirtual().name("network").start(() -> {
                loadModules("net.modules");
                network(clockSet);
            });
            loadModules("modules");
            mountData();
            if (System.currentTimeMillis() < CLOCK_FLOOR_MILLIS) {
                // a board without a battery clock: readings would be stamped 1970; wait for SNTP a while
                log("clock unset (" + Instant.now() + "): waiting for SNTP");
                clockSet.await(Long.parseLong(p.getProperty("sntp.wait.seconds", "30")), java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            Machine.ready(); // whatever failed above was logged: the appliance goes on without it
        }
        log("machine ready");
        appliance.join();
    }

    private void mountPseudoFilesystems() {
        mount("proc", "/proc", "proc", Linux.MS_NOSUID | Linux.MS_NODEV | Linux.MS_NOEXEC, null);
        mount("sysfs", "/sys", "sysfs", Linux.MS_NOSUID | Linux.MS_NODEV | Linux.MS_NOEXEC, null);
        mount("devtmpfs", "/dev", "devtmpfs", Linux.MS_NOSUID, "mode=0755");
        mount("tmpfs", "/tmp", "tmpfs", Linux.MS_NOSUID | Linux.MS_NODEV, "mode=1777,size=16m");
        mount("tmpfs", "/run", "tmpfs", Linux.MS_NOSUID | Linux.MS_NODEV, "mode=0755,size=4m");
    }

    private static boolean mount(String src, String target, String type, long flags, String data) {
        try {
            Linux.mount(src, target, type, flags, data);
            return true;
        } catch (Linux.SyscallException e) {
            if (e.errno() == 16) return true; // EBUSY: already mounted (a restart of Init in place)
            log("mount " + target + ": " + e.getMessage());
            return false;
        }
    }

    /** Loads the listed modules in order; one that is built in or loaded already (by the other list) is passed over. */
    private void loadModules(String key) {
        List<String> modules = list(key);
        for (String m : modules) {
            try {
                Linux.initModule(Files.readAllBytes(Path.of(m)), "");
            } catch (Linux.SyscallException e) {
                if (e.errno() != 17) log("module " + m + ": " + e.getMessage()); // EEXIST: built in or loaded
            } catch (IOException e) {
                log("module " + m + ": " + e);
            }
        }
        if (!modules.isEmpty()) log(key + " loaded: " + modules.size());
    }

    private void startWatchdog() {
        String dev = p.getProperty("watchdog", "");
        if (dev.isEmpty()) return;
        if (!waitFor(Path.of(dev), Duration.ofSeconds(2))) {
            log("no watchdog at " + dev + ": running without one");
            return;
        }
        try {
            Watchdog.start(dev, Duration.ofSeconds(5), () -> healthy);
            log("watchdog " + dev + " armed");
        } catch (IOException e) {
            log("watchdog " + dev + ": " + e);
        }
    }

    private void mountData() {
        String dir = p.getProperty("data.dir", "/var/lib/lichen");
        Optional<String> dev = findDataPartition(p.getProperty("data.label", ""), p.getProperty("data.device", ""),
                Duration.ofSeconds(10));
        if (dev.isEmpty()) {
            log("data partition did not appear: the outbox lives in RAM until a restart");
            return;
        }
        try {
            Files.createDirectories(Path.of(dir));
        } catch (IOException e) {
            log("cannot create " + dir + ": " + e);
        }
        dataMounted = mount(dev.get(), dir, p.getProperty("data.fstype", "vfat"),
                Linux.MS_NOSUID | Linux.MS_NODEV | Linux.MS_NOEXEC | Linux.MS_NOATIME, p.getProperty("data.options", null));
        if (dataMounted) log("data partition " + dev.get() + " mounted on " + dir);
    }

    /**
     * The partition whose FAT volume label is the image's data label (device names differ between
     * boards and kernels: mmcblk0 or mmcblk1 on a Pi 4), else the configured device.
     */
    static Optional<String> findDataPartition(String label, String fallback, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        while (true) {
            if (!label.isEmpty()) {
                try (var s = Files.list(Path.of("/sys/class/block"))) {
                    for (Path b : s.sorted().toList()) {
                        if (!Files.exists(b.resolve("partition"))) continue;
                        String node = "/dev/" + b.getFileName();
                        if (label.equals(fatLabel(Path.of(node)))) return Optional.of(node);
                    }
                } catch (IOException e) {
                    // sysfs not there yet
                }
            }
            if (!fallback.isEmpty() && Files.exists(Path.of(fallback)) && label.isEmpty()) return Optional.of(fallback);
            if (System.nanoTime() > end) return fallback.isEmpty() || !Files.exists(Path.of(fallback)) ? Optional.empty() : Optional.of(fallback);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /** The volume label of a FAT12/16 boot sector (offset 43), or null. */
    static String fatLabel(Path device) {
        try (var in = Files.newInputStream(device)) {
            byte[] b = in.readNBytes(512);
            if (b.length < 512 || (b[510] & 0xFF) != 0x55 || (b[511] & 0xFF) != 0xAA || b[38] != 0x29) return null;
            return new String(b, 43, 11, java.nio.charset.StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return null;
        }
    }

    private void network(CountDownLatch clockSet) {
        try {
            Ipv4Interface lo = new Ipv4Interface("lo");
            lo.address((Inet4Address) InetAddress.getByName("127.0.0.1"), 8);
            lo.up();
            String name = p.getProperty("net.interface", "eth0");
            if (!waitFor(Path.of("/sys/class/net/" + name), Duration.ofSeconds(15))) {
                log("no network interface " + name);
                return;
            }
            Ipv4Interface eth = new Ipv4Interface(name);
            eth.up();
            Optional<Inet4Address> router;
            List<Inet4Address> ntp = List.of();
            String mode = p.getProperty("net.mode", "dhcp");
            if (mode.equals("static")) {
                String[] a = p.getProperty("net.address").split("/");
                eth.address((Inet4Address) InetAddress.getByName(a[0]), Integer.parseInt(a[1]));
                router = Optional.of((Inet4Address) InetAddress.getByName(p.getProperty("net.gateway")));
                router.ifPresent(r -> route(eth, r));
                log(name + " " + p.getProperty("net.address") + " (static)");
            } else {
                eth.broadcastRoute();
                Dhcp dhcp = new Dhcp(eth.hardwareAddress());
                Dhcp.Lease lease = dhcp.obtain(Duration.ofSeconds(60));
                eth.address(lease.address(), lease.prefixLength());
                lease.router().ifPresent(r -> route(eth, r));
                router = lease.router();
                ntp = lease.ntpServers();
                log(name + " " + lease.address().getHostAddress() + "/" + lease.prefixLength() + " via "
                        + router.map(InetAddress::getHostAddress).orElse("-") + " (DHCP, lease " + lease.time().toSeconds() + " s)");
                Thread.ofVirtual().name("dhcp-renew").start(() -> renew(dhcp, lease));
            }
            setClock(ntp, clockSet);
        } catch (Exception e) {
            log("network: " + e);
        } finally {
            clockSet.countDown(); // without network the appliance starts anyway: its outbox waits
        }
    }

    private static void route(Ipv4Interface eth, Inet4Address router) {
        try {
            eth.defaultRoute(router);
        } catch (Linux.SyscallException e) {
            log("default route: " + e.getMessage());
        }
    }

    private static void renew(Dhcp dhcp, Dhcp.Lease lease) {
        Dhcp.Lease current = lease;
        while (true) {
            try {
                Thread.sleep(current.time().dividedBy(2));
                current = dhcp.renew(current, Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                log("DHCP renew: " + e.getMessage());
            }
        }
    }

    private void setClock(List<Inet4Address> dhcpNtp, CountDownLatch clockSet) {
        String server = p.getProperty("sntp.server", "");
        int port = Integer.parseInt(p.getProperty("sntp.port", "123"));
        List<String> candidates = new java.util.ArrayList<>();
        if (!server.isEmpty()) candidates.add(server);
        dhcpNtp.forEach(a -> candidates.add(a.getHostAddress()));
        for (int attempt = 0; attempt < 5 && !candidates.isEmpty(); attempt++) {
            for (String c : candidates) {
                try {
                    long now = Sntp.query(new InetSocketAddress(c, port), Duration.ofSeconds(2));
                    Linux.setClock(now);
                    log("clock set from " + c + ": " + Instant.ofEpochMilli(now));
                    clockSet.countDown();
                    return;
                } catch (IOException e) {
                    if (attempt == 4) log("SNTP " + c + ": " + e.getMessage());
                }
            }
        }
        clockSet.countDown();
    }

    private void runAppliance() throws InterruptedException {
        String main = p.getProperty("main.class");
        String[] args = p.getProperty("main.args", "").isBlank() ? new String[0] : p.getProperty("main.args").trim().split("\\s+");
        Supervisor supervisor = new Supervisor(Integer.parseInt(p.getProperty("restart.max", "5")),
                Duration.ofSeconds(Long.parseLong(p.getProperty("restart.window.seconds", "600"))), System::nanoTime, Init::log);
        log("starting " + main + " " + String.join(" ", args));
        Thread.ofVirtual().name("rss").start(Init::logMemory);
        // armed once the appliance says it started (Machine.started()), or after watchdog.delay.seconds
        // at the latest: a slow first boot must not reset the board
        Thread.ofVirtual().name("watchdog-arm").start(() -> {
            try {
                long max = Long.parseLong(p.getProperty("watchdog.delay.seconds", "120"));
                if (!Machine.awaitStarted(Duration.ofSeconds(max)))
                    log("the appliance has not said it started within " + max + " s: arming the watchdog anyway");
                startWatchdog();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Supervisor.Outcome outcome = supervisor.run(() -> {
            try {
                Class.forName(main).getMethod("main", String[].class).invoke(null, (Object) args.clone());
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception ex ? ex : new RuntimeException(e.getCause());
            }
        }, Thread::sleep);
        if (outcome == Supervisor.Outcome.REBOOT) {
            healthy = false;
            log("the appliance keeps failing: rebooting");
            Machine.request = Machine.Request.REBOOT;
            System.exit(1);
        }
        // the appliance's main returned: its own threads carry on; init stays as long as the machine runs
        new CountDownLatch(1).await();
    }

    /** The machine's one program's resident memory, 15 s after the appliance started and every 10 minutes. */
    private static void logMemory() {
        try {
            Machine.awaitStarted(Duration.ofMinutes(10));
            Thread.sleep(15_000);
            while (true) {
                String rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                        .findFirst().orElse("VmRSS: ?").replaceAll("\\s+", " ");
                log("memory: " + rss);
                Thread.sleep(600_000);
            }
        } catch (IOException | InterruptedException e) {
            // no /proc: nothing to report
        }
    }

    /** Runs as the JVM ends: sync, unmount, then power off or reboot, so PID 1 never just exits. */
    private void halt() {
        Machine.Request r = Machine.request;
        log(r == Machine.Request.POWER_OFF ? "powering off" : "rebooting");
        Linux.sync();
        if (dataMounted) {
            try {
                Linux.umount(p.getProperty("data.dir", "/var/lib/lichen"));
            } catch (Linux.SyscallException e) {
                // EBUSY: the appliance still holds files open; the sync above has made them durable
                if (e.errno() != 16) log("unmount data: " + e.getMessage());
            }
        }
        Linux.sync();
        try {
            Linux.reboot(r == Machine.Request.POWER_OFF ? Linux.RB_POWER_OFF : Linux.RB_AUTOBOOT);
        } catch (Linux.SyscallException e) {
            log("reboot(2): " + e.getMessage());
        }
    }

    private List<String> list(String key) {
        String v = p.getProperty(key, "").trim();
        return v.isEmpty() ? List.of() : Arrays.stream(v.split(",")).map(String::trim).toList();
    }

    private static boolean waitFor(Path path, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        while (!Files.exists(path)) {
            if (System.nanoTime() > end) return false;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
