package dev.lichen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.runtime.uplink.CoapUplink;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import dev.lichen.sim.board.Scenarios;
import dev.lichen.sim.board.Simulation;
import dev.lichen.sim.board.TakenReading;
import dev.lichen.sim.faults.UdpProxy;
import dev.lichen.sim.scenario.Plan;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaultsTest {
    @TempDir
    Path dir;

    /** UDP loss and delay through the relay: CoAP's retransmissions still deliver every pack, later. */
    @Test
    void udpLossAndDelayAreSurvivedByCoapRetransmission() throws Exception {
        Set<Long> received = ConcurrentHashMap.newKeySet();
        CoapServer server = new CoapServer(CoapUplink.configuration(CoapUplink.Options.defaults()));
        server.addEndpoint(CoapEndpoint.builder().setConfiguration(CoapUplink.configuration(CoapUplink.Options.defaults()))
                .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build());
        server.add(new CoapResource("r") {
            @Override
            public void handlePOST(CoapExchange exchange) {
                try {
                    received.add(new dev.lichen.senml.SenmlCodec().decodeBatch(exchange.getRequestPayload(),
                            dev.lichen.senml.SenmlFormat.CBOR).firstSeq());
                    exchange.respond(CoAP.ResponseCode.CHANGED);
                } catch (dev.lichen.senml.SenmlException e) {
                    exchange.respond(CoAP.ResponseCode.BAD_REQUEST, e.getMessage());
                }
            }
        });
        server.start();
        int port = ((InetSocketAddress) server.getEndpoints().getFirst().getAddress()).getPort();
        try (UdpProxy proxy = new UdpProxy(new InetSocketAddress("127.0.0.1", port), 3);
             CoapUplink uplink = new CoapUplink("127.0.0.1", proxy.port(), Optional.empty(),
                     new CoapUplink.Options(dev.lichen.senml.SenmlFormat.CBOR, java.time.Duration.ofMillis(200), 6, 512))) {
            proxy.trouble(0.3, 20);
            long t0 = System.nanoTime();
            for (long seq = 0; seq < 20; seq++) {
                uplink.deliver(new Batch("d1", "b1", seq, List.of(new Reading("temperature", "Cel", new Value.Number(20), 1_800_000_000_000L))));
            }
            long took = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(20, received.size(), "every pack arrived");
            assertTrue(proxy.dropped() > 0, "the relay lost datagrams: " + proxy.dropped());
            assertTrue(took >= 20 * 2 * 20, "each exchange waited for the delay both ways: " + took + " ms");
        } finally {
            server.destroy();
        }
    }

    /** A stuck chip repeats its last value while the room changes; a NACKing one publishes nothing; a skewed clock shows in the times. */
    @Test
    void stuckAndNackingChipsBehaveAsOnABoard() throws Exception {
        String json = """
                {"seed": 3, "start": "2026-11-26T05:00:00Z", "duration": "90m",
                 "rooms": [{"name": "room", "initialC": 10, "heating": [{"from": "05:00", "to": "23:00", "setpointC": 22}]}],
                 "devices": [{"place": "room", "config": {"deviceId": "t1", "sensors": [
                   {"chip": "sht31", "bus": 1, "address": "0x44", "channels": {"temperature": "1m"}}]}}],
                 "faults": [{"type": "sensor", "at": "10m", "for": "20m", "devices": ["t1"], "chip": "sht31", "mode": "stuck"},
                            {"type": "sensor", "at": "50m", "for": "20m", "devices": ["t1"], "chip": "sht31", "mode": "nack"},
                            {"type": "clock-skew", "at": "80m", "devices": ["t1"], "skew": "90s"}]}
                """;
        Plan plan = Scenarios.loader().parse(json.getBytes(StandardCharsets.UTF_8), "f.json", List.of());
        int coap;
        int mqtt;
        try (DatagramSocket u = new DatagramSocket(0); ServerSocket t = new ServerSocket(0)) {
            coap = u.getLocalPort();
            mqtt = t.getLocalPort();
        }
        var nowhere = new Simulation.GatewayHandle() {
            @Override public String host() { return "127.0.0.1"; }
            @Override public int coapPort() { return coap; }
            @Override public int mqttPort() { return mqtt; }
        };
        Simulation sim = new Simulation(plan, nowhere, new Simulation.Options(dir, true, true, null));
        long failed;
        try {
            sim.start();
            sim.awaitEnd();
            failed = sim.device("t1").stats().failedReads();
        } finally {
            sim.close();
        }
        long start = plan.startMillis();
        List<TakenReading> all = sim.readings().all();
        List<Double> stuck = values(all, start + 12 * 60_000, start + 29 * 60_000);
        List<Double> warming = values(all, start + 31 * 60_000, start + 48 * 60_000);
        assertTrue(stuck.size() >= 15 && stuck.stream().distinct().count() == 1, "stuck at one value: " + stuck);
        assertTrue(warming.stream().distinct().count() > 5, "the heated room warms: " + warming);
        assertEquals(List.of(), values(all, start + 51 * 60_000, start + 69 * 60_000), "nothing while the chip NACKs");
        assertTrue(failed >= 18, "failed reads are counted: " + failed);
        assertTrue(values(all, start + 71 * 60_000, start + 79 * 60_000).size() >= 7, "readings again once it answers");
        // sampled once a minute: 90 s of skew moves every later time stamp half a minute off the grid
        long grid = all.getFirst().reading().timeMillis() % 60_000;
        var late = all.stream().filter(r -> r.reading().timeMillis() > start + 82 * 60_000).toList();
        assertTrue(!late.isEmpty() && late.stream().allMatch(r -> (r.reading().timeMillis() - grid) % 60_000 == 30_000),
                "skewed time stamps: " + late.stream().map(r -> r.reading().timeMillis() % 60_000).toList() + " vs grid " + grid);
    }

    private static List<Double> values(List<TakenReading> all, long from, long to) {
        return all.stream().filter(r -> r.reading().timeMillis() >= from && r.reading().timeMillis() <= to)
                .map(r -> ((Value.Number) r.reading().value()).value()).toList();
    }
}
