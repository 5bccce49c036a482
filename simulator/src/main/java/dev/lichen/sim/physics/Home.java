package dev.lichen.sim.physics;

import dev.lichen.sensors.sim.Environment;
import dev.lichen.sim.scenario.Drive;
import dev.lichen.sim.scenario.Durations;
import dev.lichen.sim.scenario.Plan;
import dev.lichen.sim.scenario.Scenario;
import dev.lichen.sim.scenario.SimDevice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The physics of a home: what each place (room, plant, fridge, door) would make a sensor read at
 * a moment of simulated time. Every value is a pure function of the seed and the time, so the
 * same scenario and seed give the same readings however fast or in whatever order they are read.
 * The home's own time runs {@code houseSpeed} times the simulated clock (a demo compresses a day).
 *
 * <p>The devices' outputs act on it ({@link #actuate}): a lamp lights its room, a fan dries its
 * room's air, a pump waters its plant. Then a value is a function of the seed, the time and what
 * the outputs did until then; with no output ever on, the home is exactly as without outputs.
 */
public final class Home {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 86_400_000L;
    /** The outdoor air's relative humidity (outdoors at the door; what a fan lets in, once warmed). */
    private static final double OUTDOOR_RH = 70;
    /** Minutes for a room's own moisture (people, plants, cooking) to undo most of a fan's drying: e^-1 left. */
    private static final double MOISTURE_RETURNS_MINUTES = 60;

    private final long start;
    private final double houseSpeed;
    private final Scenario.Outdoor outdoor;
    private final long seed;
    private final Map<String, Place> places = new HashMap<>();
    /** "deviceId/output" -> the output's level and what it drives. */
    private final Map<String, Driven> actuators = new HashMap<>();

    private record Driven(Actuator level, Drive drive) {}

    public Home(Plan plan) {
        this.start = plan.startMillis();
        this.houseSpeed = plan.houseSpeed();
        this.seed = plan.seed();
        Scenario s = plan.home();
        this.outdoor = s.outdoor();
        for (Scenario.Room r : s.rooms()) places.put(r.name(), new RoomPlace(r));
        for (Scenario.Plant p : s.plants()) places.put(p.name(), new PlantPlace(p, (RoomPlace) places.get(p.room())));
        for (Scenario.Fridge f : s.fridges()) places.put(f.name(), new FridgePlace(f, room(f.room())));
        for (Scenario.Door d : s.doors()) places.put(d.name(), new DoorPlace(d, room(d.room())));
        for (SimDevice d : plan.devices()) {
            for (SimDevice.SimOutput o : d.outputs()) {
                if (o.drive().isEmpty()) continue;
                Driven driven = new Driven(new Actuator(), o.drive().get());
                actuators.put(d.deviceId() + "/" + o.name(), driven);
                switch (driven.drive()) {
                    case Drive.Lamp l -> room(l.room()).lamps.add(driven);
                    case Drive.Fan f -> room(f.room()).fans.add(driven);
                    case Drive.Pump p -> ((PlantPlace) places.get(p.plant())).pumps.add(driven);
                }
            }
        }
        for (Place p : places.values()) {
            if (p instanceof RoomPlace r && !r.fans.isEmpty()) r.dryness = new Integrator(start, 0, r::dry);
        }
    }

    /**
     * An output of a device is at this level from simulated time t on: 0 to 1 (a switch off or
     * on, a dimmer's 0-100 % as 0 to 1). Only outputs that drive something in the home count.
     */
    public void actuate(String deviceId, String output, long t, double level) {
        Driven d = actuators.get(deviceId + "/" + output);
        if (d == null) {
            throw new IllegalArgumentException("output " + output + " of device " + deviceId
                    + " drives nothing in this home (outputs that do: " + new java.util.TreeSet<>(actuators.keySet()) + ")");
        }
        if (!(level >= 0 && level <= 1)) {
            throw new IllegalArgumentException("output " + output + " of device " + deviceId + ": level " + level
                    + " is not 0 to 1");
        }
        long h = house(t);
        d.level().set(h, level);
        // what was stepped ahead with the old level is stepped again
        switch (d.drive()) {
            case Drive.Lamp l -> places.values().forEach(p -> {
                if (p instanceof PlantPlace plant && plant.room == room(l.room())) plant.soil.forgetAfter(h);
            });
            case Drive.Fan f -> room(f.room()).dryness.forgetAfter(h);
            case Drive.Pump p -> ((PlantPlace) places.get(p.plant())).soil.forgetAfter(h);
        }
    }

