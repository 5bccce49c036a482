package dev.lichen.gateway.automations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.GatewayConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** An automation's JSON as a browser sends it: what is taken, what is refused and why, and the sun where the house is. */
class AutomationJsonTest {
    static final String HALL = """
            {"name": "Hall light on motion after dark",
             "trigger": {"type": "reading", "device": "hall-motion", "channel": "motion", "op": "equals", "value": 1},
             "conditions": [{"type": "time", "from": {"sun": "sunset", "offsetMinutes": -15}, "to": {"sun": "sunrise"}},
                            {"type": "value", "device": "hall-climate", "channel": "lux", "op": "below", "value": 20, "forMinutes": 2}],
             "actions": [{"type": "set", "device": "hall-light", "output": "light", "on": true, "forMinutes": 5},
                         {"type": "alert", "message": "someone is in the hall"}],
             "cooldownSeconds": 30}
            """;

    @Test
    void aDefinitionReadsAsWrittenAndWritesBackTheSame() throws Exception {
        Automation a = AutomationJson.parse(HALL);
        assertEquals("Hall light on motion after dark", a.name());
        assertTrue(a.enabled(), "enabled unless said otherwise");
        assertEquals(new Automation.Trigger.Reading("hall-motion", "motion", Automation.Op.EQUALS, 1, Duration.ZERO), a.trigger());
        assertEquals(new Automation.Condition.Between(new Automation.Moment.Sun(Automation.SunEvent.SUNSET, Duration.ofMinutes(-15)),
                new Automation.Moment.Sun(Automation.SunEvent.SUNRISE, Duration.ZERO)), a.conditions().get(0));
        assertEquals(new Automation.Condition.Value("hall-climate", "lux", Automation.Op.BELOW, 20, Duration.ofMinutes(2)), a.conditions().get(1));
        assertEquals(new Automation.Action.Set("hall-light", "light", true, null, Duration.ofMinutes(5)), a.actions().get(0));
        assertEquals(Duration.ofSeconds(30), a.cooldown());
        assertEquals(a, AutomationJson.parse(AutomationJson.write(a).toString()), "what is stored reads back the same");
        var clock = AutomationJson.parse(HALL.replace("{\"sun\": \"sunrise\"}", "{\"at\": \"06:30\"}"));
        assertEquals(new Automation.Moment.Clock(LocalTime.of(6, 30)), ((Automation.Condition.Between) clock.conditions().get(0)).to());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            "name": "Hall light on motion after dark"     | "name": ""                                              | name
            "op": "equals"                                 | "op": "is"                                              | trigger.op
            "type": "reading"                              | "type": "sometimes"                                     | trigger.type
            "device": "hall-motion"                        | "device": "Hall Motion!"                                | trigger.device
            "value": 1}                                    | "value": "one"}                                         | trigger.value
            "channel": "motion"                            | "channel": "motion", "colour": "red"                    | trigger.colour
            "offsetMinutes": -15                           | "offsetMinutes": -1000                                  | conditions[0].from.offsetMinutes
            {"sun": "sunrise"}                             | {"at": "25:61"}                                         | conditions[0].to.at
            {"sun": "sunrise"}                             | {"sun": "noon"}                                         | conditions[0].to.sun
            "forMinutes": 2                                | "forMinutes": -2                                        | conditions[1].forMinutes
            "on": true                                     | "on": true, "level": 20                                 | actions[0]
            "on": true                                     | "level": 140                                            | actions[0].level
            "output": "light"                              | "output": "li ght"                                      | actions[0].output
            "forMinutes": 5                                | "forMinutes": 100000                                    | actions[0].forMinutes
            "message": "someone is in the hall"            | "message": ""                                           | actions[1].message
            "cooldownSeconds": 30                          | "cooldownSeconds": 1.5                                  | cooldownSeconds
            """)
    void eachProblemNamesItsField(String from, String to, String field) {
        assertTrue(HALL.contains(from), from);
        var e = assertThrows(AutomationJson.InvalidAutomation.class, () -> AutomationJson.parse(HALL.replace(from, to)));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
    }

    @Test
    void whatIsMissingIsNamed() {
        var e = assertThrows(AutomationJson.InvalidAutomation.class, () -> AutomationJson.parse("{\"name\": \"x\", \"actions\": [{\"type\": \"alert\", \"message\": \"m\"}]}"));
        assertEquals("trigger", e.field());
        e = assertThrows(AutomationJson.InvalidAutomation.class, () -> AutomationJson.parse("{\"name\": \"x\", \"trigger\": {\"type\": \"offline\", \"device\": \"porch\"}, \"actions\": []}"));
        assertEquals("actions", e.field());
        e = assertThrows(AutomationJson.InvalidAutomation.class, () -> AutomationJson.parse("[1, 2]"));
        assertEquals("", e.field());
        e = assertThrows(AutomationJson.InvalidAutomation.class, () -> AutomationJson.parse("{\"name\": "));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void sunriseAndSunsetAreWhereTheHouseIs() {
        var berlin = new SunTimes(new GatewayConfig.Location(52.52, 13.405, "Europe/Berlin"));
        LocalDate day = LocalDate.of(2026, 12, 7);
        ZoneId zone = ZoneId.of("Europe/Berlin");
        var rise = berlin.on(day, new Automation.Moment.Sun(Automation.SunEvent.SUNRISE, Duration.ZERO)).orElseThrow().atZone(zone).toLocalTime();
        var set = berlin.on(day, new Automation.Moment.Sun(Automation.SunEvent.SUNSET, Duration.ZERO)).orElseThrow().atZone(zone).toLocalTime();
        // the almanac's Berlin on 7 December: sunrise 08:06, sunset 15:53
        assertTrue(Math.abs(Duration.between(LocalTime.of(8, 6), rise).toMinutes()) <= 3, "sunrise " + rise);
        assertTrue(Math.abs(Duration.between(LocalTime.of(15, 53), set).toMinutes()) <= 3, "sunset " + set);
        var dark = new Automation.Condition.Between(new Automation.Moment.Sun(Automation.SunEvent.SUNSET, Duration.ZERO),
                new Automation.Moment.Sun(Automation.SunEvent.SUNRISE, Duration.ZERO));
        Instant noon = day.atTime(12, 0).atZone(zone).toInstant(), night = day.atTime(23, 0).atZone(zone).toInstant(),
                early = day.atTime(5, 0).atZone(zone).toInstant();
        assertTrue(!berlin.within(noon, dark.from(), dark.to()), "noon is not dark");
        assertTrue(berlin.within(night, dark.from(), dark.to()), "23:00 is dark");
        assertTrue(berlin.within(early, dark.from(), dark.to()), "05:00 is dark (the window spans midnight)");
        var next = berlin.next(night, new Automation.Moment.Clock(LocalTime.of(7, 30))).orElseThrow();
        assertEquals(day.plusDays(1).atTime(7, 30).atZone(zone).toInstant(), next, "the next 07:30 is tomorrow's");
        var nowhere = new SunTimes(GatewayConfig.Location.UNKNOWN);
        assertTrue(nowhere.on(day, dark.from()).isEmpty(), "without a location there is no sunset");
    }
}
