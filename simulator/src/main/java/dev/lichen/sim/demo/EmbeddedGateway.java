package dev.lichen.sim.demo;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.sim.board.Simulation;

/**
 * A gateway in the simulator's own JVM, which a scenario may restart: it comes back on the same
 * ports (those the OS gave at the first start) and the same data.
 */
public final class EmbeddedGateway implements Simulation.GatewayHandle, AutoCloseable {
    private GatewayConfig config;
    private final dev.lichen.runtime.clock.Clock automationClock;
    private volatile Gateway gateway;

    public EmbeddedGateway(GatewayConfig config) throws Exception {
        this(config, dev.lichen.runtime.clock.Clock.SYSTEM);
    }

    /** The gateway's automations timed by the simulated home's clock, as its devices are. */
    public EmbeddedGateway(GatewayConfig config, dev.lichen.runtime.clock.Clock automationClock) throws Exception {
        this.automationClock = automationClock;
        this.gateway = Gateway.start(config, automationClock);
        // pin the ports the OS chose so that a restart comes back where the devices look
        this.config = config.withPorts(gateway.coapPort(), gateway.mqttPort(), config.httpPort())
                .withMqttTlsPort(gateway.mqttTlsPort()).withCoapsPort(gateway.coapsPort());
    }

    public Gateway gateway() { return gateway; }

    @Override public String host() { return "127.0.0.1"; }

    @Override public int coapPort() { return config.coapPort(); }

    @Override public int mqttPort() { return config.mqttPort(); }

    @Override public int mqttTlsPort() { return gateway.mqttTlsPort(); }

    @Override public int coapsPort() { return gateway.coapsPort(); }

    /** The CA the gateway made in its data folder: what its devices are given to trust. */
    @Override public java.util.Optional<java.nio.file.Path> caFile() {
        return java.util.Optional.of(config.dataDir().resolve("tls").resolve("ca.crt"));
    }

    @Override
    public synchronized void restart(Runnable whileDown) throws Exception {
        gateway.close();
        whileDown.run();
        gateway = Gateway.start(config, automationClock);
    }

    @Override
    public synchronized void close() {
        gateway.close();
    }
}
