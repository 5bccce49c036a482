package dev.lichen.gateway.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** `lichen gateway` as its own JVM (the test class path), for crash and load tests. */
public final class GatewayProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private GatewayProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the gateway (ingest only) and waits until it says it is ready. */
    public static GatewayProcess start(Path data, int coapPort, int mqttPort, Path log, String... jvmArgs)
            throws IOException, InterruptedException {
        return start(log, List.of("--data", data.toString(), "--bind", "127.0.0.1", "--coap-port", Integer.toString(coapPort),
                "--mqtt-port", Integer.toString(mqttPort), "--http-port", "0", "--ingest-only"), jvmArgs);
    }

    /** Starts {@code lichen gateway} with these arguments and waits until it says it is ready. */
    public static GatewayProcess start(Path log, List<String> gatewayArgs, String... jvmArgs) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.lichen.gateway.GatewayCommand"));
        cmd.addAll(gatewayArgs);
        Files.deleteIfExists(log);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        GatewayProcess g = new GatewayProcess(p, log);
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(log) && dev.lichen.gateway.GatewayCommand.saysReady(Files.readString(log))) return g;
            if (!p.isAlive()) throw new IllegalStateException("gateway exited at start:\n" + Files.readString(log));
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IllegalStateException("gateway not ready in 60 s:\n" + Files.readString(log));
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no flush, as a power cut would (for the process). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the shutdown hook commits what is queued. Returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("gateway did not stop in 60 s after SIGTERM");
        }
        return process.exitValue();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }

    public static int freeUdpPort() throws IOException {
        try (var s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** n distinct free TCP ports: each held open until all are chosen, so the OS cannot hand one out twice. */
    public static int[] freeTcpPorts(int n) throws IOException {
        var held = new java.util.ArrayList<java.net.ServerSocket>();
        try {
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                held.add(s);
                out[i] = s.getLocalPort();
            }
            return out;
        } finally {
            for (var s : held) s.close();
        }
    }

    public static int freeTcpPort() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
