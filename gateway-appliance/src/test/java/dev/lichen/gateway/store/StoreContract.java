package dev.lichen.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The same store tests against every database; subclasses open the store. */
abstract class StoreContract {
    static final long T0 = 1_780_000_000_000L; // a fixed instant so buckets are predictable

    abstract Store store();

    static Batch batch(String device, String boot, long firstSeq, String channel, long t, double... values) {
        List<Reading> rs = new ArrayList<>();
        for (int i = 0; i < values.length; i++) rs.add(new Reading(channel, "Cel", new Value.Number(values[i]), t + i * 1000L));
        return new Batch(device, boot, firstSeq, rs);
    }

    @Test
    void storesEachReadingOnceAndRegistersNewDevices() {
        Store s = store();
        var r1 = s.write(List.of(batch("kitchen", "b1", 0, "temperature", T0, 20.5, 21.0, 21.5)), T0);
        assertEquals(3, r1.get(0).stored().size());
        assertEquals(DeviceState.NEW, r1.get(0).device().state());
        // the same pack again, and an overlapping one, in one group
        var r2 = s.write(List.of(batch("kitchen", "b1", 0, "temperature", T0, 20.5, 21.0, 21.5),
                batch("kitchen", "b1", 2, "temperature", T0 + 2000, 21.5, 22.0)), T0 + 5000);
        assertEquals(0, r2.get(0).stored().size());
        assertEquals(3, r2.get(0).duplicates());
        assertEquals(1, r2.get(1).stored().size());
        assertEquals(1, r2.get(1).duplicates());
        // another boot with the same sequence numbers is new data
        s.write(List.of(batch("kitchen", "b2", 0, "temperature", T0 + 10_000, 23.0)), T0 + 10_000);
        assertEquals(5, s.readingCount("kitchen"));
        var rs = s.readings("kitchen", "temperature", T0, T0 + 60_000, 100);
        assertEquals(List.of(20.5, 21.0, 21.5, 22.0, 23.0), rs.stream().map(StoredReading::value).toList());
        Channel ch = s.channels("kitchen").getFirst();
        assertEquals(23.0, ch.lastValue());
        assertEquals("Cel", ch.unit());
        Device d = s.device("kitchen").orElseThrow();
        assertEquals(DeviceState.NEW, d.state());
        assertTrue(d.online());
        assertEquals(T0 + 10_000, d.lastSeenMillis());
    }

    @Test
    void aPresentedPublicKeyIsKeptReplacedAndGoesWithItsDevice() {
        Store s = store();
        s.write(List.of(new Batch("keyed", "b", 0, List.of(new Reading("t", "Cel", new Value.Number(1), 1_000L)))), 1_000L);
        s.putDevicePublicKey(new DevicePublicKey("keyed", new byte[] {1, 2}, "0000-0000-0000-0001", false, 10));
        s.putDevicePublicKey(new DevicePublicKey("keyed", new byte[] {3, 4}, "0000-0000-0000-0002", true, 20));
        var k = s.devicePublicKeys().stream().filter(x -> x.deviceId().equals("keyed")).toList();
        assertEquals(1, k.size(), "one key per device: the second replaced the first");
        assertTrue(k.getFirst().sameKey(new byte[] {3, 4}));
        assertTrue(k.getFirst().pinned());
        assertEquals("0000-0000-0000-0002", k.getFirst().fingerprint());
        assertEquals(20, k.getFirst().presentedMillis());
        assertTrue(s.deleteDevice("keyed"));
        assertTrue(s.devicePublicKeys().stream().noneMatch(x -> x.deviceId().equals("keyed")), "removing the device unpins it");
        s.putDevicePublicKey(new DevicePublicKey("other", new byte[] {5}, "0000-0000-0000-0003", false, 30));
        assertTrue(s.deleteDevicePublicKey("other"));
        assertFalse(s.deleteDevicePublicKey("other"));
    }

