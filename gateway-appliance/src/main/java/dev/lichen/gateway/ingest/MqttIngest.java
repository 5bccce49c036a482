package dev.lichen.gateway.ingest;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import dev.lichen.gateway.live.LiveBus;
import dev.lichen.gateway.live.LiveEvent;
import dev.lichen.gateway.store.Store;
import dev.lichen.gateway.tls.DeviceCertificates;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ClientInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.WillPublishPacket;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;

/**
 * The MQTT door: HiveMQ CE embedded (MQTT 3.1.1 and 5, persistent sessions, retained messages,
 * last will) with an in-process extension. Its PublishInboundInterceptor hands
 * {@code lichen/{deviceId}/readings} payloads to the pipeline asynchronously: HiveMQ sends the
 * PUBACK only when the interceptor resumes, i.e. once the pack is fsynced in the ingest journal. Invalid SenML gets PUBACK
 * 0x99 (payload format invalid) on MQTT 5; an MQTT 3.1.1 client has no reason codes, so its
 * invalid pack is dropped (acknowledged so it is not resent for ever) and counted.
 * {@code lichen/{deviceId}/status} ("online"/"offline", retained, usually the last will) sets the
 * device's online state.
 *
 * <p>Devices with a key ({@link DeviceKeys}) log in with user name = device id and password = the
 * base64 text of their key; a wrong password or an unknown user name gets CONNACK "not
 * authorized" (0x87 / 3.1.1 return code 5). Every publish, will and subscription then passes
 * {@link BrokerAccess}: a device speaks only on its own topics, nobody subscribes to wildcards or
 * publishes commands (MQTT 5 PUBACK/SUBACK 0x87; HiveMQ closes a 3.1.1 connection instead), each
 * refusal counted in {@code lichen_mqtt_refused_total}. A device with its own key pair presents
 * it on the TLS port in a self-signed client certificate, without a user name: it speaks as its
 * client id, its key is recorded by the pipeline until adoption pins it, and after that only that
 * key logs in as the device (another gets "not authorized"). Anonymous clients are still let in for
 * devices without any key, on their own topics only.
 */
public final class MqttIngest implements AutoCloseable {
    private static final String PREFIX = "lichen/";

    private final Pipeline pipeline;
    private final Store store;
    private final LiveBus bus;
    private final EmbeddedHiveMQ hivemq;
    private final int port;
    private final int tlsPort;

    private final DeviceKeys keys;
    private final DeviceIdentities identities;
    private final dev.lichen.gateway.commands.Commands commands;
    private final dev.lichen.gateway.metrics.Metrics.Counter authFailures;
    private final dev.lichen.gateway.metrics.Metrics.Counter refused;
    private final BrokerAccess access;
    private final AddressRate connects;
    /** The connection attribute naming the device a connection logged in as (absent: anonymous). */
    private static final String LOGIN = "lichen.device";
    /** The connection attribute holding the public key (SubjectPublicKeyInfo) its client certificate carried. */
    private static final String KEY = "lichen.key";

