package dev.lichen.runtime.uplink;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.storage.Outbox;
import dev.lichen.senml.Batch;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MqttUplink and the pump against a real mosquitto on a free loopback port. */
class MqttUplinkTest {
    static final String BOOT = "b77";
    static final MqttUplink.Options FAST = MqttUplink.Options.defaults().withTimeout(Duration.ofSeconds(2));

    @TempDir Path dir;

    /**
     * The receiving side: an MQTT 5 client with a kept session (so that the broker queues for it
     * while it is away), decoding each pack and recording every arrival, duplicates included. It
     * reconnects when the test says so rather than on Paho's timer, so that a slow reconnect on a
     * loaded machine is waited for instead of racing the assertions.
     */
    static final class Receiver implements AutoCloseable {
        final Arrivals arrivals = new Arrivals();
        final Map<String, String> retained = new ConcurrentHashMap<>();
        final MqttConnectionOptions options = new MqttConnectionOptions();
        final int port;
        volatile MqttAsyncClient client;

        Receiver(int port) throws MqttException {
            this.port = port;
            options.setCleanStart(false);
            options.setSessionExpiryInterval(600L);
            options.setConnectionTimeout(3);
            client = newClient();
            client.connect(options).waitForCompletion(5000);
            client.subscribe(new String[] {"lichen/+/readings", "lichen/+/status"}, new int[] {1, 1}).waitForCompletion(5000);
        }

        private MqttAsyncClient newClient() throws MqttException {
            var codec = new SenmlCodec();
            var c = new MqttAsyncClient("tcp://127.0.0.1:" + port, "test-gateway", new MemoryPersistence());
            c.setCallback(new MqttCallback() {
                @Override public void disconnected(MqttDisconnectResponse r) {}
                @Override public void mqttErrorOccurred(MqttException e) {}
                @Override public void messageArrived(String topic, MqttMessage m) throws Exception {
                    if (topic.endsWith("/readings")) arrivals.add(codec.decodeBatch(m.getPayload(), SenmlFormat.CBOR));
                    else retained.put(topic, new String(m.getPayload(), StandardCharsets.UTF_8));
                }
                @Override public void deliveryComplete(IMqttToken t) {}
                @Override public void connectComplete(boolean reconnect, String uri) {}
                @Override public void authPacketArrived(int reason, MqttProperties p) {}
            });
            return c;
        }

