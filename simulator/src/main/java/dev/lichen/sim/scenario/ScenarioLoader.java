package dev.lichen.sim.scenario;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lichen.sim.scenario.FaultSpec.SensorMode;
import dev.lichen.sim.scenario.Scenario.DeviceSpec;
import dev.lichen.sim.scenario.Scenario.Fault;
import dev.lichen.sim.scenario.Scenario.Fleet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Reads a scenario strictly and validates all of it before anything starts: every problem is
 * reported with its JSON path ("rooms[1].motion.perHour: must not be negative (got -2.0)").
 */
public final class ScenarioLoader {
    /** The device config check of the sensor appliance, given a complete config; returns problems. */
    @FunctionalInterface
    public interface ConfigCheck {
        List<String> check(ObjectNode completeConfig);
    }

    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Set<String> UPLINKS = Set.of("coap", "mqtt");
    private static final List<String> DRIVE_KINDS = List.of("fan", "lamp", "pump");
    private static final Map<String, String> DRIVE_FIELDS = Map.of(
            "lamp", "a lamp takes room and lux",
            "fan", "a fan takes room and rhPerMinute",
            "pump", "a pump takes plant and percentPerMinute");
    private static final Set<String> FAULT_TYPES = Set.of("network-loss", "partition", "udp", "gateway-restart",
            "sensor", "reboot", "clock-skew");

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Set<String> knownChips;
    private final ConfigCheck configCheck;

    /**
     * @param knownChips the chips the simulator can model (and whose drivers exist)
     * @param configCheck the sensor appliance's own config validation
     */
    public ScenarioLoader(Set<String> knownChips, ConfigCheck configCheck) {
        this.knownChips = new TreeSet<>(knownChips);
        this.configCheck = configCheck;
    }