    @Test
    void commandsArePendingUntilAcknowledgedOrExpiredAndGoWithTheirDevice() {
        Store s = store();
        s.write(List.of(batch("hall", "b", 0, "lux", T0, 1)), T0);
        s.putOutputs("hall", List.of(new DeviceOutput("hall", "light", OutputKind.SWITCH), new DeviceOutput("hall", "fan", OutputKind.DIMMER)));
        assertEquals(List.of("fan", "light"), s.outputs("hall").stream().map(DeviceOutput::name).toList());
        s.putOutputs("hall", List.of(new DeviceOutput("hall", "light", OutputKind.SWITCH)));
        assertEquals(List.of(new DeviceOutput("hall", "light", OutputKind.SWITCH)), s.outputs("hall"), "a new announcement replaces the old");
        assertTrue(s.commandEpoch().matches("[a-z0-9]{1,16}"), s.commandEpoch());

        var on = s.createCommand("hall", "light", OutputKind.SWITCH, 1, "admin", T0, T0 + 30_000);
        var off = s.createCommand("hall", "light", OutputKind.SWITCH, 0, "automation:3", T0 + 1, T0 + 10_000);
        assertTrue(off.id() > on.id(), "ids grow");
        assertEquals(List.of(on.id(), off.id()), s.pendingCommands("hall").stream().map(StoredCommand::id).toList());
        assertEquals(List.of("hall"), s.devicesWithPendingCommands());

        var done = s.finishCommand(on.id(), "hall", StoredCommand.CommandState.DONE, null, T0 + 50).orElseThrow();
        assertEquals(StoredCommand.CommandState.DONE, done.state());
        assertEquals(T0 + 50, done.finishedMillis());
        assertTrue(s.finishCommand(on.id(), "hall", StoredCommand.CommandState.FAILED, "late", T0 + 60).isEmpty(), "an acknowledgement is taken once");
        assertTrue(s.finishCommand(off.id(), "kitchen", StoredCommand.CommandState.DONE, null, T0 + 60).isEmpty(), "only its own device acknowledges it");

        assertTrue(s.expireCommands(T0 + 9_999).isEmpty());
        var expired = s.expireCommands(T0 + 10_000);
        assertEquals(List.of(off.id()), expired.stream().map(StoredCommand::id).toList());
        assertEquals(StoredCommand.CommandState.EXPIRED, s.command(off.id()).orElseThrow().state());
        assertTrue(s.pendingCommands("hall").isEmpty());
        // the device carried it out after all: its late acknowledgement is the truth
        assertEquals(StoredCommand.CommandState.DONE,
                s.finishCommand(off.id(), "hall", StoredCommand.CommandState.DONE, null, T0 + 11_000).orElseThrow().state());
        assertEquals(List.of(off.id(), on.id()), s.commands("hall", 10).stream().map(StoredCommand::id).toList(), "newest first");

        assertTrue(s.deleteDevice("hall"));
        assertTrue(s.commands("hall", 10).isEmpty());
        assertTrue(s.outputs("hall").isEmpty());
    }

    @Test
    void adoptionAndRejection() {
        Store s = store();
        s.write(List.of(batch("porch", "b", 0, "temperature", T0, 5)), T0);
        Device a = s.adopt("porch", "Porch <b>", "Outside");
        assertEquals(DeviceState.ADOPTED, a.state());
        assertEquals("Porch <b>", s.device("porch").orElseThrow().name());
        assertEquals(1, s.readingCount("porch"), "readings held before adoption are kept");
        s.reject("porch");
        var r = s.write(List.of(batch("porch", "b", 1, "temperature", T0 + 1000, 6)), T0 + 1000);
        assertTrue(r.get(0).refused());
        assertEquals(1, s.readingCount("porch"));
        assertTrue(s.deleteDevice("porch"));
        assertTrue(s.device("porch").isEmpty());
        assertEquals(0, s.readingCount("porch"));
    }

    @Test
    void textBoolAndVitals() {
        Store s = store();
        s.write(List.of(new Batch("door", "b", 0, List.of(
                new Reading("open", null, new Value.Bool(true), T0),
                new Reading("note", null, new Value.Text("hi"), T0),
                new Reading("battery", "%EL", new Value.Number(87), T0),
                new Reading("rssi", "dBW", new Value.Number(-61), T0)))), T0);
        Device d = s.device("door").orElseThrow();
        assertEquals(87.0, d.battery());
        assertEquals(-61.0, d.signal());
        assertEquals(1.0, s.readings("door", "open", 0, Long.MAX_VALUE, 10).getFirst().value());
        assertEquals("hi", s.readings("door", "note", 0, Long.MAX_VALUE, 10).getFirst().text());
        assertFalse(s.setOnline("door", false, T0).online());
        assertFalse(s.device("door").orElseThrow().online());
    }

