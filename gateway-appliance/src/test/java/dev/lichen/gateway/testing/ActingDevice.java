package dev.lichen.gateway.testing;

import dev.lichen.appliance.DeviceConfig;
import dev.lichen.appliance.SensorAppliance;
import dev.lichen.gateway.Gateway;
import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.sim.SimBoard;
import dev.lichen.runtime.clock.Clock;
import dev.lichen.runtime.storage.FileKeyValueStore;
import dev.lichen.runtime.storage.FileOutbox;
import dev.lichen.runtime.uplink.Uplink;
import dev.lichen.runtime.uplink.UplinkPump;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The real sensor appliance with outputs on a simulated board, as an image runs it: its state
 * folder (outbox, key pair, applied commands) survives its restarts; it speaks MQTT over TLS or
 * CoAPS with its own key, trusting the gateway's CA, to the gateway it is started against. It runs on
 * its simulated board, or on a board made around it (one with a faulty pin, say); the tests read
 * the pins on {@link #board}.
 */
public final class ActingDevice implements AutoCloseable {
    public final String id;
    public final SimBoard board = new SimBoard("sim");
    private final Board runsOn;
    private final String uplinkKind;
    private final String outputs;
    private final Path data;
    private SensorAppliance app;
    private FileOutbox outbox;
    private Uplink uplink;

    /** outputs: the device config's "outputs" array; uplinkKind "mqtt" or "coaps". */
    public ActingDevice(Path dir, String id, String uplinkKind, String outputs) {
        this(dir, id, uplinkKind, outputs, sim -> sim);
    }

    /** runsOn: the board the appliance runs on, made around the simulated board. */
    public ActingDevice(Path dir, String id, String uplinkKind, String outputs, Function<SimBoard, Board> runsOn) {
        this.id = id;
        this.runsOn = runsOn.apply(board);
        this.uplinkKind = uplinkKind;
        this.outputs = outputs;
        this.data = dir.resolve("devices").resolve(id);
    }

    public ActingDevice start(Gateway gw) throws Exception {
        return start(gw.tls().caPem(), uplinkKind.equals("coaps") ? gw.coapsPort() : gw.mqttTlsPort());
    }

    /** Against a gateway on 127.0.0.1 (another process, say): its CA and its MQTT/TLS or CoAPS port. */
    public ActingDevice start(String caPem, int port) throws Exception {
        Files.createDirectories(data);
        Path ca = data.resolve("gateway-ca.crt");
        Files.writeString(ca, caPem);
        String json = """
                {"deviceId": "%s", "gateway": {"uplink": "%s", "host": "127.0.0.1", "port": %d, "caFile": "%s"},
                 "board": "sim", "dataDir": "%s", "sensors": [], "outputs": %s}
                """.formatted(id, uplinkKind, port, ca, data, outputs);
        var config = DeviceConfig.parse("device.json", json.getBytes(StandardCharsets.UTF_8), Set.of());
        var store = new FileKeyValueStore(data.resolve("state"));
        var identity = dev.lichen.runtime.identity.DeviceIdentity.loadOrCreate(store);
        uplink = SensorAppliance.openUplink(config, Optional.of(identity));
        outbox = FileOutbox.open(data.resolve("outbox"), DeviceConfig.DEFAULT_OUTBOX_BUDGET);
        app = new SensorAppliance(config, runsOn, Clock.SYSTEM, outbox, uplink, List.of(), Optional.of(store),
                new UplinkPump.Options(50, Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofMillis(200))).start();
        return this;
    }

    public SensorAppliance appliance() {
        return app;
    }

    public String fingerprint() {
        return app.identity().orElseThrow().fingerprint();
    }

    /** As a power cut would leave it: the appliance, its uplink and its outbox closed. */
    public void stop() throws IOException {
        if (app != null) app.close();
        app = null;
        if (uplink != null) uplink.close();
        uplink = null;
        if (outbox != null) outbox.close();
        outbox = null;
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
