package dev.lichen.benchmarks.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load run's MQTT 3.1.1 devices: many connections on one Netty event loop (Netty's MQTT codec),
 * so that the generator leaves the machine's second core to the broker under test. Paho's clients
 * take three threads each; 1,000 of them used more CPU than the gateway they were measuring.
 * Each device keeps {@code window} QoS 1 publishes in flight and sends its next pack on each PUBACK;
 * a lost connection is counted, reconnected after 200 ms, and its unacknowledged packs resent.
 */
final class MqttLoadClients implements AutoCloseable {

    private final InetSocketAddress broker;
    private final EventLoopGroup loop = new NioEventLoopGroup(1);
    private final List<Channel> channels = new ArrayList<>();
    private final List<Device> devices = new ArrayList<>();
    final AtomicLong errors = new AtomicLong();
    private volatile boolean stopped;

    /** The TLS the devices speak (trusting the gateway's CA), or null for plain MQTT. */
    private final javax.net.ssl.SSLContext tls;

    MqttLoadClients(int port) {
        this(port, null);
    }

    MqttLoadClients(int port, javax.net.ssl.SSLContext tls) {
        this.broker = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        this.tls = tls;
    }

    /** Connects the devices and starts them publishing; returns once every one has its CONNACK. */
    void startPublishers(List<String> deviceIds, int window, int pack, Packs packs, AtomicLong ackedReadings)
            throws InterruptedException {
        CountDownLatch connected = new CountDownLatch(deviceIds.size());
        Plan plan = new Plan(window, pack, packs, ackedReadings, connected);
        for (String id : deviceIds) {
            Device d = new Device(id, plan);
            devices.add(d);
            connect(d);
        }
        if (!connected.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException((connected.getCount()) + " devices got no CONNACK in 120 s");
        }
    }

    /** One QoS 1 subscriber to a topic filter; counts the readings of each message it receives. */
    void startSubscriber(String clientId, String filter, int pack, AtomicLong readings) throws InterruptedException {
        CountDownLatch subscribed = new CountDownLatch(1);
        Channel ch = bootstrap(new SimpleChannelInboundHandler<MqttMessage>() {
            @Override public void channelActive(ChannelHandlerContext ctx) {
                ctx.writeAndFlush(connectMessage(clientId));
            }

            @Override protected void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
                switch (m.fixedHeader().messageType()) {
                    case CONNACK -> ctx.writeAndFlush(MqttMessageBuilders.subscribe().messageId(1)
                            .addSubscription(MqttQoS.AT_LEAST_ONCE, filter).build());
                    case SUBACK -> subscribed.countDown();
                    case PUBLISH -> {
                        MqttPublishMessage p = (MqttPublishMessage) m;
                        readings.addAndGet(pack);
                        if (p.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
                            ctx.writeAndFlush(MqttMessageBuilders.pubAck().packetId(p.variableHeader().packetId()).build());
                        }
                    }
                    default -> { }
                }
            }

            @Override public void channelInactive(ChannelHandlerContext ctx) {
                if (!stopped) {
                    errors.incrementAndGet();
                    System.out.println("subscriber lost its connection");
                }
            }
        }).connect().syncUninterruptibly().channel();
        synchronized (channels) {
            channels.add(ch);
        }
        if (!subscribed.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("no SUBACK in 10 s");
    }

    /** What every publisher of one startPublishers call shares. */
    private record Plan(int window, int pack, Packs packs, AtomicLong acked, CountDownLatch connected) {}

    /** A device's state across reconnections: its next sequence number and its packs in flight. */
    private final class Device {
        final String id;
        final String topic;
        final Plan plan;
        final Map<Integer, Long> inFlight = new HashMap<>();
        final ArrayDeque<Long> resend = new ArrayDeque<>();
        long nextSeq;
        int nextPacketId = 1;

        Device(String id, Plan plan) {
            this.id = id;
            this.topic = "lichen/" + id + "/readings";
            this.plan = plan;
        }

        void send(ChannelHandlerContext ctx, long seq) {
            int pid = nextPacketId;
            nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
            inFlight.put(pid, seq);
            ctx.writeAndFlush(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE)
                    .messageId(pid).retained(false).payload(Unpooled.wrappedBuffer(plan.packs().pack(id, seq))).build());
        }

        void sendNext(ChannelHandlerContext ctx) {
            if (stopped) return;
            Long again = resend.poll();
            if (again != null) {
                send(ctx, again);
            } else {
                send(ctx, nextSeq);
                nextSeq += plan.pack();
            }
        }
    }

    private void connect(Device d) {
        Channel ch = bootstrap(new SimpleChannelInboundHandler<MqttMessage>() {
            @Override public void channelActive(ChannelHandlerContext ctx) {
                ctx.writeAndFlush(connectMessage(d.id));
            }

            @Override protected void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
                switch (m.fixedHeader().messageType()) {
                    case CONNACK -> {
                        MqttConnectReturnCode rc = ((MqttConnAckMessage) m).variableHeader().connectReturnCode();
                        if (rc != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                            System.out.println(d.id + ": connection refused: " + rc);
                            errors.incrementAndGet();
                            ctx.close();
                            return;
                        }
                        d.plan.connected().countDown();
                        for (int w = 0; w < d.plan.window(); w++) d.sendNext(ctx);
                    }
                    case PUBACK -> {
                        int pid = ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
                        if (d.inFlight.remove(pid) != null) {
                            d.plan.acked().addAndGet(d.plan.pack());
                            d.sendNext(ctx);
                        }
                    }
                    default -> { }
                }
            }

            @Override public void channelInactive(ChannelHandlerContext ctx) {
                if (stopped) return;
                errors.incrementAndGet();
                // a new connection (clean session) resends what the broker never acknowledged
                d.resend.addAll(d.inFlight.values());
                d.inFlight.clear();
                ctx.channel().eventLoop().schedule(() -> connect(d), 200, TimeUnit.MILLISECONDS);
            }

            @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        }).connect().channel();
        synchronized (channels) {
            channels.add(ch);
        }
    }

    private Bootstrap bootstrap(SimpleChannelInboundHandler<MqttMessage> handler) {
        return new Bootstrap().group(loop).channel(NioSocketChannel.class).remoteAddress(broker)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override protected void initChannel(Channel ch) {
                        if (tls != null) {
                            // the JDK's TLS, as the devices' Paho uses it; the name is one the certificate carries
                            javax.net.ssl.SSLEngine engine = tls.createSSLEngine("localhost", broker.getPort());
                            engine.setUseClientMode(true);
                            ch.pipeline().addLast(new io.netty.handler.ssl.SslHandler(engine));
                        }
                        ch.pipeline().addLast(new MqttDecoder(), MqttEncoder.INSTANCE, handler);
                    }
                });
    }

    private static MqttMessage connectMessage(String clientId) {
        return MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_3_1_1)
                .cleanSession(true).keepAlive(60).build();
    }

    /**
     * Per device, the sequence number below which every reading was acknowledged (sequence numbers
     * go out in increasing order, so that is the lowest one still unacknowledged). Call after close.
     */
    Map<String, Long> acknowledgedBelow() {
        Map<String, Long> out = new HashMap<>();
        for (Device d : devices) {
            long low = d.nextSeq;
            for (long s : d.inFlight.values()) low = Math.min(low, s);
            for (long s : d.resend) low = Math.min(low, s);
            out.put(d.id, low);
        }
        return out;
    }

    /** Stops sending; packs in flight may still be acknowledged until close. */
    void stop() {
        stopped = true;
    }

    @Override public void close() {
        stopped = true;
        synchronized (channels) {
            for (Channel c : channels) c.close();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