    /** Whether some device's output drives something in the home under this name. */
    public boolean drives(String deviceId, String output) {
        return actuators.containsKey(deviceId + "/" + output);
    }

    private RoomPlace room(String name) {
        return name == null ? null : (RoomPlace) places.get(name);
    }

    /** What a sensor at this place measures at simulated time t (epoch milliseconds). */
    public Environment at(String place, long t) {
        return place(place).at(house(t));
    }

    /** The next simulated time after t at which motion or open changes at this place. */
    public long nextEdgeAfter(String place, long t) {
        long h = place(place).nextEdgeAfter(house(t));
        if (h == Long.MAX_VALUE) return Long.MAX_VALUE;
        // round up so that at(place, edge) already shows the new state
        return start + (long) Math.ceil((h - start) / houseSpeed);
    }

    private Place place(String name) {
        Place p = places.get(name);
        if (p == null) throw new IllegalArgumentException("no place " + name);
        return p;
    }

    private long house(long t) {
        return start + (long) ((t - start) * houseSpeed);
    }

    private long key(String name) {
        return Noise.key(seed, name);
    }

    private static int minuteOfDay(long t) {
        return (int) (Math.floorMod(t, DAY) / 60_000);
    }

    /** Whether minute m of the day lies in [from, to), wrapping past midnight when to < from. */
    private static boolean within(int m, String from, String to) {
        int a = Durations.minuteOfDay(from);
        int b = Durations.minuteOfDay(to);
        return a <= b ? m >= a && m < b : m >= a || m < b;
    }

    /** The last occurrence at or before t of "every E at HH:MM" counted from the start, or MIN. */
    private long lastScheduled(long t, String every, String at) {
        if (every == null) return Long.MIN_VALUE;
        long e = Durations.millis(every);
        long dayStart = start - Math.floorMod(start, DAY);
        long first = dayStart + Durations.minuteOfDay(at) * 60_000L;
        if (first < start) first += DAY;
        if (t < first) return Long.MIN_VALUE;
        return first + (t - first) / e * e;
    }

    double outdoorC(long h) {
        int m = minuteOfDay(h);
        return outdoor.meanC() + outdoor.swingC() * Math.cos(2 * Math.PI * (m / 60.0 - 15) / 24)
                + 1.5 * Noise.smooth(key("outdoor"), h, 6 * HOUR);
    }

    double pressurePa(long h) {
        return outdoor.pressureHpa() * 100 + 600 * Noise.smooth(key("pressure"), h, 8 * HOUR);
    }

    /**
     * The relative humidity of outdoor air once warmed to indoorC: its water stays, its capacity
     * grows (Magnus formula for the saturation pressure), so cold outdoor air dries a warm room.
     */
    double outdoorAirHumidity(long h, double indoorC) {
        return Math.clamp(OUTDOOR_RH * saturationHpa(outdoorC(h)) / saturationHpa(indoorC), 5, 98);
    }

    static double saturationHpa(double c) {
        return 6.112 * Math.exp(17.62 * c / (243.12 + c));
    }

    double daylight(long h) {
        int m = minuteOfDay(h);
        int rise = Durations.minuteOfDay(outdoor.sunrise());
        int set = Durations.minuteOfDay(outdoor.sunset());
        if (m < rise || m >= set || set <= rise) return 0;
        double clouds = 0.55 + 0.45 * (Noise.smooth(key("clouds"), h, 40 * 60_000L) + 1) / 2;
        return outdoor.daylightLux() * Math.sin(Math.PI * (m - rise) / (set - rise)) * clouds;
    }

    private sealed interface Place permits RoomPlace, PlantPlace, FridgePlace, DoorPlace {
        Environment at(long h);

        default long nextEdgeAfter(long h) { return Long.MAX_VALUE; }
    }

    private final class RoomPlace implements Place {
        final Scenario.Room r;
        final Integrator temperature;
        final EventStream motion;
        final long key;
        final List<Driven> lamps = new ArrayList<>();
        final List<Driven> fans = new ArrayList<>();
        /** The %RH the fans have taken out of the air (null: no fan in this room). */
        Integrator dryness;