    @Test
    void retentionRollsUpExactlyWhatTheRawDataGives() {
        Store s = store();
        long day = 86_400_000L;
        long old = Math.floorDiv(T0 - 40 * day, 3_600_000L) * 3_600_000L; // older than 30 days raw
        // 3 hours of readings every 10 s with a varying value
        List<Batch> bs = new ArrayList<>();
        long seq = 0;
        List<double[]> raw = new ArrayList<>();
        for (int pack = 0; pack < 3 * 360 / 10; pack++) {
            double[] v = new double[10];
            for (int i = 0; i < 10; i++) {
                long k = seq + i;
                v[i] = 15 + (k * 7 % 23) * 0.5;
                raw.add(new double[] {old + k * 10_000L, v[i]});
            }
            bs.add(new Batch("soil", "b", seq, java.util.stream.IntStream.range(0, 10)
                    .mapToObj(i -> new Reading("soil_moisture", "%", new Value.Number(v[i]), old + (bs.size() * 10L + i) * 10_000L)).toList()));
            seq += 10;
        }
        s.write(bs, T0);
        s.write(List.of(batch("soil", "b", 100_000, "soil_moisture", T0 - 1000, 42)), T0); // recent: stays raw
        // expected per-minute and per-hour aggregates from the raw data
        var minute = new java.util.TreeMap<Long, double[]>();
        var hour = new java.util.TreeMap<Long, double[]>();
        for (double[] r : raw) {
            for (var m : List.of(java.util.Map.entry(60_000L, minute), java.util.Map.entry(3_600_000L, hour))) {
                long b = Math.floorDiv((long) r[0], m.getKey()) * m.getKey();
                m.getValue().merge(b, new double[] {r[1], r[1], r[1], 1},
                        (a, x) -> new double[] {Math.min(a[0], x[0]), Math.max(a[1], x[1]), a[2] + x[2], a[3] + 1});
            }
        }
        var before = s.series("soil", "soil_moisture", old, old + 3 * 3_600_000L, Resolution.MINUTE).points();
        RetentionReport rep = s.applyRetention(T0, 30, 35);
        assertEquals(raw.size(), rep.rawDeleted());
        assertEquals(1, s.readingCount("soil"), "only the recent reading stays raw");
        assertTrue(s.readings("soil", "soil_moisture", old, old + 4 * 3_600_000L, 10).isEmpty());
        // 40 days old is also past the 35-day minute tier: only hourly rollups remain
        var hours = s.series("soil", "soil_moisture", old, old + 3 * 3_600_000L, Resolution.HOUR).points();
        assertEquals(hour.size(), hours.size());
        for (Point p : hours) {
            double[] e = hour.get(p.timeMillis());
            assertEquals(e[0], p.min(), 1e-9);
            assertEquals(e[1], p.max(), 1e-9);
            assertEquals(e[2] / e[3], p.mean(), 1e-9);
            assertEquals((long) e[3], p.count());
        }
        // before retention the same range at minute resolution came from raw data and matched too
        assertEquals(minute.size(), before.size());
        for (Point p : before) {
            double[] e = minute.get(p.timeMillis());
            assertEquals(e[2] / e[3], p.mean(), 1e-9);
            assertEquals((long) e[3], p.count());
        }
        // running it again changes nothing
        s.applyRetention(T0, 30, 35);
        assertEquals(hours, s.series("soil", "soil_moisture", old, old + 3 * 3_600_000L, Resolution.HOUR).points());
    }

    @Test
    void minuteTierKeepsWhatRawGave() {
        Store s = store();
        long day = 86_400_000L;
        long old = Math.floorDiv(T0 - 31 * day, 60_000L) * 60_000L;
        s.write(List.of(batch("air", "b", 0, "temperature", old, 1, 2, 3, 4, 5, 6),
                batch("air", "b", 6, "temperature", old + 60_000, 10, 20)), T0);
        s.applyRetention(T0, 30, 60);
        var pts = s.series("air", "temperature", old, old + 3 * 60_000, Resolution.MINUTE).points();
        assertEquals(List.of(new Point(old, 1, 6, 3.5, 6), new Point(old + 60_000, 10, 20, 15, 2)), pts);
        assertEquals(0, s.readingCount("air"));
    }

