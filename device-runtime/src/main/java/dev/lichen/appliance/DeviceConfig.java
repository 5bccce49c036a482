package dev.lichen.appliance;

import dev.lichen.senml.SenmlFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A sensor appliance's configuration (the JSON format in the shared brief), fully validated:
 * {@link #parse} either returns a config every part of the appliance can use as is, or throws
 * a {@link ConfigException} naming each bad field.
 *
 * <p>This file is the schema and the entry points. The file is read into raw records by
 * {@link DeviceConfigReader} (with jackson-databind's binding rules) and checked, all problems
 * at once, by {@link DeviceConfigValidation}.
 */
public record DeviceConfig(String deviceId, Gateway gateway, String board, Path dataDir,
                           long outboxBudgetBytes, List<SensorSpec> sensors, List<OutputSpec> outputs) {

    public DeviceConfig {
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }

    /** A config without outputs (the shape before outputs were added). */
    public DeviceConfig(String deviceId, Gateway gateway, String board, Path dataDir,
                        long outboxBudgetBytes, List<SensorSpec> sensors) {
        this(deviceId, gateway, board, dataDir, outboxBudgetBytes, sensors, List.of());
    }

    public enum UplinkKind { COAP, COAPS, MQTT }

    /** format is the SenML content format sent (CBOR 112 unless the config says "json"). */
    public record Gateway(UplinkKind uplink, String host, int port, Optional<Psk> psk,
                          Optional<String> username, Optional<String> password, boolean tls,
                          SenmlFormat format, Optional<dev.lichen.runtime.uplink.TrustedCa> ca) {
        /**
         * Whether the host is an IP address rather than a name to resolve. Of the hosts the
         * validator accepts ({@code validHost}), addresses are the IPv6 ones (a ':') and the
         * all-digit IPv4 ones: a name is never digits and dots alone.
         */
        public boolean hostIsAddress() {
            return hostIsIpv6Address() || host.chars().allMatch(ch -> ch == '.' || (ch >= '0' && ch <= '9'));
        }

        /**
         * Whether the device presents its own key pair: coaps without a pre-shared key, or mqtt over
         * TLS to the gateway's CA without a user name; either checks the gateway by that CA.
         */
        public boolean ownKey() {
            return uplink == UplinkKind.COAPS && psk.isEmpty() || uplink == UplinkKind.MQTT && ca.isPresent() && username.isEmpty();
        }

        /** Whether the host is an IPv6 address: of the hosts the validator accepts, only those hold a ':'. */
        public boolean hostIsIpv6Address() {
            return host.contains(":");
        }
    }

    public record Psk(String identity, byte[] key) {}

    /** One chip: its placement (bus, address, pin...) for its SensorFactory, and its channels. */
    public record SensorSpec(String chip, Map<String, Object> placement, Map<String, Schedule> channels) {}

    /** When a channel is read: on a fixed interval, or when the sensor raises an event. */
    public sealed interface Schedule {
        record Every(Duration interval) implements Schedule {}

        record OnEvent() implements Schedule {}
    }

    /**
     * An actuator on a GPIO pin (BCM number), named like a channel: its state is reported on that
     * channel and commands name it. Its safe state is where it is put at boot, on a fault and at
     * shutdown.
     */
    public sealed interface OutputSpec {
        String name();

        int pin();

        /** On or off; activeLow: on drives the pin low (most relay boards). */
        record SwitchSpec(String name, int pin, boolean activeLow, boolean safeOn) implements OutputSpec {}

        /** Hardware PWM at frequencyHz; a new level is reached linearly over ramp; safeLevel in percent. */
        record DimmerSpec(String name, int pin, int frequencyHz, Duration ramp, double safeLevel) implements OutputSpec {}
    }

    public static final Set<String> BOARDS = Set.of("rpi3", "rpi4", "arm64-virt", "sim");
    /** Placement keys a sensor entry may carry besides chip and channels. */
    public static final Set<String> PLACEMENT_KEYS =
            Set.of("bus", "address", "chipSelect", "pin", "romId", "input", "pull", "calibration", "settings");
    public static final long DEFAULT_OUTBOX_BUDGET = 8L << 20;
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    public static final Duration MAX_INTERVAL = Duration.ofHours(24);
    /** Output kinds, as the config names them. */
    public static final Set<String> OUTPUT_KINDS = Set.of("switch", "dimmer");
    /** Channels the appliance reports on itself (command acknowledgements, its outputs): no output may take them. */
    public static final Set<String> RESERVED_CHANNELS = Set.of(dev.lichen.command.CommandAck.CHANNEL,
            dev.lichen.command.OutputsAnnouncement.CHANNEL, dev.lichen.command.KeyRotation.CHANNEL);
    public static final int DEFAULT_PWM_FREQUENCY_HZ = 1000;
    /** The longest ramp: a dimmer's set returns after it, so a command waits that long. */
    public static final Duration MAX_RAMP = Duration.ofHours(1);

    public static DeviceConfig load(Path file, Set<String> knownChips) throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of("no such file: give the path of the device's JSON config"));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read: " + e.getMessage()));
        }
        // a caFile beside the config is named relative to it, wherever the command runs from
        return parse(file.toString(), bytes, knownChips, file.toAbsolutePath().getParent());
    }

    /**
     * Parses and validates. knownChips are the chips some SensorFactory offers; a sensor with
     * any other chip is an error.
     */
    public static DeviceConfig parse(String source, byte[] json, Set<String> knownChips) throws ConfigException {
        return parse(source, json, knownChips, null);
    }

    /** As above; a relative caFile is resolved against baseDir (null: the working directory). */
    public static DeviceConfig parse(String source, byte[] json, Set<String> knownChips, Path baseDir) throws ConfigException {
        DeviceConfigReader.RawConfig raw = DeviceConfigReader.read(source, json);
        return new DeviceConfigValidation(knownChips, baseDir).validate(source, raw);
    }
}
