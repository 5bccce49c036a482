package dev.lichen.runtime.uplink;

import java.util.function.BiConsumer;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** MqttUplink's session over Paho's MQTT 3.1.1 client (no reason codes on PUBACK). */
final class PahoV3Session implements MqttUplink.Session {
    private final MqttAsyncClient client;
    private final MqttConnectOptions connect = new MqttConnectOptions();
    private final String commandTopic;
    private final long timeoutMs;

    PahoV3Session(String serverUri, String clientId, MqttUplink.Options o, String statusTopic, byte[] will,
                  String commandTopic, BiConsumer<String, byte[]> commands) throws UplinkException {
        this.commandTopic = commandTopic;
        this.timeoutMs = o.timeout().toMillis();
        try {
            client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new UplinkException("bad broker address " + serverUri + ": " + e.getMessage(), UplinkException.Kind.DEVICE_REFUSED, e);
        }
        client.setCallback(new MqttCallback() {
            @Override public void connectionLost(Throwable cause) {}
            @Override public void messageArrived(String topic, MqttMessage m) { commands.accept(topic, m.getPayload()); }
            @Override public void deliveryComplete(IMqttDeliveryToken t) {}
        });
        connect.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        connect.setCleanSession(false);
        connect.setKeepAliveInterval((int) o.keepAlive().toSeconds());
        connect.setConnectionTimeout((int) Math.max(1, o.timeout().toSeconds()));
        connect.setAutomaticReconnect(false);
        connect.setWill(statusTopic, will, 1, true);
        // the gateway's CA only; Paho checks the host name against the certificate itself
        o.socketFactory(clientId).ifPresent(connect::setSocketFactory);
        o.username().ifPresent(connect::setUserName);
        o.password().ifPresent(p -> connect.setPassword(p.toCharArray()));
    }

    @Override
    public boolean connect() throws UplinkException {
        try {
            client.connect(connect).waitForCompletion(timeoutMs);
        } catch (MqttException e) {
            int code = e.getReasonCode();
            if (code == MqttException.REASON_CODE_INVALID_PROTOCOL_VERSION) return false;
            throw connectFailure(code, e.getMessage(), e);
        }
        try {
            client.subscribe(commandTopic, 1).waitForCompletion(timeoutMs);
        } catch (MqttException e) {
            throw new UplinkException("subscribing to " + commandTopic + ": " + e.getMessage(), UplinkException.Kind.AWAY, e);
        }
        return true;
    }

    /** CONNACK codes 4 and 5 (3.1.1), 0x86/0x87 (5): the broker does not take this device. */
    static UplinkException connectFailure(int code, String message, Exception cause) {
        boolean refused = code == 4 || code == 5 || code == 0x86 || code == 0x87 || code == 0x85 || code == 2;
        return new UplinkException("connect: " + message,
                refused ? UplinkException.Kind.DEVICE_REFUSED : UplinkException.Kind.AWAY, cause);
    }

    @Override
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public int publish(String topic, byte[] payload, boolean retained) throws UplinkException {
        try {
            client.publish(topic, payload, 1, retained).waitForCompletion(timeoutMs);
            return 0;
        } catch (MqttException e) {
            throw new UplinkException("no PUBACK: " + e.getMessage(), UplinkException.Kind.AWAY, e);
        }
    }

    @Override
    public void abandon() {
        try {
            client.disconnectForcibly(0, 100, false);
            client.close(true);
        } catch (MqttException e) {
            // the point is to be gone
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) client.disconnect(timeoutMs).waitForCompletion(timeoutMs);
        } catch (MqttException e) {
            // going away anyway
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // idem
        }
    }
}