        /**
         * Back on the kept session: the broker hands over what it queued while we were away. Each
         * attempt is a new client on the same session, bounded by the connect timeout: a client
         * whose lost connection is still being torn down refuses to connect again (seen once in
         * CI, on a fresh machine), and a new one has no such state.
         */
        void reconnect(Duration within, Mosquitto broker) throws Exception {
            long deadline = System.nanoTime() + within.toNanos();
            List<String> errors = new java.util.ArrayList<>();
            while (!client.isConnected()) {
                try {
                    client.disconnectForcibly(0, 100, false);
                } catch (MqttException alreadyDown) {
                    // nothing to tear down
                }
                client.close(true);
                client = newClient();
                try {
                    client.connect(options).waitForCompletion(5000);
                } catch (MqttException notYet) {
                    errors.add(notYet.toString());
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the receiver could not reconnect in " + within.toSeconds() + " s: " + errors
                                + "; broker log:\n" + broker.log(), notYet);
                    }
                    Thread.sleep(200);
                }
            }
        }

        void send(String topic, String text) throws MqttException {
            client.publish(topic, text.getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(5000);
        }

        @Override
        public void close() throws MqttException {
            client.disconnectForcibly(0, 500, true);
            client.close(true);
        }
    }

    @Test
    void brokerAwayThenBackDeliversEveryReadingAtLeastOnceInOrder() throws Exception {
        try (var broker = new Mosquitto(dir).start();
             var receiver = new Receiver(broker.port());
             Outbox outbox = CoapUplinkTest.newOutbox(dir);
             var uplink = new MqttUplink("kitchen", "127.0.0.1", broker.port(), FAST);
             var pump = new UplinkPump("kitchen", outbox, uplink, Clock.SYSTEM, CoapUplinkTest.PUMP).start()) {
            var sent = new CoapUplinkTest.Sent();
            sent.queue(outbox, pump, BOOT, 0, 20, 0);
            Await.until(Duration.ofSeconds(10), () -> receiver.arrivals.distinct() == 20, () -> "20 readings at the receiver");
            assertEquals(MqttUplink.Protocol.V5, uplink.protocol());

            broker.stop();
            sent.queue(outbox, pump, BOOT, 20, 80, 5);
            Await.until(Duration.ofSeconds(10), () -> pump.stats().link() == UplinkPump.Link.LOST, () -> "the pump notices the broker is away");
            assertEquals(60, outbox.stats().pending(), "readings accumulate in the outbox while the broker is away");

            broker.start();
            receiver.reconnect(Duration.ofSeconds(30), broker);
            Await.until(Duration.ofSeconds(20), () -> outbox.stats().pending() == 0, () -> "the backlog drains");
            Await.until(Duration.ofSeconds(10), () -> receiver.arrivals.distinct() == 80, () -> "80 readings at the receiver, saw "
                    + receiver.arrivals.distinct() + "; receiver connected: " + receiver.client.isConnected()
                    + "; broker log:\n" + broker.log());
            assertEquals(UplinkPump.Link.CONNECTED, pump.stats().link());
            // QoS 1 is at-least-once: a PUBACK lost in the broker's shutdown may cause a re-send;
            // the gateway dedups by (boot, seq). What must hold: all arrive, first copies in order.
            receiver.arrivals.assertAtLeastOnceInOrder(BOOT, sent.seqs, sent.readings);
        }
    }

    @Test
    void statusIsRetainedOnlineThenOfflineAndCommandsArrive() throws Exception {
        try (var broker = new Mosquitto(dir).start();
             var receiver = new Receiver(broker.port())) {
            List<String> commands = new CopyOnWriteArrayList<>();
            var uplink = new MqttUplink("porch", "127.0.0.1", broker.port(), FAST);
            uplink.onCommands("porch", payload -> commands.add("lichen/porch/cmd " + new String(payload, StandardCharsets.UTF_8)));
            uplink.deliver(new Batch("porch", BOOT, 1, List.of(CoapUplinkTest.temp(0))));
            Await.until(Duration.ofSeconds(5), () -> "online".equals(receiver.retained.get("lichen/porch/status")), () -> "status online");

            receiver.send("lichen/porch/cmd", "identify");
            Await.until(Duration.ofSeconds(5), () -> commands.contains("lichen/porch/cmd identify"), () -> "the command reaches the device");

            uplink.close(); // a clean goodbye says offline itself
            Await.until(Duration.ofSeconds(5), () -> "offline".equals(receiver.retained.get("lichen/porch/status")), () -> "status offline");

            var again = new MqttUplink("porch", "127.0.0.1", broker.port(), FAST);
            again.deliver(new Batch("porch", BOOT, 2, List.of(CoapUplinkTest.temp(1))));
            Await.until(Duration.ofSeconds(5), () -> "online".equals(receiver.retained.get("lichen/porch/status")), () -> "online again");
            again.abandon(); // a crash: no DISCONNECT, so the broker publishes the last will
            Await.until(Duration.ofSeconds(5), () -> "offline".equals(receiver.retained.get("lichen/porch/status")), () -> "the last will says offline");
            again.close();
        }
    }

    @Test
    void mqtt311Works() throws Exception {
        try (var broker = new Mosquitto(dir).start();
             var receiver = new Receiver(broker.port());
             var uplink = new MqttUplink("shed", "127.0.0.1", broker.port(), FAST.withProtocol(MqttUplink.Protocol.V3))) {
            uplink.deliver(new Batch("shed", BOOT, 5, List.of(CoapUplinkTest.temp(0), CoapUplinkTest.temp(1))));
            assertEquals(MqttUplink.Protocol.V3, uplink.protocol());
            Await.until(Duration.ofSeconds(5), () -> receiver.arrivals.distinct() == 2, () -> "2 readings");
            assertEquals(List.of(5L, 6L), receiver.arrivals.all().stream().map(Arrivals.Seen::seq).toList());
        }
    }

    @Test
    void noBrokerIsRetryable() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (var uplink = new MqttUplink("shed", "127.0.0.1", port, FAST)) {
            var e = assertThrows(UplinkException.class, () -> uplink.deliver(new Batch("shed", BOOT, 1, List.of(CoapUplinkTest.temp(0)))));
            assertTrue(e.retryable(), e.getMessage());
        }
    }
}
