package dev.lichen.runtime.uplink;

import static org.junit.jupiter.api.Assertions.*;

import dev.lichen.senml.Batch;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** Against a broker that speaks only MQTT 3.1.1 (Moquette 0.17), the uplink falls back from 5. */
class MqttFallbackTest {
    @Test
    void fallsBackToMqtt311WhenTheBrokerRefusesMqtt5() throws Exception {
        int port;
        try (var s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(port));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("allow_anonymous", "true");
        Server broker = new Server();
        broker.startServer(new MemoryConfig(p));
        var arrivals = new Arrivals();
        var receiver = new MqttAsyncClient("tcp://127.0.0.1:" + port, "test-gateway-311", new MemoryPersistence());
        try {
            var codec = new SenmlCodec();
            receiver.setCallback(new MqttCallback() {
                @Override public void connectionLost(Throwable cause) {}
                @Override public void messageArrived(String topic, MqttMessage m) throws Exception {
                    arrivals.add(codec.decodeBatch(m.getPayload(), SenmlFormat.CBOR));
                }
                @Override public void deliveryComplete(IMqttDeliveryToken t) {}
            });
            var o = new MqttConnectOptions();
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            receiver.connect(o).waitForCompletion(5000);
            receiver.subscribe("lichen/+/readings", 1).waitForCompletion(5000);

            try (var uplink = new MqttUplink("attic", "127.0.0.1", port, MqttUplinkTest.FAST)) {
                uplink.deliver(new Batch("attic", "b1", 3, List.of(CoapUplinkTest.temp(0))));
                assertEquals(MqttUplink.Protocol.V3, uplink.protocol(), "fell back to 3.1.1");
                uplink.deliver(new Batch("attic", "b1", 4, List.of(CoapUplinkTest.temp(1))));
            }
            Await.until(Duration.ofSeconds(5), () -> arrivals.distinct() == 2, () -> "2 readings through the 3.1.1 broker");
            assertEquals(List.of(3L, 4L), arrivals.all().stream().map(Arrivals.Seen::seq).toList());
        } finally {
            receiver.disconnectForcibly(0, 500);
            receiver.close(true);
            broker.stopServer();
        }
    }
}
