package dev.lichen.benchmarks.gateway;

import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.senml.Value;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;

/**
 * The hostile-network load run of issue 14: a gateway process with its default limits; from
 * THIS process, distinct fake device ids send one NON CoAP pack each without any key, spread
 * over many loopback source addresses (127.0.0.0/8 is all this machine's) and over the run,
 * while one good device sends a CON pack every 200 ms. Prints the gateway's RSS before, at most
 * during and after, how many devices wait for adoption in its database afterwards, the answers
 * the fakes got by code, and whether the good device lost anything.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.lichen.benchmarks.gateway.NewDeviceFlood [--ids 10000]
 *     [--seconds 60] [--addresses 500] [--gateway-jvm "-Xmx256m"] [--gateway-flags "--max-new-devices 1000000 ..."]</pre>
 */
public final class NewDeviceFlood {
    static {
        CoapConfig.register();
        UdpConfig.register();
    }

    int ids = 10_000;
    int seconds = 60;
    int addresses = 500;
    String gatewayJvm = "";
    /** Extra `lichen gateway` flags, e.g. "--max-new-devices 1000000 --per-address-rate 1000000" for a gateway without limits. */
    String gatewayFlags = "";
    final SenmlCodec codec = new SenmlCodec();

    public static void main(String[] args) throws Exception {
        NewDeviceFlood f = new NewDeviceFlood();
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--ids" -> f.ids = Integer.parseInt(v);
                case "--seconds" -> f.seconds = Integer.parseInt(v);
                case "--addresses" -> f.addresses = Integer.parseInt(v);
                case "--gateway-jvm" -> f.gatewayJvm = v;
                case "--gateway-flags" -> f.gatewayFlags = v;
                default -> {
                    System.err.println("unknown flag " + args[i] + "; flags: --ids N --seconds N --addresses N (1..60000) --gateway-jvm \"OPTS\" --gateway-flags \"FLAGS\"");
                    System.exit(2);
                }
            }
        }
        if (f.addresses < 1 || f.addresses > 60_000) throw new IllegalArgumentException("--addresses must be 1..60000");
        f.run();
        System.exit(0);
    }

    Batch pack(String device, long seq) {
        return new Batch(device, "flood", seq, List.of(new Reading("temperature", "Cel", new Value.Number(20), System.currentTimeMillis())));
    }

    static byte[] nonPost(int messageId, byte[] cbor) {
        var b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0x50, 0x02, (byte) (messageId >> 8), (byte) messageId, (byte) 0xB1, 'r', 0x11, 112, (byte) 0xFF});
        b.writeBytes(cbor);
        return b.toByteArray();
    }

    /** 127.0.x.y for the i-th attacker address, from 127.0.16.1 on (clear of 127.0.0.1). */
    static String address(int i) {
        return "127.0." + (16 + i / 250) + "." + (1 + i % 250);
    }

    void run() throws Exception {
        Path tmp = Files.createTempDirectory("lichen-flood-");
        int coapPort = IngestLoad.freeUdp();
        List<String> flags = new ArrayList<>(List.of("--coap-port", Integer.toString(coapPort),
                "--mqtt-port", Integer.toString(IngestLoad.freeTcp()), "--http-port", "0", "--ingest-only"));
        for (String f : gatewayFlags.split(" ")) if (!f.isBlank()) flags.add(f);
        Process gw = IngestLoad.startGateway(tmp.resolve("data"), flags, gatewayJvm, tmp.resolve("gateway.log"));
        long pid = gw.pid();
        try {
            Configuration cfg = Configuration.createStandardWithoutFile();
            CoapClient good = new CoapClient("coap://127.0.0.1:" + coapPort + "/r");
            good.setEndpoint(CoapEndpoint.builder().setConfiguration(cfg).build());
            good.setTimeout(10_000L);
            AtomicLong goodSent = new AtomicLong(), goodAcked = new AtomicLong();
            // warm up with the good device alone, then the baseline
            for (int i = 0; i < 50; i++) goodPost(good, goodSent, goodAcked);
            Thread.sleep(2000);
            long rssBefore = IngestLoad.rssKb(pid);
            System.out.printf("gateway pid %d, RSS before the flood %d MB; %,d fake ids from %d addresses over %d s%n",
                    pid, rssBefore / 1024, ids, addresses, seconds);

            Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
            List<DatagramSocket> sockets = new ArrayList<>();
            List<Thread> readers = new ArrayList<>();
            for (int a = 0; a < addresses; a++) {
                DatagramSocket s = new DatagramSocket(new InetSocketAddress(address(a), 0));
                s.setSoTimeout(200);
                sockets.add(s);
            }
            // one reader for all sockets would need a selector; a virtual thread each is simpler
            var stop = new java.util.concurrent.atomic.AtomicBoolean();
            for (DatagramSocket s : sockets) {
                readers.add(Thread.ofVirtual().start(() -> {
                    byte[] buf = new byte[1500];
                    while (!stop.get()) {
                        try {
                            DatagramPacket p = new DatagramPacket(buf, buf.length);
                            s.receive(p);
                            if (p.getLength() >= 2) {
                                int code = buf[1] & 0xff;
                                answers.computeIfAbsent((code >> 5) + "." + String.format("%02d", code & 0x1f), k -> new AtomicLong()).incrementAndGet();
                            }
                        } catch (SocketTimeoutException idle) {
                            // look at stop again
                        } catch (java.io.IOException closed) {
                            return;
                        }
                    }
                }));
            }
            Thread goodLoop = Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    goodPost(good, goodSent, goodAcked);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            var to = new InetSocketAddress("127.0.0.1", coapPort);
            long t0 = System.nanoTime();
            long maxRss = rssBefore;
            for (int i = 0; i < ids; i++) {
                // spread evenly over the run
                long due = t0 + (long) (i * (seconds * 1e9 / ids));
                long wait = due - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                byte[] p = nonPost(i & 0xffff, codec.encode(pack("fake-" + i, 0), SenmlFormat.CBOR));
                sockets.get(i % addresses).send(new DatagramPacket(p, p.length, to));
                if (i % 1000 == 999) {
                    maxRss = Math.max(maxRss, IngestLoad.rssKb(pid));
                    System.out.printf("  %,d fake ids sent, gateway RSS %d MB%n", i + 1, IngestLoad.rssKb(pid) / 1024);
                }
            }
            Thread.sleep(3000);
            stop.set(true);
            goodLoop.join();
            for (Thread r : readers) r.join();
            for (DatagramSocket s : sockets) s.close();
            long rssAfter = IngestLoad.rssKb(pid);
            maxRss = Math.max(maxRss, rssAfter);
            good.shutdown();
            gw.destroy();
            gw.waitFor(60, TimeUnit.SECONDS);
            long waiting, goodStored;
            try (var c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("data/lichen.db"))) {
                try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM devices WHERE state = 'NEW'")) {
                    rs.next();
                    waiting = rs.getLong(1);
                }
                try (var rs = c.createStatement().executeQuery(
                        "SELECT COUNT(*) FROM readings r JOIN boots b ON b.id = r.boot WHERE b.device_id = 'good-cellar'")) {
                    rs.next();
                    goodStored = rs.getLong(1);
                }
            }
            System.out.println();
            System.out.println("| figure | value |");
            System.out.println("|---|---:|");
            System.out.printf("| gateway RSS before / max during / after (MB) | %d / %d / %d |%n", rssBefore / 1024, maxRss / 1024, rssAfter / 1024);
            System.out.printf("| RSS growth after the flood (MB) | %+d |%n", (rssAfter - rssBefore) / 1024);
            System.out.printf("| devices waiting for adoption afterwards (the good device included) | %d |%n", waiting);
            System.out.printf("| answers to the fakes by code | %s |%n", new TreeMap<>(answers));
            System.out.printf("| good device: packs sent / acknowledged / readings stored | %d / %d / %d |%n",
                    goodSent.get(), goodAcked.get(), goodStored);
        } finally {
            if (gw.isAlive()) gw.destroyForcibly();
        }
    }

    private void goodPost(CoapClient good, AtomicLong sent, AtomicLong acked) {
        long seq = sent.getAndIncrement();
        try {
            var r = good.post(codec.encode(pack("good-cellar", seq), SenmlFormat.CBOR), 112);
            if (r != null && r.getCode() == ResponseCode.CHANGED) acked.incrementAndGet();
        } catch (Exception e) {
            System.out.println("good device: " + e);
        }
    }
}
