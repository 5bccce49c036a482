package dev.lichen.gateway.automations;

import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.automations.Automation.Moment;
import dev.lichen.gateway.automations.Automation.SunEvent;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * Times of day where the house is: a clock time in its zone, or sunrise/sunset (computed here
 * with commons-suncalc, a small, maintained implementation of the usual astronomical formulas;
 * no service is asked) moved by an offset. Near the poles a day may have no sunrise or sunset:
 * that moment then does not happen that day.
 */
final class SunTimes {
    private final GatewayConfig.Location location;
    private final ZoneId zone;

    SunTimes(GatewayConfig.Location location) {
        this.location = location;
        this.zone = location.zone();
    }

    ZoneId zone() {
        return zone;
    }

    boolean knowsTheSun() {
        return location.known();
    }

    /** When the moment happens on that local date, if it does. */
    Optional<Instant> on(LocalDate date, Moment m) {
        return switch (m) {
            case Moment.Clock c -> Optional.of(date.atTime(c.time()).atZone(zone).toInstant());
            case Moment.Sun s -> {
                if (!location.known()) yield Optional.empty();
                var times = org.shredzone.commons.suncalc.SunTimes.compute().on(date.atStartOfDay(zone))
                        .at(location.latitude(), location.longitude()).oneDay().execute();
                ZonedDateTime t = s.event() == SunEvent.SUNRISE ? times.getRise() : times.getSet();
                yield t == null ? Optional.empty() : Optional.of(t.toInstant().plus(s.offset()));
            }
        };
    }

    /** The first time after {@code after} the moment happens (within the next few days). */
    Optional<Instant> next(Instant after, Moment m) {
        LocalDate d = after.atZone(zone).toLocalDate();
        for (int i = 0; i < 3; i++) {
            Optional<Instant> t = on(d.plusDays(i), m);
            if (t.isPresent() && t.get().isAfter(after)) return t;
        }
        return Optional.empty();
    }

    /** Whether {@code now} is within [from, to) of its day; a window whose end comes before its start spans midnight. */
    boolean within(Instant now, Moment from, Moment to) {
        LocalDate today = now.atZone(zone).toLocalDate();
        Optional<Instant> f = on(today, from), t = on(today, to);
        if (f.isEmpty() || t.isEmpty()) return false;
        if (!f.get().isAfter(t.get())) return !now.isBefore(f.get()) && now.isBefore(t.get());
        return !now.isBefore(f.get()) || now.isBefore(t.get());
    }
}
