package dev.lichen.sim.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * A simulated home as a scenario file describes it (JSON, read strictly by {@link ScenarioLoader}).
 * Durations are text such as "10s", "30m", "2h", "3d"; times of day are "HH:MM". Optional
 * fields are null here and get their defaults from {@link ScenarioLoader}'s validation.
 */
public record Scenario(
        Long seed,
        Double speed,
        String start,
        String duration,
        Double houseSpeed,
        Outdoor outdoor,
        List<Room> rooms,
        List<Plant> plants,
        List<Fridge> fridges,
        List<Door> doors,
        List<DeviceSpec> devices,
        List<Fleet> fleets,
        List<Fault> faults) {

    public Scenario {
        rooms = rooms == null ? List.of() : List.copyOf(rooms);
        plants = plants == null ? List.of() : List.copyOf(plants);
        fridges = fridges == null ? List.of() : List.copyOf(fridges);
        doors = doors == null ? List.of() : List.copyOf(doors);
        devices = devices == null ? List.of() : List.copyOf(devices);
        fleets = fleets == null ? List.of() : List.copyOf(fleets);
        faults = faults == null ? List.of() : List.copyOf(faults);
    }

    /** Outdoor weather and daylight that every room follows. */
    public record Outdoor(Double meanC, Double swingC, String sunrise, String sunset, Double daylightLux,
                          Double pressureHpa) {}

    /** A room: its heating schedule, lamps and how often someone moves in it. */
    public record Room(String name, Double initialC, List<Heating> heating, Double idleSetpointC,
                       Double heaterCPerHour, Double insulationHours, Double baseHumidity,
                       Double windowFactor, List<Lamp> lamps, Motion motion) {
        public Room {
            heating = heating == null ? List.of() : List.copyOf(heating);
            lamps = lamps == null ? List.of() : List.copyOf(lamps);
        }
    }

    public record Heating(String from, String to, Double setpointC) {}

    public record Lamp(String from, String to, Double lux) {}

    /** Movements per hour by day (07:00-23:00) and by night. */
    public record Motion(Double perHour, Double nightPerHour, String hold) {}

    /** A potted plant in a room; its soil dries and is watered. */
    public record Plant(String name, String room, Double initialPercent, Double dryPerDay, Watering watering) {}

    /** Watering on a schedule (every/at), at random (randomPerDay), or both. */
    public record Watering(String every, String at, Double randomPerDay, Double toPercent) {}

    /** A fridge: cold unless its door is open; its VOC climbs as food spoils until cleaned out. */
    public record Fridge(String name, String room, Double setpointC, Double doorOpensPerHour, String doorOpenFor,
                         Double leftOpenPerDay, String leftOpenFor, Double baseVocPpb, Double spoilPpbPerHour,
                         String cleanEvery, String cleanAt) {}

    /** A door with a reed switch: opened now and then, by day mostly. */
    public record Door(String name, String room, Double opensPerHour, String openFor) {}

    /**
     * One virtual device: where it sits, how it reaches the gateway, its outputs (each an entry of
     * a device config's "outputs" plus what it {@link Drives} in the home) and its device config in
     * the very format of a real device (gateway, dataDir, board and outputs are filled in by the
     * simulator).
     */
    public record DeviceSpec(String place, Map<String, String> placeByChip, String uplink, List<ObjectNode> outputs,
                             ObjectNode config) {
        public DeviceSpec {
            outputs = outputs == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(outputs));
        }
    }

    /**
     * What an output of a virtual device acts on in the home, at its full level (a switch on, a
     * dimmer at 100 %): {@code lamp} adds {@code lux} to a room's light, {@code fan} takes
     * {@code rhPerMinute} %RH a minute out of a room's air (towards the outdoor air's humidity),
     * {@code pump} adds {@code percentPerMinute} to a plant's soil moisture. The room or plant
     * defaults to the device's place.
     */
    public record Drives(String kind, String room, String plant, Double lux, Double rhPerMinute,
                         Double percentPerMinute) {}

    /** Many alike devices: ids prefix-0001..prefix-NNNN, config without a deviceId. */
    public record Fleet(String prefix, Integer count, String place, String uplink, ObjectNode config) {}

    /**
     * A fault at a moment of simulated time (from the start), optionally for a while.
     * Which fields apply depends on the type; {@link ScenarioLoader} says which are missing.
     */
    public record Fault(String type, String at, @com.fasterxml.jackson.annotation.JsonProperty("for") String forDuration,
                        List<String> devices, Double fraction, Double loss, String delay, String chip,
                        String mode, Double noise, Boolean powerLoss, String skew, String down) {
        public Fault {
            devices = devices == null ? List.of() : List.copyOf(devices);
        }
    }
}
