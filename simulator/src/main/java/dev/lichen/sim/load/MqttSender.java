package dev.lichen.sim.load;

import dev.lichen.senml.Batch;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * One MQTT 5 connection per simulated device (client id = device id, as on a real device), all
 * running their Paho threads on one executor of virtual threads so that a thousand fit.
 */
final class MqttSender implements LoadGenerator.Sender {
    private final Map<String, MqttAsyncClient> clients = new ConcurrentHashMap<>();
    private final ScheduledExecutorService executor;
    private final SenmlCodec codec = new SenmlCodec();
    private final SenmlFormat format;

    MqttSender(URI gateway, List<String> ids, SenmlFormat format) throws Exception {
        // Paho keeps three long-running tasks per client: size the pool for them, on virtual threads
        this.format = format;
        this.executor = Executors.newScheduledThreadPool(3 * ids.size() + 4, Thread.ofVirtual().factory());
        String server = "tcp://" + gateway.getHost() + ":" + (gateway.getPort() < 0 ? 1883 : gateway.getPort());
        try (var connecting = Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<Object>> done = new java.util.ArrayList<>();
            for (String id : ids) {
                done.add(connecting.submit(() -> {
                    MqttAsyncClient c = new MqttAsyncClient(server, id, new MemoryPersistence(), null, executor);
                    MqttConnectionOptions o = new MqttConnectionOptions();
                    o.setCleanStart(true);
                    o.setAutomaticReconnect(false);
                    o.setConnectionTimeout(60);
                    o.setReceiveMaximum(65_535);
                    c.connect(o).waitForCompletion(60_000);
                    clients.put(id, c);
                    return null;
                }));
            }
            for (var f : done) f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            close();
            throw new IllegalStateException("cannot connect to " + server + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void send(Batch batch) throws Exception {
        String deviceId = batch.deviceId();
        MqttMessage m = new MqttMessage(codec.encode(batch, format));
        m.setQos(1);
        IMqttToken t = clients.get(deviceId).publish("lichen/" + deviceId + "/readings", m);
        t.waitForCompletion(60_000);
        if (t.getReasonCodes() != null) {
            for (int rc : t.getReasonCodes()) {
                if (rc >= 0x80) throw new IllegalStateException("PUBACK reason code 0x" + Integer.toHexString(rc));
            }
        }
    }

    @Override
    public void close() {
        try (var closing = Executors.newVirtualThreadPerTaskExecutor()) {
            for (MqttAsyncClient c : clients.values()) {
                closing.submit(() -> {
                    try {
                        c.disconnect(0).waitForCompletion(5_000);
                        c.close();
                    } catch (Exception e) {
                        // closing anyway
                    }
                });
            }
        }
        executor.shutdownNow();
    }
}