    /**
     * The broker on bindHost: plain MQTT on port, MQTT over TLS on tlsPort with the gateway CA's
     * server certificate (both ports already chosen: HiveMQ cannot report one the OS picked).
     */
    public MqttIngest(Pipeline pipeline, Store store, LiveBus bus, Path dir, String bindHost, int port, int tlsPort,
                      dev.lichen.gateway.tls.GatewayCa tls, boolean inMemory,
                      DeviceKeys keys, DeviceIdentities identities, dev.lichen.gateway.metrics.Metrics metrics,
                      dev.lichen.gateway.GatewayConfig.Limits limits, dev.lichen.gateway.commands.Commands commands) throws IOException {
        this.keys = keys;
        this.commands = commands;
        this.identities = identities;
        this.authFailures = metrics.counter("lichen_mqtt_auth_failures_total",
                "MQTT connections refused: unknown user name or wrong password");
        this.refused = metrics.counter("lichen_mqtt_refused_total",
                "MQTT connects, publishes (wills too) and subscriptions refused by the broker's authorization", "action");
        // a device adopted with a public key logs in only with it (its certificate): not anonymously
        this.access = new BrokerAccess(id -> keys.hasKey(id) || identities.pinned(id));
        this.connects = new AddressRate(limits.perAddressPerSecond());
        this.pipeline = pipeline;
        this.store = store;
        this.bus = bus;
        this.port = port;
        this.tlsPort = tlsPort;
        DeviceCertificates.install();
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.setPosixFilePermissions(conf, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        // HiveMQ reads its key from a key store file: one made afresh at each start, with a password
        // that lives only in the config beside it (the folder is the gateway's alone)
        String password = dev.lichen.gateway.web.auth.Secrets.random();
        Path keyStore = conf.resolve("server.p12");
        var p12 = new java.io.ByteArrayOutputStream();
        try {
            tls.serverKeyStore(password.toCharArray()).store(p12, password.toCharArray());
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot write the broker's key store: " + e.getMessage(), e);
        }
        dev.lichen.gateway.files.PrivateFile.write(keyStore, p12.toByteArray());
        Path data = Files.createDirectories(dir.resolve("data"));
        Path ext = Files.createDirectories(dir.resolve("extensions"));
        String xml = config(bindHost, port, tlsPort, keyStore, password, inMemory, pipeline.codec().limits().maxBytes());
        dev.lichen.gateway.files.PrivateFile.write(conf.resolve("config.xml"), xml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        EmbeddedExtension extension = EmbeddedExtension.builder()
                .withId("lichen-ingest").withName("Lichen ingest").withVersion("1").withAuthor("Lichen")
                .withPriority(1000).withStartPriority(1000)
                .withExtensionMain(new Main()).build();
        this.hivemq = EmbeddedHiveMQ.builder().withConfigurationFolder(conf).withDataFolder(data)
                .withExtensionsFolder(ext).withEmbeddedExtension(extension).withoutLoggingBootstrap().build();
    }

    /**
     * The broker's config: plain MQTT and MQTT over TLS (1.3 and 1.2, a client certificate optional),
     * statistics off, bounded queues, packets up to a little over the pack limit.
     */
    static String config(String bindHost, int port, int tlsPort, Path keyStore, String password, boolean inMemory, int maxPackBytes) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                        </tcp-listener>
                        <tls-tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <tls>
                                <keystore>
                                    <path>%s</path>
                                    <password>%s</password>
                                    <private-key-password>%s</private-key-password>
                                </keystore>
                                <protocols>
                                    <protocol>TLSv1.3</protocol>
                                    <protocol>TLSv1.2</protocol>
                                </protocols>
                                <!-- a device may present its own key in a self-signed certificate
                                     (DeviceCertificates); PSK devices and add-ons log in with a password -->
                                <client-authentication-mode>OPTIONAL</client-authentication-mode>
                            </tls>
                        </tls-tcp-listener>
                    </listeners>
                    <mqtt>
                        <queued-messages>
                            <max-queue-size>1000</max-queue-size>
                            <strategy>discard-oldest</strategy>
                        </queued-messages>
                        <receive-maximum>
                            <server-receive-maximum>64</server-receive-maximum>
                        </receive-maximum>
                        <topic-alias>
                            <!-- Paho 1.2.5 (v5) keeps its topic aliases across a reconnect, and a
                                 restarted broker then disconnects it (0x94): no aliases at all -->
                            <enabled>false</enabled>
                        </topic-alias>
                        <packets>
                            <max-packet-size>%d</max-packet-size>
                        </packets>
                    </mqtt>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                    <persistence>
                        <mode>%s</mode>
                    </persistence>
                </hivemq>
                """.formatted(port, bindHost, tlsPort, bindHost, keyStore.toAbsolutePath(), password, password,
                Math.max(maxPackBytes * 4, 65_536), inMemory ? "in-memory" : "file");
    }

    public void start() throws Exception {
        hivemq.start().get(60, TimeUnit.SECONDS);
        // a rotated or revoked key ends the device's live MQTT connections at once (its will says
        // offline), as it ends its DTLS sessions: the device logs in again with its new key, a
        // revoked one cannot
        keys.onChange(this::cutOff);
        identities.onUnpin(k -> cutOff(k.deviceId()));
        commands.addDoor(this::publishCommands);
    }

    /**
     * The device's pending commands as the retained message of {@code lichen/<id>/cmd}: the broker
     * hands it to the device as it subscribes (after a reconnect too), the message expires with
     * the last of its commands, and no pending command clears it (a retained empty payload, which
     * the device takes as "nothing pending"). One at a time, so that a newer set never goes out
     * before an older one.
     */
    private synchronized void publishCommands(String deviceId) {
        var pending = commands.pending(deviceId);
        long until = pending.untilMillis();
        var b = com.hivemq.extension.sdk.api.services.builder.Builders.publish()
                .topic(PREFIX + deviceId + "/cmd").qos(com.hivemq.extension.sdk.api.packets.general.Qos.AT_LEAST_ONCE).retain(true);
        if (until == 0) {
            b.payload(ByteBuffer.allocate(0));
        } else {
            b.payload(ByteBuffer.wrap(pending.pack())).contentType(SenmlFormat.JSON.mediaType())
                    .messageExpiryInterval(Math.max(1, (until - System.currentTimeMillis() + 999) / 1000));
        }
        try {
            Services.publishService().publish(b.build()).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.getLogger(MqttIngest.class.getName()).log(System.Logger.Level.WARNING,
                    "could not publish the commands of " + deviceId + ": " + e.getMessage());
        }
    }

    /** Client id -> the device it logged in as, for the connections that logged in. */
    private final Map<String, String> logins = new ConcurrentHashMap<>();

    private void cutOff(String deviceId) {
        var clients = Services.clientService();
        java.util.Set<String> ids = new java.util.HashSet<>();
        ids.add(deviceId); // a keyed device's client id is its own (BrokerAccess.connect)
        logins.forEach((client, login) -> {
            if (login.equals(deviceId)) ids.add(client);
        });
        for (String id : ids) {
            clients.disconnectClient(id, false, com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode.NOT_AUTHORIZED, "the device's key was rotated or revoked")
                    .whenComplete((was, e) -> {
                        if (Boolean.TRUE.equals(was)) {
                            System.getLogger(MqttIngest.class.getName()).log(System.Logger.Level.INFO,
                                    "ended MQTT connection " + id + ": the key of " + deviceId + " changed");
                        }
                    });
        }
    }

    public int port() {
        return port;
    }

    /** The MQTT over TLS port. */
    public int tlsPort() {
        return tlsPort;
    }

    @Override
    public void close() throws Exception {
        try {
            hivemq.stop().get(30, TimeUnit.SECONDS);
        } finally {
            hivemq.close();
        }
    }

    private final class Main implements ExtensionMain {
        @Override
        public void extensionStart(ExtensionStartInput in, ExtensionStartOutput out) {
            // HiveMQ CE admits no client without an authenticator; devices are admitted here and
            // vetted per pack (rejected devices get 0x87)
            Services.securityRegistry().setAuthenticatorProvider(i -> (SimpleAuthenticator) MqttIngest.this::authenticate);
            Services.securityRegistry().setAuthorizerProvider(i -> new Authorization());
            PublishInboundInterceptor interceptor = MqttIngest.this::onPublish;
            Services.initializerRegistry().setClientInitializer((i, ctx) -> ctx.addPublishInboundInterceptor(interceptor));
            Services.eventRegistry().setClientLifecycleEventListener(pi -> new WillWatcher());
        }

        @Override
        public void extensionStop(ExtensionStopInput in, ExtensionStopOutput out) {}
    }

    private void authenticate(com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput in,
                              com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput out) {
        var from = in.getConnectionInformation().getInetAddress();
        if (from.isPresent() && !connects.tryAcquire(from.get(), System.nanoTime())) {
            refused.inc("connect_rate");
            out.failAuthentication(ConnackReasonCode.CONNECTION_RATE_EXCEEDED,
                    "too many connects from " + from.get().getHostAddress() + " this second; retry in a few seconds");
            return;
        }
        var user = in.getConnectPacket().getUserName();
        String clientId = in.getClientInformation().getClientId();
        byte[] presented = certificateKey(in.getConnectionInformation());
        if (user.isEmpty() && presented != null) {
            // the device's own key: it speaks as its client id, and only with the key that id was adopted with
            Optional<String> why = keyLogin(clientId, presented);
            if (why.isPresent()) {
                authFailures.inc();
                out.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, why.get());
                return;
            }
            user = Optional.of(clientId);
            in.getConnectionInformation().getConnectionAttributeStore().put(KEY, ByteBuffer.wrap(presented));
        } else if (user.isPresent()) {
            byte[] password = bytes(in.getConnectPacket().getPassword().orElse(ByteBuffer.allocate(0)));
            if (!keys.passwordMatches(user.get(), password)) {
                authFailures.inc();
                out.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED,
                        "unknown device or wrong password: the user name is the device id, the password its key (base64)");
                return;
            }
        }
        Optional<String> refusal = access.connect(user, clientId);
        if (refusal.isPresent()) {
            refused.inc("connect");
            out.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, refusal.get());
            return;
        }
        // per connection: a session taken over by another connection does not inherit it
        user.ifPresent(u -> in.getConnectionInformation().getConnectionAttributeStore().putAsString(LOGIN, u));
        user.ifPresent(u -> logins.put(clientId, u));
        // a last will does not pass the publish interceptors: remember a status will here, once
        // the client is known and the will is its own to send (else the authorizer refuses the
        // CONNECT), and apply it when the broker would send it
        Optional<String> login = user;
        in.getConnectPacket().getWillPublish().filter(will -> access.publish(login, will.getTopic()).isEmpty())
                .ifPresentOrElse(will -> rememberWill(clientId, will), () -> wills.remove(clientId));
        out.authenticateSuccessfully();
    }

    /** The public key of the client certificate a TLS connection presented (a device's own), or null. */
    private static byte[] certificateKey(com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation c) {
        return c.getClientTlsInformation().flatMap(t -> t.getClientCertificateChain())
                .filter(DeviceCertificates::isDeviceCertificate)
                .map(chain -> chain[0].getPublicKey().getEncoded()).orElse(null);
    }

    /**
     * Why a client presenting its own key may not speak as clientId; empty when it may: not for a
     * device with a pre-shared key (it logs in with that), nor with a key pinned to another device, nor with another key than the one the
     * device was adopted with. A key not pinned yet is recorded by its first pack, as over CoAPS.
     */
    private Optional<String> keyLogin(String clientId, byte[] presented) {
        if (!SenmlCodec.isDeviceId(clientId)) {
            return Optional.of("client id '" + clientId + "' is no device id: a device's client id is its own id");
        }
        if (keys.hasKey(clientId)) {
            return Optional.of("device '" + clientId + "' has a pre-shared key on this gateway: log in with it (user name "
                    + clientId + ", the key as the password)");
        }
        // check, not refusal: the first login with a rotation's new key retires the old one
        return Optional.ofNullable(identities.pinned(clientId) ? identities.check(clientId, presented, System.currentTimeMillis())
                : identities.refusal(clientId, presented));
    }

    /** The public key the connection's certificate carried, or null. */
    private static byte[] presentedKey(com.hivemq.extension.sdk.api.parameter.ClientBasedInput in) {
        return in.getConnectionInformation().getConnectionAttributeStore().get(KEY).map(MqttIngest::bytes).orElse(null);
    }

    private static Optional<String> login(com.hivemq.extension.sdk.api.parameter.ClientBasedInput in) {
        return in.getConnectionInformation().getConnectionAttributeStore().getAsString(LOGIN);
    }

    /** The broker's authorization, by {@link BrokerAccess}'s rules; HiveMQ asks it for wills at CONNECT too. */
    private final class Authorization implements PublishAuthorizer, SubscriptionAuthorizer {
        @Override
        public void authorizePublish(PublishAuthorizerInput in, PublishAuthorizerOutput out) {
            access.publish(login(in), in.getPublishPacket().getTopic()).ifPresentOrElse(why -> {
                refused.inc("publish");
                out.failAuthorization(AckReasonCode.NOT_AUTHORIZED, why);
            }, out::authorizeSuccessfully);
        }

        @Override
        public void authorizeSubscribe(SubscriptionAuthorizerInput in, SubscriptionAuthorizerOutput out) {
            access.subscribe(login(in), in.getSubscription().getTopicFilter()).ifPresentOrElse(why -> {
                refused.inc("subscribe");
                out.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, why);
            }, out::authorizeSuccessfully);
        }
    }

    private void onPublish(PublishInboundInput in, PublishInboundOutput out) {
        String topic = in.getPublishPacket().getTopic();
        if (!topic.startsWith(PREFIX)) return; // not ours to store; the authorizer refuses it
        boolean v5 = in.getConnectionInformation().getMqttVersion() == MqttVersion.V_5;
        // HiveMQ runs interceptors before the authorizer: decide here, before a pack is stored
        Optional<String> refusal = access.publish(login(in), topic);
        if (refusal.isPresent()) {
            refused.inc("publish");
            // a prevented publish goes no further (the authorizer does not count it again);
            // MQTT 3.1.1 has no reason codes: acknowledged and dropped
            if (v5) out.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, refusal.get());
            else out.preventPublishDelivery();
            return;
        }
        int slash = topic.indexOf('/', PREFIX.length());
        String deviceId = topic.substring(PREFIX.length(), slash);
        String leaf = topic.substring(slash + 1);
        if (leaf.equals("readings")) {
            readings(in, out, deviceId, v5);
        } else { // status: the only other topic BrokerAccess admits
            status(in, out, deviceId);
        }
    }

    /** MQTTS when the connection came in on the TLS listener. */
    private static Protocol protocolOf(com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation c) {
        // getTlsInformation() stays empty without a client certificate: the listener says it
        boolean tls = c.getListener().map(l -> l.getListenerType() == com.hivemq.extension.sdk.api.client.parameter.ListenerType.TLS_TCP_LISTENER)
                .orElse(false);
        return tls ? Protocol.MQTTS : Protocol.MQTT;
    }

    private void readings(PublishInboundInput in, PublishInboundOutput out, String deviceId, boolean v5) {
        byte[] payload = bytes(in.getPublishPacket().getPayload().orElse(ByteBuffer.allocate(0)));
        SenmlFormat format = formatOf(in, payload);
        var future = pipeline.ingest(protocolOf(in.getConnectionInformation()), payload, format, deviceId,
                in.getConnectionInformation().getInetAddress().orElse(null), presentedKey(in));
        if (future.isDone()) {
            // rejected before queueing: answer on this thread, no async needed
            apply(out, future.join(), v5);
            return;
        }
        Async<PublishInboundOutput> async = out.async(Duration.ofSeconds(30), TimeoutFallback.FAILURE,
                AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "the gateway could not store the pack in time; resend");
        future.whenComplete((outcome, err) -> {
            try {
                apply(out, err != null ? new IngestOutcome.Rejected(RejectReason.UNAVAILABLE, "internal error; resend") : outcome, v5);
            } finally {
                async.resume();
            }
        });
    }

    /** Content type (MQTT 5) decides; otherwise CBOR unless the payload looks like a JSON array. */
    private static SenmlFormat formatOf(PublishInboundInput in, byte[] payload) {
        var ct = in.getPublishPacket().getContentType();
        if (ct.isPresent()) {
            if (ct.get().equals(SenmlFormat.JSON.mediaType())) return SenmlFormat.JSON;
            if (ct.get().equals(SenmlFormat.CBOR.mediaType())) return SenmlFormat.CBOR;
        }
        for (byte b : payload) {
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') continue;
            return b == '[' ? SenmlFormat.JSON : SenmlFormat.CBOR;
        }
        return SenmlFormat.CBOR;
    }

    private static void apply(PublishInboundOutput out, IngestOutcome outcome, boolean v5) {
        if (!(outcome instanceof IngestOutcome.Rejected r)) return; // accepted: normal delivery and PUBACK
        if (!v5) {
            // MQTT 3.1.1 has no way to say why: drop it (counted by the pipeline); a plain PUBACK
            // keeps a device from resending garbage for ever. Transient failures are not acked.
            if (r.reason() == RejectReason.UNAVAILABLE || r.reason() == RejectReason.NEW_DEVICE_LIMIT
                    || r.reason() == RejectReason.RATE_LIMITED) {
                out.preventPublishDelivery(AckReasonCode.UNSPECIFIED_ERROR, r.message());
            } else {
                out.preventPublishDelivery();
            }
            return;
        }
        AckReasonCode code = switch (r.reason()) {
            case MALFORMED, TOO_LARGE, UNSUPPORTED_FORMAT, GARBAGE_DATAGRAM -> AckReasonCode.PAYLOAD_FORMAT_INVALID;
            case DEVICE_MISMATCH, DEVICE_REJECTED, UNKNOWN_KEY -> AckReasonCode.NOT_AUTHORIZED;
            case UNAVAILABLE, NEW_DEVICE_LIMIT, RATE_LIMITED -> AckReasonCode.QUOTA_EXCEEDED;
        };
        out.preventPublishDelivery(code, r.message());
    }

    private record StatusWill(String deviceId, boolean online) {}

    private final Map<String, StatusWill> wills = new ConcurrentHashMap<>();

    private void rememberWill(String clientId, WillPublishPacket will) {
        String topic = will.getTopic();
        Boolean online = onlineOf(will.getPayload().orElse(ByteBuffer.allocate(0)));
        if (topic.startsWith(PREFIX) && topic.endsWith("/status") && online != null) {
            String deviceId = topic.substring(PREFIX.length(), topic.length() - "/status".length());
            if (SenmlCodec.isDeviceId(deviceId)) {
                wills.put(clientId, new StatusWill(deviceId, online));
                return;
            }
        }
        wills.remove(clientId);
    }

    /** Applies a remembered status will when the broker publishes it (connection lost, server kick, 0x04). */
    private final class WillWatcher implements ClientLifecycleEventListener {
        @Override public void onMqttConnectionStart(ConnectionStartInput in) {}

        @Override public void onAuthenticationSuccessful(AuthenticationSuccessfulInput in) {}

        @Override
        public void onDisconnect(DisconnectEventInput in) {
            // this connection's login only: a session taken over under the same client id keeps its own
            login(in).ifPresent(l -> logins.remove(in.getClientInformation().getClientId(), l));
            StatusWill w = wills.remove(in.getClientInformation().getClientId());
            if (w == null) return;
            // only a will its sender may publish was remembered (authenticate)
            // HiveMQ reports a dropped socket as client-initiated without a reason code; a DISCONNECT
            // packet carries one (NORMAL_DISCONNECTION suppresses the will, 0x04 asks for it)
            boolean willSent = !(in instanceof ClientInitiatedDisconnectInput)
                    || in.getReasonCode().map(c -> c == DisconnectedReasonCode.DISCONNECT_WITH_WILL_MESSAGE).orElse(true);
            if (willSent) Thread.ofVirtual().start(() -> setOnline(w.deviceId(), w.online()));
        }
    }

    private static Boolean onlineOf(ByteBuffer payload) {
        String text = new String(bytes(payload), StandardCharsets.UTF_8).strip();
        if (text.equalsIgnoreCase("online")) return true;
        if (text.equalsIgnoreCase("offline")) return false;
        return null;
    }

    private void setOnline(String deviceId, boolean online) {
        try {
            var d = store.setOnline(deviceId, online, System.currentTimeMillis());
            if (online) pipeline.statusHeard(deviceId, Protocol.MQTT);
            bus.publish(new LiveEvent.DeviceChanged(d));
        } catch (RuntimeException e) {
            System.getLogger(MqttIngest.class.getName()).log(System.Logger.Level.WARNING, "status of " + deviceId + " not stored", e);
        }
    }

    private void status(PublishInboundInput in, PublishInboundOutput out, String deviceId) {
        Boolean online = onlineOf(in.getPublishPacket().getPayload().orElse(ByteBuffer.allocate(0)));
        if (online == null) return; // not ours to judge: delivered as is
        if (store.device(deviceId).isEmpty()) {
            // a status would create the device: the same bounds as a first pack
            var refusal = pipeline.firstContact(protocolOf(in.getConnectionInformation()), deviceId,
                    in.getConnectionInformation().getInetAddress().orElse(null));
            if (refusal != null) {
                apply(out, refusal, in.getConnectionInformation().getMqttVersion() == MqttVersion.V_5);
                return;
            }
        }
        Async<PublishInboundOutput> async = out.async(Duration.ofSeconds(10), TimeoutFallback.SUCCESS);
        // a database write must not run on a network thread
        Thread.ofVirtual().start(() -> {
            try {
                setOnline(deviceId, online);
            } finally {
                async.resume();
            }
        });
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] a = new byte[d.remaining()];
        d.get(a);
        return a;
    }
}
