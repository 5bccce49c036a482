package dev.lichen.runtime.uplink;

import dev.lichen.senml.Batch;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers batches as QoS 1 publishes of a SenML pack to {@code lichen/{deviceId}/readings}
 * (Paho). deliver() returns only once the broker's PUBACK came back. Speaks MQTT 5 and falls
 * back to 3.1.1 when the broker refuses MQTT 5. The session is kept across reconnects (clean
 * start off, a session expiry), {@code lichen/{deviceId}/status} is retained "online" with a
 * retained "offline" last will, and commands arrive on {@code lichen/{deviceId}/cmd}.
 */
public final class MqttUplink implements Uplink {
    private static final Logger LOG = LoggerFactory.getLogger(MqttUplink.class);

    public enum Protocol { V5_THEN_V3, V5, V3 }

    /**
     * timeout bounds a connect and the wait for one PUBACK; sessionExpiry is how long the broker
     * keeps this device's session (and its unacknowledged messages) while it is away. With tls,
     * ca is the one authority trusted for the broker's certificate (absent: the JVM's own trust
     * store, for a broker with a public certificate). ownKey, with ca, is the device's key pair,
     * presented in a self-signed client certificate: the gateway knows the device by it.
     */
    public record Options(SenmlFormat format, Protocol protocol, Duration timeout, Duration keepAlive,
                          Duration sessionExpiry, Optional<String> username, Optional<String> password,
                          boolean tls, Optional<TrustedCa> ca, Optional<java.security.KeyPair> ownKey) {
        public static Options defaults() {
            return new Options(SenmlFormat.CBOR, Protocol.V5_THEN_V3, Duration.ofSeconds(10),
                    Duration.ofSeconds(30), Duration.ofHours(24), Optional.empty(), Optional.empty(), false, Optional.empty(), Optional.empty());
        }

        public Options withProtocol(Protocol p) {
            return new Options(format, p, timeout, keepAlive, sessionExpiry, username, password, tls, ca, ownKey);
        }

        public Options withTimeout(Duration t) {
            return new Options(format, protocol, t, keepAlive, sessionExpiry, username, password, tls, ca, ownKey);
        }

        public Options withCredentials(Optional<String> user, Optional<String> pass, boolean useTls) {
            return new Options(format, protocol, timeout, keepAlive, sessionExpiry, user, pass, useTls, ca, ownKey);
        }

        /** TLS to a broker whose certificate this CA issued (the gateway's own). */
        public Options withTls(TrustedCa trusted) {
            return new Options(format, protocol, timeout, keepAlive, sessionExpiry, username, password, true, Optional.of(trusted), ownKey);
        }

        /** TLS to the gateway this CA issued, presenting the device's own key (no user name or password then). */
        public Options withOwnKey(TrustedCa trusted, java.security.KeyPair keys) {
            return new Options(format, protocol, timeout, keepAlive, sessionExpiry, Optional.empty(), Optional.empty(), true,
                    Optional.of(trusted), Optional.of(keys));
        }

        /** The TLS sockets for a CA to trust (with the device's certificate, named clientId, when it has its own key). */
        Optional<javax.net.ssl.SSLSocketFactory> socketFactory(String clientId) {
            return ca.map(c -> ownKey.map(k -> c.socketFactory(k, clientId)).orElseGet(c::socketFactory));
        }
    }

    /** What one MQTT protocol version's Paho client must do for this uplink. */
    interface Session extends AutoCloseable {
        /** Connects; false when the broker refuses this protocol version. */
        boolean connect() throws UplinkException;

        boolean isConnected();

        /** Publishes and waits for the acknowledgement; returns the PUBACK reason code (0 on 3.1.1). */
        int publish(String topic, byte[] payload, boolean retained) throws UplinkException;

        /** Drops the connection without DISCONNECT, as a crash or power cut would. */
        void abandon();

        @Override
        void close();
    }

    private final String deviceId;
    private final String serverUri;
    private Options options;
    private final SenmlCodec codec = new SenmlCodec();
    private final String readingsTopic;
    private final String statusTopic;
    private final String commandTopic;
    private volatile java.util.function.Consumer<byte[]> commands;
    private Thread keeper;
    private Session session;
    private Protocol chosen;

