package dev.lichen.runtime.uplink;

import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** MqttUplink's session over Paho's MQTT 5 client. */
final class PahoV5Session implements MqttUplink.Session {
    private static final int UNSUPPORTED_PROTOCOL_VERSION = 0x84;

    private final MqttAsyncClient client;
    private final MqttConnectionOptions connect = new MqttConnectionOptions();
    private final String commandTopic;
    private final long timeoutMs;

    PahoV5Session(String serverUri, String clientId, MqttUplink.Options o, String statusTopic, byte[] will,
                  String commandTopic, BiConsumer<String, byte[]> commands) throws UplinkException {
        this.commandTopic = commandTopic;
        this.timeoutMs = o.timeout().toMillis();
        try {
            // the outbox is the durable store; Paho only needs to hold what is in flight
            client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new UplinkException("bad broker address " + serverUri + ": " + e.getMessage(), UplinkException.Kind.DEVICE_REFUSED, e);
        }
        client.setCallback(new MqttCallback() {
            @Override public void disconnected(MqttDisconnectResponse r) {}
            @Override public void mqttErrorOccurred(MqttException e) {}
            @Override public void messageArrived(String topic, MqttMessage m) { commands.accept(topic, m.getPayload()); }
            @Override public void deliveryComplete(IMqttToken t) {}
            @Override public void connectComplete(boolean reconnect, String uri) {}
            @Override public void authPacketArrived(int reason, MqttProperties p) {}
        });
        connect.setCleanStart(false);
        connect.setSessionExpiryInterval(o.sessionExpiry().toSeconds());
        connect.setKeepAliveInterval((int) o.keepAlive().toSeconds());
        connect.setConnectionTimeout((int) Math.max(1, o.timeout().toSeconds()));
        connect.setAutomaticReconnect(false);
        MqttMessage lastWill = new MqttMessage(will, 1, true, null);
        connect.setWill(statusTopic, lastWill);
        // the gateway's CA only; Paho checks the host name against the certificate itself
        o.socketFactory(clientId).ifPresent(connect::setSocketFactory);
        o.username().ifPresent(connect::setUserName);
        o.password().ifPresent(p -> connect.setPassword(p.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public boolean connect() throws UplinkException {
        try {
            client.connect(connect).waitForCompletion(timeoutMs);
        } catch (MqttException e) {
            int code = e.getReasonCode();
            // 0x84 from an MQTT 5 broker; a 3.1.1 broker answers "unacceptable protocol level"
            // (1) in a CONNACK that Paho's MQTT 5 decoder rejects as an invalid return code
            if (code == UNSUPPORTED_PROTOCOL_VERSION || code == 1
                    || code == MqttException.REASON_CODE_INVALID_RETURN_CODE
                    || code == MqttException.REASON_CODE_UNSUPPORTED_PROTOCOL_VERSION) {
                return false;
            }
            throw PahoV3Session.connectFailure(code, e.getMessage(), e);
        }
        try {
            client.subscribe(commandTopic, 1).waitForCompletion(timeoutMs);
        } catch (MqttException e) {
            throw new UplinkException("subscribing to " + commandTopic + ": " + e.getMessage(), UplinkException.Kind.AWAY, e);
        }
        return true;
    }

    @Override
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public int publish(String topic, byte[] payload, boolean retained) throws UplinkException {
        try {
            IMqttToken token = client.publish(topic, payload, 1, retained);
            token.waitForCompletion(timeoutMs);
            int[] codes = token.getReasonCodes();
            return codes == null || codes.length == 0 ? 0 : codes[0];
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