    public Plan load(Path file) throws ScenarioException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ScenarioException(file.toString(), List.of("cannot read the scenario file: " + e.getMessage()));
        }
        return parse(bytes, file.toString(), List.of());
    }

    /** Parses and validates; extraFaults come from the command line ("--fault"), validated alike. */
    public Plan parse(byte[] json, String source, List<ObjectNode> extraFaults) throws ScenarioException {
        Scenario s;
        try {
            s = JSON.readValue(json, Scenario.class);
        } catch (IOException e) {
            throw new ScenarioException(source, List.of(describe(e)));
        }
        if (s == null) {
            throw new ScenarioException(source, List.of("(root): the file is empty; expected a JSON object"));
        }
        List<Fault> faults = new ArrayList<>(s.faults());
        List<String> cliProblems = new ArrayList<>();
        for (int i = 0; i < extraFaults.size(); i++) {
            try {
                faults.add(JSON.treeToValue(extraFaults.get(i), Fault.class));
            } catch (IOException e) {
                cliProblems.add("--fault[" + i + "]" + describe(e).replaceFirst("^\\(root\\)", ""));
            }
        }
        if (!cliProblems.isEmpty()) {
            throw new ScenarioException(source, cliProblems);
        }
        return new Validation(source, s, faults.size() - extraFaults.size()).run(faults);
    }

    /** Turns a Jackson error into "path: problem". */
    static String describe(IOException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return path(u) + ": unknown field \"" + u.getPropertyName() + "\" (known: "
                    + String.join(", ", u.getKnownPropertyIds().stream().map(Object::toString).sorted().toList()) + ")";
        }
        if (e instanceof JsonMappingException m) {
            String msg = m.getOriginalMessage();
            int cut = msg.indexOf('\n');
            msg = cut > 0 ? msg.substring(0, cut) : msg;
            msg = msg.replaceAll("`[a-zA-Z0-9_.$]*Scenario\\$([A-Za-z]+)`", "$1").replace("`java.lang.", "`");
            return path(m) + ": " + msg;
        }
        if (e instanceof JsonProcessingException p && p.getLocation() != null) {
            return "(line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr() + "): "
                    + p.getOriginalMessage();
        }
        return "(root): " + e.getMessage();
    }

    private static String path(JsonMappingException m) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            } else if (r.getFieldName() != null) {
                if (!b.isEmpty()) b.append('.');
                b.append(r.getFieldName());
            }
        }
        return b.isEmpty() ? "(root)" : b.toString();
    }

    /** One validation pass: collects every problem, then fails once. */
    private final class Validation {
        final String source;
        final Scenario s;
        final int scenarioFaults;
        final List<String> problems = new ArrayList<>();
        final Map<String, String> places = new LinkedHashMap<>(); // name -> kind
        final Map<String, String> roomOf = new HashMap<>(); // plant, fridge or door -> its room

        Validation(String source, Scenario s, int scenarioFaults) {
            this.source = source;
            this.s = s;
            this.scenarioFaults = scenarioFaults;
        }

        Plan run(List<Fault> faults) throws ScenarioException {
            long seed = s.seed() == null ? fail("seed", "is required (any whole number; the same seed repeats a run)", 0L)
                    : s.seed();
            double speed = number("speed", s.speed(), 1.0, 0.001, 100_000);
            double houseSpeed = number("houseSpeed", s.houseSpeed(), 1.0, 0.001, 100_000);
            long start = start();
            long duration = s.duration() == null ? 0 : duration("duration", s.duration(), false);
            Scenario.Outdoor o = outdoor(s.outdoor());
            List<Scenario.Room> rooms = new ArrayList<>();
            for (int i = 0; i < s.rooms().size(); i++) rooms.add(room("rooms[" + i + "]", s.rooms().get(i)));
            List<Scenario.Plant> plants = new ArrayList<>();
            for (int i = 0; i < s.plants().size(); i++) plants.add(plant("plants[" + i + "]", s.plants().get(i)));
            List<Scenario.Fridge> fridges = new ArrayList<>();
            for (int i = 0; i < s.fridges().size(); i++) fridges.add(fridge("fridges[" + i + "]", s.fridges().get(i)));
            List<Scenario.Door> doors = new ArrayList<>();
            for (int i = 0; i < s.doors().size(); i++) doors.add(door("doors[" + i + "]", s.doors().get(i)));
            List<SimDevice> devices = devices();
            List<FaultSpec> resolved = new ArrayList<>();
            for (int i = 0; i < faults.size(); i++) {
                String p = i < scenarioFaults ? "faults[" + i + "]" : "--fault[" + (i - scenarioFaults) + "]";
                FaultSpec f = fault(p, faults.get(i), devices, seed);
                if (f != null) resolved.add(f);
            }
            if (!problems.isEmpty()) {
                throw new ScenarioException(source, problems);
            }
            Scenario home = new Scenario(seed, speed, s.start(), s.duration(), houseSpeed, o, rooms, plants, fridges,
                    doors, s.devices(), s.fleets(), faults);
            return new Plan(home, seed, speed, start, duration, houseSpeed, devices, resolved);
        }

        <T> T fail(String path, String problem, T fallback) {
            problems.add(path + ": " + problem);
            return fallback;
        }

        double number(String path, Double v, double dflt, double min, double max) {
            if (v == null) return dflt;
            if (!Double.isFinite(v)) return fail(path, "must be a finite number", dflt);
            if (v < min) {
                return fail(path, (min == 0 ? "must not be negative" : "must be at least " + min) + " (got " + v + ")", dflt);
            }
            if (v > max) return fail(path, "must be at most " + max + " (got " + v + ")", dflt);
            return v;
        }

        double rate(String path, Double v, double dflt) {
            return number(path, v, dflt, 0, 1_000_000);
        }

        long duration(String path, String text, boolean allowNegative) {
            try {
                long ms = Durations.millis(text);
                if (ms < 0 && !allowNegative) return fail(path, "must not be negative (got " + text + ")", 0L);
                return ms;
            } catch (IllegalArgumentException e) {
                return fail(path, e.getMessage(), 0L);
            }
        }

        String duration(String path, String text, String dflt, boolean positive) {
            if (text == null) return dflt;
            long ms = duration(path, text, false);
            if (positive && ms == 0 && problems.stream().noneMatch(p -> p.startsWith(path + ":"))) {
                fail(path, "must be longer than zero", null);
            }
            return text;
        }

        String time(String path, String text, String dflt) {
            if (text == null) return dflt;
            try {
                Durations.minuteOfDay(text);
            } catch (IllegalArgumentException e) {
                fail(path, e.getMessage(), null);
            }
            return text;
        }

        long start() {
            if (s.start() == null || s.start().equals("now")) {
                return System.currentTimeMillis();
            }
            try {
                return Instant.parse(s.start()).toEpochMilli();
            } catch (DateTimeParseException e) {
                return fail("start", "not an instant: \"" + s.start() + "\" (expected \"now\" or e.g. 2026-11-26T06:00:00Z)",
                        0L);
            }
        }

        void place(String path, String name, String kind) {
            if (name == null) {
                fail(path + ".name", "is required", null);
            } else if (!ID.matcher(name).matches()) {
                fail(path + ".name", "\"" + name + "\" must match " + ID.pattern(), null);
            } else if (places.putIfAbsent(name, kind) != null) {
                fail(path + ".name", "\"" + name + "\" is already the name of a " + places.get(name), null);
            }
        }

        String roomRef(String path, String room, boolean required) {
            if (room == null) {
                return required ? fail(path, "is required (the name of a room)", null) : null;
            }
            if (!"room".equals(places.get(room))) {
                fail(path, "no room named \"" + room + "\" (rooms: " + names("room") + ")", null);
            }
            return room;
        }

        String names(String kind) {
            List<String> n = places.entrySet().stream().filter(e -> e.getValue().equals(kind)).map(Map.Entry::getKey).toList();
            return n.isEmpty() ? "none" : String.join(", ", n);
        }

        Scenario.Outdoor outdoor(Scenario.Outdoor o) {
            if (o == null) o = new Scenario.Outdoor(null, null, null, null, null, null);
            return new Scenario.Outdoor(
                    number("outdoor.meanC", o.meanC(), 8, -60, 60),
                    number("outdoor.swingC", o.swingC(), 4, 0, 40),
                    time("outdoor.sunrise", o.sunrise(), "07:30"),
                    time("outdoor.sunset", o.sunset(), "17:00"),
                    number("outdoor.daylightLux", o.daylightLux(), 10_000, 0, 200_000),
                    number("outdoor.pressureHpa", o.pressureHpa(), 1013.25, 300, 1100));
        }

        Scenario.Room room(String p, Scenario.Room r) {
            place(p, r.name(), "room");
            List<Scenario.Heating> heating = new ArrayList<>();
            for (int i = 0; i < r.heating().size(); i++) {
                Scenario.Heating h = r.heating().get(i);
                String hp = p + ".heating[" + i + "]";
                if (h.setpointC() == null) fail(hp + ".setpointC", "is required", null);
                heating.add(new Scenario.Heating(time(hp + ".from", req(hp + ".from", h.from()), "00:00"),
                        time(hp + ".to", req(hp + ".to", h.to()), "00:00"),
                        number(hp + ".setpointC", h.setpointC(), 20, 5, 35)));
            }
            List<Scenario.Lamp> lamps = new ArrayList<>();
            for (int i = 0; i < r.lamps().size(); i++) {
                Scenario.Lamp l = r.lamps().get(i);
                String lp = p + ".lamps[" + i + "]";
                lamps.add(new Scenario.Lamp(time(lp + ".from", req(lp + ".from", l.from()), "00:00"),
                        time(lp + ".to", req(lp + ".to", l.to()), "00:00"), number(lp + ".lux", l.lux(), 300, 0, 100_000)));
            }
            Scenario.Motion m = r.motion() == null ? new Scenario.Motion(0.0, 0.0, "30s") : r.motion();
            m = new Scenario.Motion(rate(p + ".motion.perHour", m.perHour(), 0),
                    rate(p + ".motion.nightPerHour", m.nightPerHour(), 0), duration(p + ".motion.hold", m.hold(), "30s", true));
            return new Scenario.Room(r.name(), number(p + ".initialC", r.initialC(), 19, -40, 60), heating,
                    r.idleSetpointC() == null ? null : number(p + ".idleSetpointC", r.idleSetpointC(), 16, 5, 35),
                    rate(p + ".heaterCPerHour", r.heaterCPerHour(), 6),
                    number(p + ".insulationHours", r.insulationHours(), 8, 0.1, 1000),
                    number(p + ".baseHumidity", r.baseHumidity(), 50, 0, 100),
                    number(p + ".windowFactor", r.windowFactor(), 0.03, 0, 1), lamps, m);
        }

        String req(String path, String v) {
            return v == null ? fail(path, "is required", null) : v;
        }

        Scenario.Plant plant(String p, Scenario.Plant pl) {
            place(p, pl.name(), "plant");
            if (pl.name() != null) roomOf.putIfAbsent(pl.name(), roomRef(p + ".room", pl.room(), true));
            Scenario.Watering w = pl.watering() == null ? new Scenario.Watering(null, null, null, null) : pl.watering();
            String every = duration(p + ".watering.every", w.every(), null, true);
            String at = time(p + ".watering.at", w.at(), every == null ? null : "09:00");
            return new Scenario.Plant(pl.name(), pl.room(), number(p + ".initialPercent", pl.initialPercent(), 45, 0, 100),
                    rate(p + ".dryPerDay", pl.dryPerDay(), 8),
                    new Scenario.Watering(every, at, rate(p + ".watering.randomPerDay", w.randomPerDay(), 0),
                            number(p + ".watering.toPercent", w.toPercent(), 45, 0, 100)));
        }

        Scenario.Fridge fridge(String p, Scenario.Fridge f) {
            place(p, f.name(), "fridge");
            String room = roomRef(p + ".room", f.room(), false);
            if (f.name() != null && room != null) roomOf.putIfAbsent(f.name(), room);
            String cleanEvery = duration(p + ".cleanEvery", f.cleanEvery(), null, true);
            return new Scenario.Fridge(f.name(), f.room(), number(p + ".setpointC", f.setpointC(), 4, -30, 15),
                    rate(p + ".doorOpensPerHour", f.doorOpensPerHour(), 1), duration(p + ".doorOpenFor", f.doorOpenFor(), "20s", true),
                    rate(p + ".leftOpenPerDay", f.leftOpenPerDay(), 0), duration(p + ".leftOpenFor", f.leftOpenFor(), "10m", true),
                    number(p + ".baseVocPpb", f.baseVocPpb(), 40, 0, 60_000), rate(p + ".spoilPpbPerHour", f.spoilPpbPerHour(), 6),
                    cleanEvery, time(p + ".cleanAt", f.cleanAt(), cleanEvery == null ? null : "10:00"));
        }

        Scenario.Door door(String p, Scenario.Door d) {
            place(p, d.name(), "door");
            String room = roomRef(p + ".room", d.room(), false);
            if (d.name() != null && room != null) roomOf.putIfAbsent(d.name(), room);
            return new Scenario.Door(d.name(), d.room(), rate(p + ".opensPerHour", d.opensPerHour(), 1),
                    duration(p + ".openFor", d.openFor(), "15s", true));
        }

        List<SimDevice> devices() {
            List<SimDevice> out = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < s.devices().size(); i++) {
                DeviceSpec d = s.devices().get(i);
                String p = "devices[" + i + "]";
                if (d.config() == null) {
                    fail(p + ".config", "is required (a device config, as on a real device)", null);
                    continue;
                }
                JsonNode idNode = d.config().get("deviceId");
                String id = idNode == null || !idNode.isTextual() ? null : idNode.asText();
                if (id == null) fail(p + ".config.deviceId", "is required", null);
                SimDevice sd = device(p, id, d.place(), d.placeByChip(), d.uplink(), d.outputs(), d.config(), ids);
                if (sd != null) out.add(sd);
            }
            for (int i = 0; i < s.fleets().size(); i++) {
                Fleet f = s.fleets().get(i);
                String p = "fleets[" + i + "]";
                if (f.prefix() == null || !ID.matcher(f.prefix()).matches() || f.prefix().length() > 50) {
                    fail(p + ".prefix", "is required and must match [a-z0-9][a-z0-9_-]{0,49}", null);
                    continue;
                }
                if (f.count() == null || f.count() < 1 || f.count() > 100_000) {
                    fail(p + ".count", "must be 1 to 100000 (got " + f.count() + ")", null);
                    continue;
                }
                if (f.config() == null) {
                    fail(p + ".config", "is required (a device config without deviceId)", null);
                    continue;
                }
                if (f.config().has("deviceId")) {
                    fail(p + ".config.deviceId", "must be left out: a fleet names its devices prefix-0001, prefix-0002...", null);
                    continue;
                }
                int width = Math.max(4, String.valueOf(f.count()).length());
                for (int n = 1; n <= f.count(); n++) {
                    ObjectNode c = f.config().deepCopy();
                    String id = f.prefix() + "-" + "0".repeat(width - String.valueOf(n).length()) + n;
                    c.put("deviceId", id);
                    int before = problems.size();
                    SimDevice sd = device(p, id, f.place(), null, f.uplink(), List.of(), c, ids);
                    if (sd != null) out.add(sd);
                    if (problems.size() > before) break; // the same template fails alike for all
                }
            }
            return out;
        }

        SimDevice device(String p, String id, String place, Map<String, String> byChip, String uplink,
                         List<ObjectNode> outputs, ObjectNode config, Set<String> ids) {
            if (id != null && !ids.add(id)) fail(p + ".config.deviceId", "\"" + id + "\" is used by two devices", null);
            if (place == null) {
                fail(p + ".place", "is required (a room, plant, fridge or door of this scenario)", null);
            } else if (!places.containsKey(place)) {
                fail(p + ".place", "no place named \"" + place + "\" (places: " + String.join(", ", places.keySet()) + ")", null);
            }
            String up = uplink == null ? "coap" : uplink;
            if (!UPLINKS.contains(up)) fail(p + ".uplink", "must be coap or mqtt (got \"" + up + "\")", null);
            for (String k : List.of("gateway", "dataDir", "board")) {
                if (config.has(k)) fail(p + ".config." + k, "must be left out: the simulator sets it", null);
            }
            Set<String> chips = new HashSet<>();
            JsonNode sensors = config.get("sensors");
            if (sensors != null && sensors.isArray()) {
                for (int j = 0; j < sensors.size(); j++) {
                    JsonNode chip = sensors.get(j).get("chip");
                    String cp = p + ".config.sensors[" + j + "].chip";
                    if (chip == null || !chip.isTextual()) {
                        fail(cp, "is required", null);
                    } else if (!knownChips.contains(chip.asText())) {
                        fail(cp, "unknown chip \"" + chip.asText() + "\" (the simulator models: "
                                + String.join(", ", knownChips) + ")", null);
                    } else {
                        chips.add(chip.asText());
                    }
                }
            }
            Map<String, String> pbc = byChip == null ? Map.of() : byChip;
            pbc.forEach((chip, pl) -> {
                if (!chips.contains(chip)) fail(p + ".placeByChip." + chip, "this device has no " + chip + " chip", null);
                if (!places.containsKey(pl)) fail(p + ".placeByChip." + chip, "no place named \"" + pl + "\"", null);
            });
            if (config.has("outputs")) {
                fail(p + ".config.outputs", "must be left out: declare the outputs beside the config, as " + p
                        + ".outputs, each with what it drives in the home", null);
            }
            List<SimDevice.SimOutput> outs = new ArrayList<>();
            for (int j = 0; j < outputs.size(); j++) {
                String op = p + ".outputs[" + j + "]";
                ObjectNode o = outputs.get(j);
                if (o == null) {
                    fail(op, "expected an object {\"name\": ..., \"kind\": \"switch\" or \"dimmer\", \"pin\": ..., \"drives\": {...}}", null);
                    continue;
                }
                ObjectNode spec = o.deepCopy();
                JsonNode drives = spec.remove("drives");
                String name = spec.path("name").isTextual() ? spec.get("name").asText() : null;
                Drive drive = drives == null || drives.isNull() ? null : drive(op + ".drives", drives, place);
                outs.add(new SimDevice.SimOutput(name, spec, java.util.Optional.ofNullable(drive)));
            }
            SimDevice sd = new SimDevice(id, place, pbc, up, config, outs);
            if (id != null) {
                ObjectNode complete = completeConfig(sd.deviceConfig(), up, "127.0.0.1", 5683, "/tmp/lichen-sim-check");
                for (String problem : configCheck.check(complete)) {
                    // the outputs are written beside the config: name them where they are written
                    problems.add(problem.startsWith("outputs[") ? p + "." + problem
                            : p + ".config" + (problem.startsWith("[") ? "" : ".") + problem);
                }
            }
            return sd;
        }

        /** What an output drives: a lamp or a fan in a room, a pump for a plant; null after a problem. */
        Drive drive(String p, JsonNode node, String devicePlace) {
            if (!node.isObject()) {
                return fail(p, "expected an object: {\"kind\": \"lamp\", \"lux\": 300}, {\"kind\": \"fan\", \"rhPerMinute\": 1.5}"
                        + " or {\"kind\": \"pump\", \"plant\": ..., \"percentPerMinute\": 5} (got " + node + ")", null);
            }
            Scenario.Drives d;
            try {
                d = JSON.treeToValue(node, Scenario.Drives.class);
            } catch (IOException e) {
                String m = describe(e); // "field: problem", relative to the drives object
                problems.add(p + (m.startsWith("(root)") ? m.substring("(root)".length()) : "." + m));
                return null;
            }
            int before = problems.size();
            Drive out = switch (d.kind() == null ? "" : d.kind()) {
                case "lamp" -> {
                    notFor(p, "lamp", "plant", d.plant(), "rhPerMinute", d.rhPerMinute(), "percentPerMinute", d.percentPerMinute());
                    yield new Drive.Lamp(driveRoom(p, d.room(), devicePlace),
                            required(p + ".lux", d.lux(), 1, 100_000, "the lux it adds to the room at full level, e.g. 300"));
                }
                case "fan" -> {
                    notFor(p, "fan", "plant", d.plant(), "lux", d.lux(), "percentPerMinute", d.percentPerMinute());
                    yield new Drive.Fan(driveRoom(p, d.room(), devicePlace), required(p + ".rhPerMinute", d.rhPerMinute(),
                            0.01, 100, "the %RH a minute it takes out of the room's air at full speed, e.g. 1.5"));
                }
                case "pump" -> {
                    notFor(p, "pump", "room", d.room(), "lux", d.lux(), "rhPerMinute", d.rhPerMinute());
                    yield new Drive.Pump(drivePlant(p, d.plant(), devicePlace), required(p + ".percentPerMinute",
                            d.percentPerMinute(), 0.01, 100, "the soil moisture % a minute it adds while on, e.g. 5"));
                }
                default -> fail(p + ".kind", (d.kind() == null ? "is required" : "unknown kind \"" + d.kind() + "\"")
                        + " (one of: " + String.join(", ", DRIVE_KINDS) + ")", null);
            };
            return problems.size() == before ? out : null;
        }

        /** Fields a drive of another kind takes. */
        void notFor(String p, String kind, Object... fieldsAndValues) {
            for (int i = 0; i < fieldsAndValues.length; i += 2) {
                if (fieldsAndValues[i + 1] != null) {
                    fail(p + "." + fieldsAndValues[i], "does not apply to a " + kind + " (" + DRIVE_FIELDS.get(kind) + ")", null);
                }
            }
        }

        double required(String path, Double v, double min, double max, String what) {
            if (v == null) return fail(path, "is required (" + what + ")", Double.NaN);
            return number(path, v, Double.NaN, min, max);
        }

        /** The room a lamp or fan is in: given, or the room of the device's place. */
        String driveRoom(String p, String room, String devicePlace) {
            if (room != null) return roomRef(p + ".room", room, true);
            if (devicePlace != null && "room".equals(places.get(devicePlace))) return devicePlace;
            if (devicePlace != null && roomOf.get(devicePlace) != null) return roomOf.get(devicePlace);
            return fail(p + ".room", "is required: the device's place" + (devicePlace == null ? "" : " \"" + devicePlace + "\"")
                    + " is in no room (rooms: " + names("room") + ")", null);
        }

        /** The plant a pump waters: given, or the device's place when it is a plant. */
        String drivePlant(String p, String plant, String devicePlace) {
            if (plant == null) {
                if (devicePlace != null && "plant".equals(places.get(devicePlace))) return devicePlace;
                return fail(p + ".plant", "is required (the plant it waters; plants: " + names("plant") + ")", null);
            }
            if (!"plant".equals(places.get(plant))) {
                fail(p + ".plant", "no plant named \"" + plant + "\" (plants: " + names("plant") + ")", null);
            }
            return plant;
        }

        FaultSpec fault(String p, Fault f, List<SimDevice> devices, long seed) {
            if (f.type() == null || !FAULT_TYPES.contains(f.type())) {
                return fail(p + ".type", (f.type() == null ? "is required" : "unknown fault \"" + f.type() + "\"")
                        + " (one of: " + String.join(", ", new TreeSet<>(FAULT_TYPES)) + ")", null);
            }
            long at = f.at() == null ? fail(p + ".at", "is required (when, after the start: e.g. 10m)", 0L)
                    : duration(p + ".at", f.at(), false);
            long forMs = f.forDuration() == null ? 0 : duration(p + ".for", f.forDuration(), false);
            Set<String> known = new HashSet<>();
            devices.forEach(d -> known.add(d.deviceId()));
            Consumer<String> device = id -> {
                if (!known.contains(id)) fail(p + ".devices", "no device \"" + id + "\" in this scenario", null);
            };
            return switch (f.type()) {
                case "network-loss", "partition" -> {
                    if (f.forDuration() == null) fail(p + ".for", "is required (how long the network is away)", null);
                    List<String> ids = new ArrayList<>(f.devices());
                    ids.forEach(device);
                    if (f.fraction() != null) {
                        double fr = number(p + ".fraction", f.fraction(), 0, 0, 1);
                        ids.addAll(pick(devices, fr, seed ^ at));
                    }
                    if (ids.isEmpty() && f.fraction() == null) fail(p + ".devices", "name the devices cut off (or give a fraction)", null);
                    yield new FaultSpec.NetworkLoss(at, forMs, List.copyOf(new TreeSet<>(ids)));
                }
                case "udp" -> {
                    if (f.forDuration() == null) fail(p + ".for", "is required", null);
                    yield new FaultSpec.UdpTrouble(at, forMs, number(p + ".loss", f.loss(), 0, 0, 1),
                            f.delay() == null ? 0 : duration(p + ".delay", f.delay(), false));
                }
                case "gateway-restart" -> new FaultSpec.GatewayRestart(at,
                        f.down() == null ? 0 : duration(p + ".down", f.down(), false));
                case "sensor" -> {
                    String dev = one(p, f, device);
                    if (f.chip() == null) fail(p + ".chip", "is required (which chip of the device)", null);
                    SensorMode mode = null;
                    try {
                        mode = SensorMode.valueOf(Objects.requireNonNull(f.mode()).toUpperCase(java.util.Locale.ROOT));
                    } catch (RuntimeException e) {
                        fail(p + ".mode", "must be stuck, noisy or nack (got " + f.mode() + ")", null);
                    }
                    if (f.forDuration() == null) fail(p + ".for", "is required", null);
                    yield new FaultSpec.SensorFault(at, forMs, dev, f.chip(), mode, number(p + ".noise", f.noise(), 10, 0, 1000));
                }
                case "reboot" -> new FaultSpec.Reboot(at, one(p, f, device), Boolean.TRUE.equals(f.powerLoss()));
                case "clock-skew" -> {
                    if (f.skew() == null) fail(p + ".skew", "is required (e.g. 90s or -2m)", null);
                    yield new FaultSpec.ClockSkew(at, forMs, one(p, f, device),
                            f.skew() == null ? 0 : duration(p + ".skew", f.skew(), true));
                }
                default -> throw new IllegalStateException(f.type());
            };
        }

        String one(String p, Fault f, Consumer<String> check) {
            if (f.devices().size() != 1) return fail(p + ".devices", "name exactly one device", null);
            check.accept(f.devices().getFirst());
            return f.devices().getFirst();
        }
    }

    /** A seeded choice of round(fraction * n) devices: the same seed picks the same ones. */
    static List<String> pick(List<SimDevice> devices, double fraction, long seed) {
        List<String> ids = new ArrayList<>(devices.stream().map(SimDevice::deviceId).sorted().toList());
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = ids.size() - 1; i > 0; i--) {
            java.util.Collections.swap(ids, i, r.nextInt(i + 1));
        }
        return ids.subList(0, (int) Math.round(fraction * ids.size()));
    }

    /** The device config the appliance gets: the scenario's, plus gateway, dataDir and board. */
    public static ObjectNode completeConfig(ObjectNode config, String uplink, String host, int port, String dataDir) {
        ObjectNode c = config.deepCopy();
        ObjectNode gw = c.putObject("gateway");
        gw.put("uplink", uplink);
        gw.put("host", host);
        gw.put("port", port);
        c.put("board", "sim");
        c.put("dataDir", dataDir);
        return c;
    }

    /** The fault given on the command line as "type=partition,at=10m,for=30m,devices=a;b". */
    public static ObjectNode faultFromFlag(String flag) {
        ObjectNode n = JSON.createObjectNode();
        Map<String, String> kv = new HashMap<>();
        for (String part : flag.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--fault " + flag + ": expected key=value pairs separated by commas");
            kv.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
        kv.forEach((k, v) -> {
            switch (k) {
                case "devices" -> {
                    var a = n.putArray("devices");
                    for (String d : v.split(";")) a.add(d);
                }
                case "fraction", "loss", "noise" -> {
                    try {
                        n.put(k, Double.parseDouble(v));
                    } catch (NumberFormatException e) {
                        n.put(k, v); // the validation names it
                    }
                }
                case "powerLoss" -> n.put(k, Boolean.parseBoolean(v));
                default -> n.put(k, v);
            }
        });
        return n;
    }
}