    @Test
    void holdingSinceIsKeptPerRuleAndForgotten() {
        Store s = store();
        AlertRule a = s.createRule(new AlertRule(0, "dry", "pot", "soil_moisture", Op.LT, 20, 1800, true));
        AlertRule b = s.createRule(new AlertRule(0, "hot", "pot", "temperature", Op.GT, 30, 60, true));
        assertTrue(s.holdingSince().isEmpty());
        s.setHoldingSince(a.id(), T0);
        s.setHoldingSince(b.id(), T0 + 5);
        s.setHoldingSince(b.id(), null);
        assertEquals(java.util.Map.of(a.id(), T0), s.holdingSince());
        s.deleteRule(a.id());
        assertTrue(s.holdingSince().isEmpty());
    }

    @Test
    void usersSessionsRulesAlerts() {
        Store s = store();
        assertEquals(0, s.userCount());
        User u = s.createUser("admin", "hash", Role.ADMIN, T0);
        assertThrows(StoreException.class, () -> s.createUser("admin", "x", Role.VIEWER, T0));
        assertEquals(u, s.user("admin").orElseThrow());
        assertEquals(u, s.user(u.id()).orElseThrow());
        s.saveSession(new Session("sid", u.id(), "csrf", T0, T0 + 1000));
        assertEquals("csrf", s.session("sid").orElseThrow().csrfToken());
        assertEquals(1, s.deleteExpiredSessions(T0 + 2000));
        assertTrue(s.session("sid").isEmpty());

        AlertRule r = s.createRule(new AlertRule(0, "dry", "soil", "soil_moisture", Op.LT, 20, 1800, true));
        assertTrue(r.id() > 0);
        assertEquals(List.of(r), s.rules());
        Alert a = s.fireAlert(r, 12, T0);
        assertEquals(AlertState.FIRING, s.alert(a.id()).orElseThrow().state());
        assertEquals(AlertState.ACKNOWLEDGED, s.acknowledgeAlert(a.id(), "admin", T0 + 1).orElseThrow().state());
        assertEquals(1, s.alerts(true).size());
        assertEquals(AlertState.CLEARED, s.clearAlert(a.id(), T0 + 2).orElseThrow().state());
        assertEquals(0, s.alerts(true).size());
        assertEquals(1, s.alerts(false).size());
        AlertRule changed = new AlertRule(r.id(), "very dry", "soil", "soil_moisture", Op.LE, 15, 600, false);
        assertEquals(changed, s.updateRule(changed).orElseThrow());
        assertEquals(List.of(changed), s.rules());
        assertTrue(s.updateRule(changed.withId(r.id() + 99)).isEmpty());
        assertTrue(s.deleteRule(r.id()));
    }

    @Test
    void theAuditTrailKeepsEveryEventNewestFirstAndPages() {
        Store s = store();
        List<AuditEvent> stored = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stored.add(s.audit(new AuditEvent(0, T0 + i, "admin", "192.0.2." + i, AuditEvent.Action.KEY_ROTATED, "dev-" + i, "n" + i)));
        }
        stored.add(s.audit(new AuditEvent(0, T0 + 9, "eve", null, AuditEvent.Action.LOGIN_REFUSED, "eve", null)));
        assertTrue(stored.stream().allMatch(e -> e.id() > 0));
        List<AuditEvent> newest = s.auditTrail(Long.MAX_VALUE, 3);
        assertEquals(List.of(stored.get(5), stored.get(4), stored.get(3)), newest);
        assertEquals(List.of(stored.get(2), stored.get(1), stored.get(0)), s.auditTrail(newest.getLast().id(), 10));
        assertEquals(null, newest.getFirst().address());

        // the retention pass keeps the newest events only
        assertEquals(2, s.trimAuditTrail(4));
        assertEquals(stored.subList(2, 6).reversed(), s.auditTrail(Long.MAX_VALUE, 10));
        assertEquals(0, s.trimAuditTrail(4));
    }
}
