package dev.lichen.benchmarks.gateway;

import dev.lichen.runtime.uplink.CoapUplink;
import dev.lichen.runtime.uplink.MqttUplink;
import dev.lichen.runtime.uplink.TrustedCa;
import dev.lichen.runtime.uplink.Uplink;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many devices a second can (re)connect and deliver a pack, by how they authenticate: plain
 * CoAP, CoAPS with a pre-shared key, CoAPS with the device's own key pair (raw public key, ECDHE-ECDSA
 * P-256, the gateway presenting its certificate), plain anonymous MQTT, and MQTT over TLS logging in with the pre-shared
 * key as password or presenting the device's own key in a self-signed client certificate. Each try
 * is what a device does after a reboot or a gateway restart: a new endpoint, a full handshake, one
 * pack of one reading acknowledged (CoAP: a confirmable POST; MQTT 5: CONNECT, the retained
 * "online" status, the QoS 1 pack, the retained "offline" status, DISCONNECT), close.
 * The gateway runs as its own process; this process is the devices ({@code --threads} at a time).
 * Prints one line per mode with the CPU of both sides, for BENCHMARKS.md.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.lichen.benchmarks.gateway.HandshakeLoad [--threads 8] [--seconds 20]
 *     [--warmup 5] [--gateway-jvm "-Xmx112m"] [--only coap,coaps-psk,coaps-own-key,mqtt,mqtts-password,mqtts-own-key]</pre>
 */
public final class HandshakeLoad {
    int threads = 8;
    int seconds = 20;
    int warmup = 5;
    String gatewayJvm = "";
    java.util.Set<Mode> only = java.util.EnumSet.allOf(Mode.class);

    enum Mode { COAP, COAPS_PSK, COAPS_OWN_KEY, MQTT, MQTTS_PASSWORD, MQTTS_OWN_KEY }