    public MqttUplink(String deviceId, String host, int port, Options options) {
        this.deviceId = deviceId;
        this.options = options;
        this.serverUri = (options.tls() ? "ssl://" : "tcp://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        this.readingsTopic = "lichen/" + deviceId + "/readings";
        this.statusTopic = "lichen/" + deviceId + "/status";
        this.commandTopic = "lichen/" + deviceId + "/cmd";
        this.chosen = options.protocol();
        this.commands = payload -> LOG.info("commands on {} with no one listening: {}", commandTopic,
                new String(payload, StandardCharsets.UTF_8));
    }

    /**
     * Commands arrive as the retained message of {@code lichen/<id>/cmd}, which the broker sends at
     * every subscription (each connect subscribes). A device may have nothing to send for a long
     * time (an actuator without sensors): a keeper thread connects again within seconds of a lost
     * link, with a backoff up to 10 s.
     */
    @Override
    public synchronized void onCommands(String deviceId, java.util.function.Consumer<byte[]> listener) {
        if (!deviceId.equals(this.deviceId)) throw new IllegalArgumentException("this uplink is device " + this.deviceId + "'s");
        this.commands = listener;
        if (keeper == null) keeper = Thread.ofVirtual().name("mqtt-keeper-" + deviceId).start(this::keepConnected);
    }

    private void keepConnected() {
        long pause = 1000;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                synchronized (this) {
                    if (keeper == null) return; // closed
                    ensureConnected();
                }
                pause = 1000;
            } catch (UplinkException e) {
                LOG.debug("reconnecting to {} for commands: {}", serverUri, e.getMessage());
                pause = Math.min(pause * 2, 10_000);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The protocol spoken since the last connect: V5 or V3. */
    public synchronized Protocol protocol() {
        return chosen;
    }

    @Override
    public synchronized void deliver(Batch batch) throws UplinkException {
        byte[] payload;
        try {
            payload = codec.encode(batch, options.format());
        } catch (IllegalArgumentException e) {
            throw new UplinkException("cannot encode the pack: " + e.getMessage(), UplinkException.Kind.DATA_REFUSED, e);
        }
        ensureConnected();
        int reason = session.publish(readingsTopic, payload, false);
        if (reason >= 0x80) throw new UplinkException(pubackText(reason), pubackKind(reason), null);
    }

    /** MQTT 5 PUBACK reason codes of 0x80 and above refuse the message. */
    static UplinkException.Kind pubackKind(int reason) {
        return switch (reason) {
            case 0x87 -> UplinkException.Kind.DEVICE_REFUSED; // not authorised
            case 0x97 -> UplinkException.Kind.AWAY;           // quota exceeded: later
            default -> UplinkException.Kind.DATA_REFUSED;
        };
    }

    private static String pubackText(int reason) {
        String name = switch (reason) {
            case 0x80 -> "unspecified error";
            case 0x83 -> "implementation specific error";
            case 0x87 -> "not authorized";
            case 0x90 -> "topic name invalid";
            case 0x97 -> "quota exceeded";
            case 0x99 -> "payload format invalid";
            default -> "refused";
        };
        return "PUBACK 0x%02x %s".formatted(reason, name);
    }

    private void ensureConnected() throws UplinkException {
        if (session != null && session.isConnected()) return;
        if (session != null) {
            // a Paho client whose connection was lost can stay "disconnecting" and refuse to
            // connect for a long time (seen after a gateway was killed): a fresh client each time
            session.abandon();
            session = null;
        }
        session = open(chosen == Protocol.V3 ? Protocol.V3 : Protocol.V5);
        boolean accepted;
        try {
            accepted = session.connect();
        } catch (UplinkException e) {
            // a Paho client whose connect failed half-way can refuse every later connect
            // ("connect already in progress"): start the next attempt with a fresh client
            session.abandon();
            session = null;
            throw e;
        }
        if (accepted) {
            if (chosen == Protocol.V5_THEN_V3) chosen = Protocol.V5;
        } else if (chosen == Protocol.V5_THEN_V3) {
            LOG.info("broker {} refuses MQTT 5; speaking MQTT 3.1.1", serverUri);
            session.close();
            chosen = Protocol.V3;
            session = open(Protocol.V3);
            if (!session.connect()) throw new UplinkException("broker " + serverUri + " refuses MQTT 3.1.1 too", UplinkException.Kind.DEVICE_REFUSED, null);
        } else {
            Protocol p = chosen;
            session.close();
            session = null;
            throw new UplinkException("broker " + serverUri + " refuses MQTT " + (p == Protocol.V3 ? "3.1.1" : "5"), UplinkException.Kind.DEVICE_REFUSED, null);
        }
        session.publish(statusTopic, "online".getBytes(StandardCharsets.UTF_8), true);
    }

    private Session open(Protocol p) throws UplinkException {
        var will = "offline".getBytes(StandardCharsets.UTF_8);
        // the client id is the device id: the broker finds the kept session by it
        return p == Protocol.V3
                ? new PahoV3Session(serverUri, deviceId, options, statusTopic, will, commandTopic, this::command)
                : new PahoV5Session(serverUri, deviceId, options, statusTopic, will, commandTopic, this::command);
    }

    private void command(String topic, byte[] payload) {
        try {
            commands.accept(payload);
        } catch (RuntimeException e) {
            LOG.warn("command handler failed", e);
        }
    }

    @Override
    public String describe() {
        return (options.tls() ? "mqtts" : "mqtt") + serverUri.substring(serverUri.indexOf(':')) + "/" + readingsTopic;
    }

    @Override
    public synchronized void rekey(java.security.KeyPair keys) {
        if (options.ownKey().isEmpty()) throw new UnsupportedOperationException(describe() + " does not present the device's own key");
        options = options.withOwnKey(options.ca().orElseThrow(), keys);
        // the next connect (the keeper's or the next delivery's) presents a certificate of the new key
        if (session != null) session.abandon();
        session = null;
    }

    /** Drops the connection as a crash would: the broker then publishes the "offline" will. */
    synchronized void abandon() {
        if (session != null) session.abandon();
        session = null;
    }

    @Override
    public void close() {
        Thread k;
        synchronized (this) {
            k = keeper;
            keeper = null;
        }
        if (k != null) k.interrupt();
        closeSession();
    }

    private synchronized void closeSession() {
        if (session == null) return;
        if (session.isConnected()) {
            try {
                // a clean goodbye: the broker does not send the will, so say offline ourselves
                session.publish(statusTopic, "offline".getBytes(StandardCharsets.UTF_8), true);
            } catch (UplinkException e) {
                LOG.debug("could not publish offline status", e);
            }
        }
        session.close();
        session = null;
    }
}
