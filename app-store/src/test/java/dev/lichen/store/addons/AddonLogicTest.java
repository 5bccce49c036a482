package dev.lichen.store.addons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.store.addons.fridge.Freshness;
import dev.lichen.store.addons.plantcare.PlantCare;
import dev.lichen.store.addons.share.Aggregates;
import dev.lichen.store.addons.share.Community;
import dev.lichen.store.sdk.GatewayApi.Sample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AddonLogicTest {
    static final long H = 3_600_000L, NOW = 1_800_000_000_000L;

    @Test
    void plantDryingAtFourPointsADayIsDryInFiveDays() {
        // 45 % now, losing 4 points a day, with +-0.5 noise, sampled hourly for two days: 25 % in 5 days
        var s = new ArrayList<Sample>();
        for (int i = 48; i >= 0; i--) s.add(new Sample(NOW - i * H, 45 + 4.0 * i / 24 + (i % 2 == 0 ? 0.5 : -0.5)));
        var p = PlantCare.assess("fern", "Living room", s, NOW, 25);
        assertEquals(-4.0, p.slopePerDay(), 0.1);
        assertEquals(5.0, p.daysUntilDry().orElseThrow(), 0.2);
        assertEquals("dry in about 5.0 days", p.forecastText());
        assertFalse(p.waterNow());
    }

    @Test
    void wateringRestartsTheTrendAndDryPlantWantsWater() {
        var s = new ArrayList<Sample>();
        for (int i = 0; i < 24; i++) s.add(new Sample(NOW - (47 - i) * H, 30 - i * 0.3));  // drying
        for (int i = 24; i < 48; i++) s.add(new Sample(NOW - (47 - i) * H, 60 - (i - 24) * 0.5)); // watered
        var p = PlantCare.assess("fern", "Hall", s, NOW, 25);
        assertEquals(-12.0, p.slopePerDay(), 0.1);
        var dry = PlantCare.assess("cactus", "Hall", List.of(new Sample(NOW - H, 24), new Sample(NOW, 20)), NOW, 25);
        assertTrue(dry.waterNow());
        assertEquals("dry now: water it", dry.forecastText());
    }

    @Test
    void vocClimbIsSpoilageADoorBlipIsNot() {
        var s = new ArrayList<Sample>();
        for (int i = 30; i > 6; i--) s.add(new Sample(NOW - i * H, 100 + (i % 3)));
        for (int i = 6; i >= 0; i--) s.add(new Sample(NOW - i * H, 100 + (6 - i) * 25)); // +25 ppb an hour
        var spoil = Freshness.spoilage(s, NOW);
        assertTrue(spoil.spoiling(), spoil.text());
        assertEquals(101, spoil.baselinePpb(), 1);
        var blip = new ArrayList<>(s.subList(0, 24));
        for (int i = 6; i >= 0; i--) blip.add(new Sample(NOW - i * H, i == 3 ? 180 : 101));
        assertFalse(Freshness.spoilage(blip, NOW).spoiling());
    }

    @Test
    void doorLeftOpenAndOpenings() {
        var door = List.of(new Sample(NOW - 10 * H, 1), new Sample(NOW - 10 * H + 20_000, 0), new Sample(NOW - 3 * 60_000, 1));
        assertTrue(Freshness.leftOpen(door, NOW));
        assertFalse(Freshness.leftOpen(door, NOW - 2 * 60_000));
        assertEquals(2, Freshness.openings(door));
    }

    @Test
    void communityMediansAndTheSentence(@TempDir Path dir) throws Exception {
        var c = new Community(dir.resolve("c.json"));
        int[] opens = {10, 12, 14, 16, 18, 20, 22, 24, 8, 6, 40};
        for (int i = 0; i < opens.length; i++) c.submit(Aggregates.rounded("%032x".formatted(i + 1), "2026-11-26", opens[i], 20.0 + i * 0.1));
        var mine = Aggregates.rounded("%032x".formatted(99), "2026-11-26", 32, 21.26);
        assertEquals(21.5, mine.meanTempC());
        c.submit(mine);
        var m = new Community(dir.resolve("c.json")).medians(); // survives a restart
        assertEquals(12, m.homes());
        assertEquals(17.0, m.fridgeOpens());
        assertEquals("Your fridge opens 1.9x more often than the median of 12 homes", Community.compare(mine, m).getFirst());
    }
}