    public static void main(String[] args) throws Exception {
        HandshakeLoad l = new HandshakeLoad();
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--threads" -> l.threads = Integer.parseInt(v);
                case "--seconds" -> l.seconds = Integer.parseInt(v);
                case "--warmup" -> l.warmup = Integer.parseInt(v);
                case "--gateway-jvm" -> l.gatewayJvm = v;
                case "--only" -> {
                    l.only = java.util.EnumSet.noneOf(Mode.class);
                    for (String m : v.split(",")) l.only.add(Mode.valueOf(m.strip().toUpperCase(java.util.Locale.ROOT).replace('-', '_')));
                }
                default -> {
                    System.err.println("unknown flag " + args[i] + "; flags: --threads N --seconds N --warmup N --gateway-jvm \"OPTS\" --only coap,coaps-psk,coaps-own-key,mqtt,mqtts-password,mqtts-own-key");
                    System.exit(2);
                }
            }
        }
        l.run();
        System.exit(0);
    }

    void run() throws Exception {
        Path tmp = Files.createTempDirectory("lichen-handshakes");
        // one pre-shared key per device thread, imported at start
        List<String> lines = new ArrayList<>();
        List<byte[]> psks = new ArrayList<>();
        var random = new java.security.SecureRandom();
        for (int t = 0; t < threads; t++) {
            byte[] k = new byte[32];
            random.nextBytes(k);
            psks.add(k);
            lines.add("psk-" + t + " " + Base64.getEncoder().encodeToString(k));
        }
        Path pskFile = Files.write(tmp.resolve("keys"), lines);
        int coap = IngestLoad.freeUdp(), coaps = IngestLoad.freeUdp();
        mqttTls = IngestLoad.freeTcp();
        mqttPlain = IngestLoad.freeTcp();
        Process gw = IngestLoad.startGateway(tmp.resolve("data"), List.of("--coap-port", Integer.toString(coap),
                "--coaps-port", Integer.toString(coaps), "--mqtt-port", Integer.toString(mqttPlain),
                "--mqtt-tls-port", Integer.toString(mqttTls), "--http-port", "0", "--ingest-only", "--psk-file", pskFile.toString(),
                "--max-new-devices", "1000", "--per-address-rate", "1000"), gatewayJvm, tmp.resolve("gateway.log"));
        try {
            TrustedCa ca = TrustedCa.read(tmp.resolve("data/tls/ca.crt"));
            List<KeyPair> own = new ArrayList<>();
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            for (int t = 0; t < threads; t++) own.add(g.generateKeyPair());
            System.out.printf("%d device threads, %d s each after %d s warm-up; %d cores (nproc), Java %s%n", threads, seconds, warmup,
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            System.out.println("| link | connects + first pack /s | failed | gateway CPU (cores) | device process CPU (cores) |");
            System.out.println("|---|---:|---:|---:|---:|");
            for (Mode m : only) {
                measure(m, gw.pid(), coap, coaps, psks, own, ca, warmup, false);
                measure(m, gw.pid(), coap, coaps, psks, own, ca, seconds, true);
            }
        } finally {
            gw.destroy();
            gw.waitFor();
        }
    }

    int mqttTls, mqttPlain;

    void measure(Mode m, long gatewayPid, int coap, int coaps, List<byte[]> psks, List<KeyPair> own, TrustedCa ca, int secs,
                 boolean print) throws Exception {
        AtomicLong ok = new AtomicLong(), failed = new AtomicLong(), seq = new AtomicLong();
        long self = ProcessHandle.current().pid();
        double gwCpu0 = dev.lichen.benchmarks.Cpu.seconds(gatewayPid), selfCpu0 = dev.lichen.benchmarks.Cpu.seconds(self);
        long start = System.nanoTime(), end = start + secs * 1_000_000_000L;
        var options = CoapUplink.Options.defaults();
        var mqtt = MqttUplink.Options.defaults().withProtocol(MqttUplink.Protocol.V5);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int i = t;
            workers.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    String id = switch (m) {
                        case COAP -> "plain-" + i;
                        case COAPS_PSK -> "psk-" + i;
                        case COAPS_OWN_KEY -> "own-" + i;
                        case MQTT -> "mqtt-" + i;
                        case MQTTS_PASSWORD -> "psk-" + i;
                        case MQTTS_OWN_KEY -> "mqtt-own-" + i;
                    };
                    try (Uplink u = switch (m) {
                        case COAP -> new CoapUplink("127.0.0.1", coap, java.util.Optional.empty(), options);
                        case COAPS_PSK -> new CoapUplink("127.0.0.1", coaps,
                                java.util.Optional.of(new CoapUplink.PskCredentials(id, psks.get(i))), options);
                        case COAPS_OWN_KEY -> new CoapUplink("127.0.0.1", coaps, new CoapUplink.OwnKey(own.get(i), ca), options);
                        case MQTT -> new MqttUplink(id, "127.0.0.1", mqttPlain, mqtt);
                        case MQTTS_PASSWORD -> new MqttUplink(id, "127.0.0.1", mqttTls, mqtt.withTls(ca).withCredentials(
                                java.util.Optional.of(id), java.util.Optional.of(Base64.getEncoder().encodeToString(psks.get(i))), true));
                        case MQTTS_OWN_KEY -> new MqttUplink(id, "127.0.0.1", mqttTls, mqtt.withOwnKey(ca, own.get(i)));
                    }) {
                        u.deliver(new Batch(id, "hs", seq.incrementAndGet(),
                                List.of(new Reading("temperature", "Cel", new Value.Number(20), System.currentTimeMillis()))));
                        ok.incrementAndGet();
                    } catch (Exception e) {
                        if (failed.incrementAndGet() == 1) System.err.println(m + ": " + e.getMessage());
                    }
                }
            }));
        }
        for (Thread w : workers) w.join();
        double wall = (System.nanoTime() - start) / 1e9;
        if (print) {
            System.out.printf("| %s | %,.0f | %d | %.2f | %.2f |%n", m.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
                    ok.get() / wall, failed.get(), (dev.lichen.benchmarks.Cpu.seconds(gatewayPid) - gwCpu0) / wall,
                    (dev.lichen.benchmarks.Cpu.seconds(self) - selfCpu0) / wall);
        }
    }
}
