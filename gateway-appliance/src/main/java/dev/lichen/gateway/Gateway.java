package dev.lichen.gateway;

import dev.lichen.gateway.alerts.AlertEngine;
import dev.lichen.gateway.ingest.CoapIngest;
import dev.lichen.gateway.ingest.DeviceKeys;
import dev.lichen.gateway.ingest.MqttIngest;
import dev.lichen.gateway.ingest.Pipeline;
import dev.lichen.gateway.live.LiveBus;
import dev.lichen.gateway.metrics.Metrics;
import dev.lichen.gateway.store.Store;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The gateway appliance assembled: store -> metrics/live bus -> alert engine -> pipeline ->
 * CoAP server and MQTT broker -> components (the web server, add-on host). {@link #close()} stops
 * them in reverse order, committing what was already queued.
 */
public final class Gateway implements AutoCloseable {
    /**
     * Readings accepted but not yet in the database before devices are asked to retry; from two
     * thirds of it on, acknowledgements wait for the writer. The writer's groups grow up to that
     * much under load, and a group of ten packs per device writes each b-tree page once for ten
     * times as many rows as one pack per device would: at 1,000 devices this bound gave 25-35%
     * more readings per second than 60,000 (BENCHMARKS.md). About 15 MB of decoded readings at
     * most, in the gateway's 112 MB heap.
     */
    public static final int MAX_QUEUED_READINGS = 150_000;

    private final GatewayConfig config;
    private final Metrics metrics = new Metrics();
    private final LiveBus liveBus = new LiveBus();
    private final Store store;
    private final AlertEngine alerts;
    private final Pipeline pipeline;
    private final dev.lichen.gateway.commands.Commands commands;
    private final dev.lichen.gateway.automations.AutomationEngine automations;
    private final DeviceKeys deviceKeys;
    private final dev.lichen.gateway.ingest.DeviceIdentities deviceIdentities;
    private final dev.lichen.gateway.tls.GatewayCa tls;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final List<GatewayComponent> components = new ArrayList<>();
    /** Every component this gateway runs, including those not started yet (lets the web server mount add-on routes). */
    private List<GatewayComponent> planned = List.of();
    private final Thread retention;

    private Gateway(GatewayConfig config, Clock clock) {
        this.config = config;
        this.store = Store.open(config.dataDir(), config.jdbcUrl());
        this.alerts = new AlertEngine(store, liveBus);
        this.deviceKeys = new DeviceKeys(store);
        this.deviceIdentities = new dev.lichen.gateway.ingest.DeviceIdentities(store);
        var names = new java.util.LinkedHashSet<>(dev.lichen.gateway.tls.GatewayCa.localNames(config.bindHost()));
        names.addAll(config.tlsNames());
        this.tls = dev.lichen.gateway.tls.GatewayCa.open(config.dataDir().resolve("tls"), names, java.time.Instant.now());
        this.commands = new dev.lichen.gateway.commands.Commands(store, liveBus, metrics, config.commandLifetime(), deviceIdentities);
        this.automations = new dev.lichen.gateway.automations.AutomationEngine(store, commands, liveBus, metrics, clock, config.location());
        this.pipeline = new Pipeline(store, liveBus, metrics, List.of(alerts::onStored, commands::onStored, automations::onStored), MAX_QUEUED_READINGS,
                new SenmlCodec(new SenmlLimits(config.maxPackBytes(), 1000), Clock.SYSTEM),
                config.offlineAfterSeconds() * 1000L, deviceKeys, deviceIdentities, config.dataDir().resolve("ingest-journal"), config.limits());
        this.retention = Thread.ofVirtual().name("lichen-retention").unstarted(this::retentionLoop);
    }

    /** Starts with the components found by ServiceLoader (the web server when it is on the class path). */
    public static Gateway start(GatewayConfig config) throws Exception {
        return start(config, Clock.SYSTEM);
    }

    /** As {@link #start(GatewayConfig)}, the automations timed by this clock (see {@link #start(GatewayConfig, List, Clock)}). */
    public static Gateway start(GatewayConfig config, Clock automationClock) throws Exception {
        List<GatewayComponent> found = new ArrayList<>();
        ServiceLoader.load(GatewayComponent.class).forEach(found::add);
        return start(config, found, automationClock);
    }

    /** Starts with exactly these components. On failure everything already started is closed. */
    public static Gateway start(GatewayConfig config, List<GatewayComponent> components) throws Exception {
        return start(config, components, Clock.SYSTEM);
    }

    /**
     * As {@link #start(GatewayConfig, List)}, the automations timed by this clock (times of day,
     * "for 5 minutes"): a simulated home's, which may run faster than the wall clock.
     */
    public static Gateway start(GatewayConfig config, List<GatewayComponent> components, Clock automationClock) throws Exception {
        Gateway g = new Gateway(config, automationClock);
        g.planned = List.copyOf(components);
        try {
            g.startIngest();
            g.retention.start();
            for (GatewayComponent c : components) {
                c.start(g);
                g.components.add(c);
            }
            return g;
        } catch (Exception | Error e) {
            g.close();
            throw e;
        }
    }

    private void startIngest() throws Exception {
        if (config.pskFile() != null) {
            int n = deviceKeys.importFile(config.pskFile(), System.currentTimeMillis());
            System.getLogger(Gateway.class.getName()).log(System.Logger.Level.INFO, n + " CoAPS keys read from " + config.pskFile());
        }
        CoapIngest coap = new CoapIngest(pipeline, config.bindHost(), config.coapPort(), config.effectiveCoapsPort(), deviceKeys,
                deviceIdentities, tls, metrics, store, commands);
        started.add(coap);
        coap.start();
        coapPort = coap.port();
        coapsPort = coap.securePort();
        // HiveMQ cannot report an OS-chosen port, so port 0 is resolved here first
        int mqtt = config.mqttPort() != 0 ? config.mqttPort() : freeTcpPort(config.bindHost());
        int mqttTls = config.effectiveMqttTlsPort() != 0 ? config.effectiveMqttTlsPort() : freeTcpPort(config.bindHost());
        MqttIngest broker = new MqttIngest(pipeline, store, liveBus, config.dataDir().resolve("mqtt"), config.bindHost(), mqtt,
                mqttTls, tls, config.mqttInMemory(), deviceKeys, deviceIdentities, metrics, config.limits(), commands);
        started.add(broker);
        broker.start();
        // both doors are open: hand them what is pending from before a restart
        commands.start();
        started.add(commands);
        automations.start();
        started.add(automations);
        mqttPort = broker.port();
        mqttTlsPort = broker.tlsPort();
        metrics.gauge("lichen_live_subscribers", "Live bus subscribers (SSE clients)", liveBus::subscriberCount);
        metrics.gauge("lichen_live_dropped_total", "Live events dropped for slow subscribers", liveBus::dropped);
        dev.lichen.gateway.metrics.ProcessIo.register(metrics);
    }

    private static int freeTcpPort(String host) throws java.io.IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    /** Years of a household's events, yet a bound on the SD card whatever a flood of failed logins does. */
    static final int AUDIT_EVENTS_KEPT = 100_000;

    private void retentionLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                store.applyRetention(System.currentTimeMillis(), config.rawRetentionDays(), config.minuteRetentionDays());
                store.deleteExpiredSessions(System.currentTimeMillis());
                store.trimAuditTrail(AUDIT_EVENTS_KEPT);
                Thread.sleep(java.time.Duration.ofHours(1));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                System.getLogger(Gateway.class.getName()).log(System.Logger.Level.WARNING, "retention pass failed; retrying in an hour", e);
                try {
                    Thread.sleep(java.time.Duration.ofHours(1));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    public GatewayConfig config() { return config; }

    /** The components of this gateway that are of {@code type}, started or about to be (in start order). */
    public <T> List<T> components(Class<T> type) {
        return planned.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public Store store() { return store; }

    public LiveBus liveBus() { return liveBus; }

    public Metrics metrics() { return metrics; }

    public AlertEngine alerts() { return alerts; }

    public Pipeline pipeline() { return pipeline; }

    /** The automations and the engine that runs them. */
    public dev.lichen.gateway.automations.AutomationEngine automations() { return automations; }

    /** Commands to the devices' outputs. */
    public dev.lichen.gateway.commands.Commands commands() { return commands; }

    /** The UDP port the CoAP server listens on (the real one when the config said 0). */
    public int coapPort() { return coapPort; }

    /** The devices' CoAPS pre-shared keys. */
    public DeviceKeys deviceKeys() { return deviceKeys; }

    /** The public keys devices presented over CoAPS, and which of them adoption pinned. */
    public dev.lichen.gateway.ingest.DeviceIdentities deviceIdentities() { return deviceIdentities; }

    /** The gateway's CA and the server certificate it issued (https, and the encrypted device links). */
    public dev.lichen.gateway.tls.GatewayCa tls() { return tls; }

    /** The UDP port of CoAPS (the real one when the config said 0). */
    public int coapsPort() { return coapsPort; }

    private int coapsPort = -1;

    /** The TCP port the MQTT broker listens on (the real one when the config said 0). */
    public int mqttPort() { return mqttPort; }

    /** The TCP port of MQTT over TLS (the real one when the config said 0). */
    public int mqttTlsPort() { return mqttTlsPort; }

    private int coapPort = -1;
    private int mqttPort = -1;
    private int mqttTlsPort = -1;

    @Override
    public void close() {
        for (int i = components.size() - 1; i >= 0; i--) {
            closeQuietly(components.get(i));
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            closeQuietly(started.get(i));
        }
        retention.interrupt();
        pipeline.close();
        liveBus.close();
        store.close();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            System.getLogger(Gateway.class.getName()).log(System.Logger.Level.WARNING, "closing " + c + " failed", e);
        }
    }
}
