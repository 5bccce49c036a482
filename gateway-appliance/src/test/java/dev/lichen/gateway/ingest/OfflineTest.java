package dev.lichen.gateway.ingest;

import static dev.lichen.gateway.testing.Clients.pack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.live.LiveEvent;
import dev.lichen.gateway.testing.Clients;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CoAP device that falls silent is marked offline by the gateway (store, API view, live bus) and
 * online again when it sends; an MQTT device, whose broker session says it is connected, is not.
 */
class OfflineTest {
    static final SenmlCodec CODEC = new SenmlCodec();

    @TempDir
    Path dir;

    @Test
    void aQuietCoapDeviceGoesOfflineAndComesBackWhenItSends() throws Exception {
        try (Gateway gw = Gateway.start(GatewayConfig.forTest(dir).withOfflineAfterSeconds(1), List.of())) {
            var changes = new LinkedBlockingQueue<dev.lichen.gateway.store.Device>();
            var sub = gw.liveBus().subscribe(e -> {
                if (e instanceof LiveEvent.DeviceChanged c && c.device().id().equals("quiet")) changes.add(c.device());
            });
            CoapClient coap = Clients.coap(gw.coapPort());
            MqttClient mqtt = new MqttClient("tcp://127.0.0.1:" + gw.mqttPort(), "talkative", new MemoryPersistence());
            try {
                MqttConnectOptions o = new MqttConnectOptions();
                o.setWill("lichen/talkative/status", "offline".getBytes(), 1, true);
                mqtt.connect(o);
                mqtt.publish("lichen/talkative/status", "online".getBytes(), 1, true);
                mqtt.publish("lichen/talkative/readings", CODEC.encode(pack("talkative", "b", 0, 1, 1), SenmlFormat.CBOR), 1, false);

                assertEquals(ResponseCode.CHANGED, coap.post(CODEC.encode(pack("quiet", "b", 0, 1, 1), SenmlFormat.CBOR), 112).getCode());
                assertEquals(ResponseCode.CHANGED, coap.post(CODEC.encode(pack("quiet", "b", 1, 1, 1), SenmlFormat.CBOR), 112).getCode());
                long lastSent = System.currentTimeMillis();
                // 2.04 means durable in the journal; the store and the live bus follow it: wait for the bus
                var first = changes.poll(5, TimeUnit.SECONDS);
                assertTrue(first != null && first.online(), "the new device was published online: " + first);
                assertTrue(gw.store().device("quiet").orElseThrow().online());

                var off = changes.poll(10, TimeUnit.SECONDS);
                assertTrue(off != null && !off.online(), "no offline event within 10 s of silence: " + off);
                assertTrue(System.currentTimeMillis() - lastSent >= 1000, "marked offline before the 1 s floor");
                assertFalse(gw.store().device("quiet").orElseThrow().online(), "the API shows the stored state");
                assertTrue(gw.store().device("talkative").orElseThrow().online(), "an MQTT device is judged by its session");

                assertEquals(ResponseCode.CHANGED, coap.post(CODEC.encode(pack("quiet", "b", 2, 1, 1), SenmlFormat.CBOR), 112).getCode());
                var on = changes.poll(5, TimeUnit.SECONDS);
                assertTrue(on != null && on.online(), "no online event after it sent again: " + on);
                assertTrue(gw.store().device("quiet").orElseThrow().online());
                Thread.sleep(1500);
                assertTrue(gw.store().device("talkative").orElseThrow().online(), "still connected, still online after 2.5 s quiet");
            } finally {
                sub.close();
                coap.shutdown();
                if (mqtt.isConnected()) mqtt.disconnect();
                mqtt.close();
            }
        }
    }
}