        RoomPlace(Scenario.Room r) {
            this.r = r;
            this.key = key("room:" + r.name());
            this.temperature = new Integrator(start, r.initialC(), this::step);
            this.motion = new EventStream(key ^ 1, r.motion().perHour(), r.motion().nightPerHour(),
                    Durations.millis(r.motion().hold()), start);
        }

        Double setpoint(long h) {
            int m = minuteOfDay(h);
            for (Scenario.Heating he : r.heating()) {
                if (within(m, he.from(), he.to())) return he.setpointC();
            }
            return r.idleSetpointC();
        }

        double step(double t, long h, long dt) {
            double hours = dt / (double) HOUR;
            double loss = (outdoorC(h) - t) / r.insulationHours();
            Double sp = setpoint(h);
            double heat = sp == null ? 0 : r.heaterCPerHour() * Math.clamp((sp - t) / 0.5, 0, 1);
            return t + hours * (loss + heat);
        }

        double temperature(long h) {
            return temperature.at(h) + 0.05 * Noise.smooth(key ^ 2, h, 10 * 60_000L);
        }

        double lux(long h) {
            int m = minuteOfDay(h);
            double lamps = 0;
            for (Scenario.Lamp l : r.lamps()) {
                if (within(m, l.from(), l.to())) lamps += l.lux();
            }
            double lit = Math.max(0, (daylight(h) * r.windowFactor() + lamps) * (1 + 0.01 * Noise.smooth(key ^ 3, h, 60_000)));
            // the outputs' lamps: their lux scaled by their level, at once
            for (Driven l : this.lamps) lit += ((Drive.Lamp) l.drive()).lux() * l.level().at(h);
            return lit;
        }

        /** The humidity the room's own sources give, before any fan (not yet clamped). */
        double ownHumidity(long h, double t) {
            return r.baseHumidity() + 6 * Noise.smooth(key ^ 4, h, 3 * HOUR) - 2 * (t - 20);
        }

        /**
         * One step of the fans' drying, d in %RH: they move the air's humidity towards the outdoor
         * air's (warmed to the room) by rhPerMinute x level a minute, never past it; the room's
         * own moisture brings d back to 0 with a time constant of an hour.
         */
        double dry(double d, long h, long dt) {
            double minutes = dt / 60_000.0;
            double t = temperature(h);
            double gap = Math.clamp(ownHumidity(h, t) - d, 5, 98) - outdoorAirHumidity(h, t);
            double push = 0;
            for (Driven f : fans) push += ((Drive.Fan) f.drive()).rhPerMinute() * f.level().mean(h, h + dt) * minutes;
            d += Math.copySign(Math.min(Math.abs(gap), push), gap);
            return d * Math.exp(-minutes / MOISTURE_RETURNS_MINUTES);
        }

        @Override
        public Environment at(long h) {
            double t = temperature(h);
            double rh = ownHumidity(h, t);
            if (dryness != null) rh -= dryness.at(h);
            return new Environment(t, Math.clamp(rh, 5, 98), pressurePa(h), lux(h), 0, Double.NaN, motion.active(h), false);
        }

        @Override public long nextEdgeAfter(long h) { return motion.nextEdgeAfter(h); }
    }

    private final class PlantPlace implements Place {
        final Scenario.Plant p;
        final RoomPlace room;
        final Integrator soil;
        final EventStream randomWatering;
        final List<Driven> pumps = new ArrayList<>();

        PlantPlace(Scenario.Plant p, RoomPlace room) {
            this.p = p;
            this.room = room;
            long key = key("plant:" + p.name());
            this.randomWatering = new EventStream(key, p.watering().randomPerDay() / 16.0, 0, 60_000, start);
            this.soil = new Integrator(start, p.initialPercent(), this::step);
        }

        double step(double m, long h, long dt) {
            long end = h + dt;
            Scenario.Watering w = p.watering();
            long scheduled = lastScheduled(end, w.every(), w.at());
            long random = randomWatering.lastStartBy(end);
            if (scheduled > h || random > h) return w.toPercent();
            double t = room.temperature(h);
            double lux = room.lux(h);
            // evaporation is faster when warm and bright: 1x at 20 C and ~400 lx
            double rate = p.dryPerDay() / 1440.0 * Math.max(0.2, 1 + 0.06 * (t - 20)) * (0.6 + 0.8 * lux / (lux + 400));
            double next = m - rate * dt / 60_000.0;
            // the pumps: percentPerMinute x their mean level over the step; wet soil reads 100 % at most
            for (Driven pump : pumps) {
                next += ((Drive.Pump) pump.drive()).percentPerMinute() * pump.level().mean(h, end) * dt / 60_000.0;
            }
            return Math.max(3, Math.min(100, next));
        }

