package dev.lichen.gateway.addons;

import dev.lichen.runtime.system.Linux;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gives each add-on a network of its own: a Linux network namespace {@code lichen-<id>} holding
 * only a loopback, so it cannot reach the gateway's CoAP and MQTT ingest, other add-ons, the LAN
 * or the internet. Two relays are its only ways out and in: inside its namespace,
 * 127.0.0.1:{gateway http port} leads to the gateway's HTTP server (the token-scoped add-on API),
 * and in the gateway's namespace a loopback port leads to the add-on's own server (for the
 * proxy). Sockets are made inside the namespace by one platform thread that enters it with
 * setns(2) and leaves again; the namespace itself is made with iproute2's {@code ip netns}.
 */
final class AddonNetwork {
    private static final System.Logger LOG = System.getLogger(AddonNetwork.class.getName());
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final String prefix;
    private final Path ip;
    private final String unavailable;
    private final Map<String, List<Closeable>> relays = new ConcurrentHashMap<>();
    /** Add-ons whose namespace this gateway made and has not removed yet (no `ip netns list` per start). */
    private final java.util.Set<String> made = ConcurrentHashMap.newKeySet();
    // setns moves one OS thread: a platform thread of its own, never a virtual thread's carrier
    private final ExecutorService nsThread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("addon-netns").unstarted(r));

    private AddonNetwork(Path ip, String unavailable, String prefix) {
        this.prefix = prefix;
        this.ip = ip;
        this.unavailable = unavailable;
    }

    /**
     * Namespaces need root and iproute2. Their names carry a digest of the add-ons folder, so two
     * gateways on one machine keep apart; this gateway's stale ones (a SIGKILL) are removed.
     */
    static AddonNetwork detect(boolean root, Path addonsRoot) {
        String prefix = "lichen-" + java.util.HexFormat.of().formatHex(dev.lichen.store.pkg.Keys.sha256(
                addonsRoot.toAbsolutePath().normalize().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))).substring(0, 8) + "-";
        if (!root) return new AddonNetwork(null, "add-ons share the gateway's network (it is not root)", prefix);
        Path ip = List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip").stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (ip == null) {
            return new AddonNetwork(null, "add-ons share the gateway's network: install iproute2 (the `ip` command) and restart the gateway to give each its own", prefix);
        }
        var n = new AddonNetwork(ip, null, prefix);
        try {
            for (String line : n.run("netns", "list").lines().toList()) {
                String name = line.split(" ")[0];
                if (name.startsWith(prefix)) n.run("netns", "delete", name);
            }
        } catch (IOException e) {
            return new AddonNetwork(null, "add-ons share the gateway's network: network namespaces do not work here (" + e.getMessage() + ")", prefix);
        }
        return n;
    }

    boolean enabled() {
        return unavailable == null;
    }

    /** Why add-ons share the gateway's network, or null when each has its own. */
    String unavailable() {
        return unavailable;
    }

    /**
     * Makes a fresh namespace for the add-on with its loopback up and, when gatewayHttpPort > 0,
     * the relay to the gateway's HTTP server listening in it; returns the command prefix that
     * runs a program inside.
     */
    List<String> enter(String id, int gatewayHttpPort) throws IOException {
        if (!enabled()) return List.of();
        leave(id);
        String ns = prefix + id;
        run("netns", "add", ns);
        made.add(id);
        run("-n", ns, "link", "set", "lo", "up");
        var mine = new CopyOnWriteArrayList<Closeable>();
        relays.put(id, mine);
        if (gatewayHttpPort > 0) {
            ServerSocketChannel inside = inside(ns, () -> ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, gatewayHttpPort)));
            mine.add(inside);
            accept(inside, () -> SocketChannel.open(new InetSocketAddress(LOOPBACK, gatewayHttpPort)));
        }
        return List.of(ip.toString(), "netns", "exec", ns);
    }

    /** A loopback port in the gateway's namespace that leads to {@code port} inside the add-on's (or port, when it has none). */
    int proxyTo(String id, int port) throws IOException {
        List<Closeable> mine = relays.get(id);
        if (mine == null) return port; // not in a namespace of its own: the port is right here
        String ns = prefix + id;
        ServerSocketChannel outside = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
        mine.add(outside);
        accept(outside, () -> {
            SocketChannel c = inside(ns, SocketChannel::open);
            c.connect(new InetSocketAddress(LOOPBACK, port));
            return c;
        });
        return ((InetSocketAddress) outside.getLocalAddress()).getPort();
    }

    /** Closes the add-on's relays and removes its namespace. */
    void leave(String id) {
        List<Closeable> mine = relays.remove(id);
        if (mine != null) {
            for (Closeable c : mine) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing a relay's listener: nothing left to do
                }
            }
        }
        if (!enabled() || !made.remove(id)) return;
        try {
            run("netns", "delete", prefix + id);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove network namespace " + prefix + id + ": " + e.getMessage());
        }
    }

    @FunctionalInterface
    private interface Opener {
        SocketChannel open() throws IOException;
    }

    private static void accept(ServerSocketChannel listener, Opener target) {
        Thread.ofVirtual().name("relay-" + listener).start(() -> {
            while (listener.isOpen()) {
                SocketChannel from;
                try {
                    from = listener.accept();
                } catch (IOException closed) {
                    return;
                }
                Thread.ofVirtual().start(() -> {
                    try {
                        pipe(from, target.open());
                    } catch (IOException e) {
                        closeQuietly(from);
                    }
                });
            }
        });
    }

    /** Copies both ways; each side's end of stream is passed on, and both close when both ended. */
    private static void pipe(SocketChannel a, SocketChannel b) {
        var ended = new AtomicInteger();
        for (var dir : List.of(new SocketChannel[] {a, b}, new SocketChannel[] {b, a})) {
            Thread.ofVirtual().start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
                try {
                    while (dir[0].read(buf) >= 0) {
                        buf.flip();
                        while (buf.hasRemaining()) dir[1].write(buf);
                        buf.clear();
                    }
                    dir[1].shutdownOutput();
                } catch (IOException e) {
                    closeQuietly(a);
                    closeQuietly(b);
                }
                if (ended.incrementAndGet() == 2) {
                    closeQuietly(a);
                    closeQuietly(b);
                }
            });
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already broken
        }
    }

    /** Runs make() with the namespace thread inside namespace ns, and brings the thread back. */
    private <T> T inside(String ns, Callable<T> make) throws IOException {
        try {
            return nsThread.submit(() -> {
                int home = Linux.openReadOnly("/proc/thread-self/ns/net");
                int there = Linux.openReadOnly("/run/netns/" + ns);
                try {
                    Linux.setns(there, Linux.CLONE_NEWNET);
                    try {
                        return make.call();
                    } finally {
                        Linux.setns(home, Linux.CLONE_NEWNET);
                    }
                } finally {
                    Linux.close(there);
                    Linux.close(home);
                }
            }).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("namespace " + ns + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IOException("namespace " + ns + ": " + e, e);
        }
    }

    private String run(String... args) throws IOException {
        var cmd = new ArrayList<String>();
        cmd.add(ip.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + ": " + out.strip());
            return out;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd));
        }
    }
}