        @Override
        public Environment at(long h) {
            Environment air = room.at(h);
            return new Environment(air.temperatureC(), air.humidityPercent(), air.pressurePa(), air.lux(), 0,
                    soil.at(h), air.motion(), false);
        }
    }

    private final class FridgePlace implements Place {
        final Scenario.Fridge f;
        final RoomPlace room;
        final EventStream door;
        final EventStream leftOpen;
        final Integrator temperature;
        final long key;

        FridgePlace(Scenario.Fridge f, RoomPlace room) {
            this.f = f;
            this.room = room;
            this.key = key("fridge:" + f.name());
            this.door = new EventStream(key ^ 1, f.doorOpensPerHour(), f.doorOpensPerHour() / 6,
                    Durations.millis(f.doorOpenFor()), start);
            this.leftOpen = new EventStream(key ^ 2, f.leftOpenPerDay() / 16.0, 0, Durations.millis(f.leftOpenFor()), start);
            this.temperature = new Integrator(start, f.setpointC(), this::step);
        }

        double ambient(long h) {
            return room == null ? 20 : room.temperature(h);
        }

        boolean open(long h) {
            return door.active(h) || leftOpen.active(h);
        }

        double step(double t, long h, long dt) {
            double minutes = dt / 60_000.0;
            if (open(h) || open(h + dt / 2)) {
                return t + (ambient(h) - t) * (1 - Math.exp(-minutes / 15));
            }
            return t + (f.setpointC() - t) * (1 - Math.exp(-minutes / 25)) + (ambient(h) - t) * minutes / 720;
        }

        @Override
        public Environment at(long h) {
            boolean open = open(h);
            double t = temperature.at(h) + 0.3 * Math.sin(2 * Math.PI * (h % (40 * 60_000L)) / (40 * 60_000.0));
            long cleaned = lastScheduled(h, f.cleanEvery(), f.cleanAt());
            long since = cleaned == Long.MIN_VALUE ? h - start + 36 * HOUR : h - cleaned;
            double hours = since / (double) HOUR;
            double voc = f.baseVocPpb() + f.spoilPpbPerHour() * Math.pow(hours, 1.25) * Math.max(0.3, 1 + 0.04 * (t - 4));
            voc *= 1 + 0.03 * Noise.smooth(key ^ 3, h, 5 * 60_000L);
            double rh = 45 + (open ? 12 : 0) + 5 * Noise.smooth(key ^ 4, h, HOUR);
            return new Environment(t, Math.clamp(rh, 5, 98), pressurePa(h), open ? 150 : 0, Math.min(voc, 60_000),
                    Double.NaN, false, open);
        }

        @Override
        public long nextEdgeAfter(long h) {
            // open is the union of two streams: step over edges that do not change it
            boolean now = open(h);
            long t = h;
            for (int i = 0; i < 1000; i++) {
                t = Math.min(door.nextEdgeAfter(t), leftOpen.nextEdgeAfter(t));
                if (t == Long.MAX_VALUE || open(t) != now) return t;
            }
            return t;
        }
    }

    private final class DoorPlace implements Place {
        final RoomPlace room;
        final EventStream opens;

        DoorPlace(Scenario.Door d, RoomPlace room) {
            this.room = room;
            this.opens = new EventStream(key("door:" + d.name()), d.opensPerHour(), d.opensPerHour() / 10,
                    Durations.millis(d.openFor()), start);
        }

        @Override
        public Environment at(long h) {
            boolean open = opens.active(h);
            if (room == null) {
                return new Environment(outdoorC(h), OUTDOOR_RH, pressurePa(h), daylight(h), 0, Double.NaN, false, open);
            }
            Environment air = room.at(h);
            return new Environment(air.temperatureC(), air.humidityPercent(), air.pressurePa(), air.lux(), 0,
                    Double.NaN, air.motion(), open);
        }

        @Override public long nextEdgeAfter(long h) { return opens.nextEdgeAfter(h); }
    }
}
