package dev.lichen.gateway.addons;

import static dev.lichen.gateway.addons.Rig.GatewayRig.bool;
import static dev.lichen.gateway.addons.Rig.GatewayRig.fullGrant;
import static dev.lichen.gateway.addons.Rig.GatewayRig.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.senml.Reading;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Share & compare between two real gateways on 127.0.0.1: A hosts the community, B compares with it. */
class ShareCompareTest {
    @TempDir Path tmp;

    /** A fridge door opened {@code opens} times in the last hours, and a room at {@code tempC}. */
    static void home(Rig.GatewayRig gw, int opens, double tempC) throws Exception {
        long now = System.currentTimeMillis();
        var door = new ArrayList<Reading>();
        for (int i = 0; i < opens; i++) {
            long t = now - (opens - i) * 600_000L;
            door.add(bool("door", true, t));
            door.add(bool("door", false, t + 30_000));
        }
        gw.ingest("fridge-door", "Kitchen", door);
        gw.ingest("hall-climate", "Hall", List.of(num("temperature", "Cel", tempC, now - 3_600_000L), num("temperature", "Cel", tempC, now)));
    }

    /** The add-on's recent log on the add-ons page gets {@code line} within 20 s. */
    static void awaitLog(Rig.GatewayRig gw, String line) throws Exception {
        String log = "";
        for (long deadline = System.currentTimeMillis() + 20_000; !log.contains(line) && System.currentTimeMillis() < deadline; Thread.sleep(200)) {
            log = gw.installed("share").path("log").toString();
        }
        assertTrue(log.contains(line), log);
    }

    @Test
    void twoGatewaysShareAnonymisedAggregatesAndCompare() throws Exception {
        var config = AddonHost.Config.defaults().withAotCache(false);
        try (var store = new Rig.Store(tmp.resolve("store"));
             var a = new Rig.GatewayRig(tmp.resolve("a"), config);
             var b = new Rig.GatewayRig(tmp.resolve("b"), config)) {
            store.publish("share", Map.of());
            for (var gw : List.of(a, b)) {
                gw.trust(store);
                assertEquals("DONE", gw.install(store, "share", null, fullGrant("share")).path("phase").asText());
            }
            home(a, 8, 20.0);
            home(b, 20, 21.2);
            String community = a.base + "/apps/share/";

            // without the household's consent nothing is sent
            assertEquals(303, b.form("/apps/share/settings", Map.of("community", community)).statusCode());
            var refused = b.form("/apps/share/publish", Map.of());
            assertEquals(409, refused.statusCode());
            assertTrue(refused.body().contains("has not consented"), refused.body());

            // A is a home too, and the community host
            assertEquals(303, a.form("/apps/share/consent", Map.of("consent", "on")).statusCode());
            assertEquals(303, a.form("/apps/share/settings", Map.of("community", community)).statusCode());
            assertEquals(303, a.form("/apps/share/publish", Map.of()).statusCode());
            // ten more homes post to A's public community endpoint (no session: it is the add-on's public path)
            var http = HttpClient.newHttpClient();
            String day = LocalDate.now(ZoneOffset.UTC).toString();
            for (int i = 0; i < 10; i++) {
                int opens = new int[] {6, 8, 9, 10, 10, 10, 11, 12, 14, 30}[i];
                String json = "{\"home\":\"%032x\",\"day\":\"%s\",\"fridgeOpens\":%d,\"meanTempC\":20.5}".formatted(i + 1, day, opens);
                var r = http.send(HttpRequest.newBuilder(URI.create(community + "community/submit")).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(202, r.statusCode(), r.body());
            }
            // a submission carrying more than the aggregates is refused
            var extra = http.send(HttpRequest.newBuilder(URI.create(community + "community/submit")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"home\":\"%032x\",\"day\":\"%s\",\"fridgeOpens\":3,\"device\":\"fridge-door\"}".formatted(99, day)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, extra.statusCode(), extra.body());
            // the rest of A's add-on stays private
            assertEquals(401, HttpTestSupport.get(community).statusCode());

            // B consents and does not click publish: the gateway's hourly timer summons the add-on,
            // which sends today's figures once (the next hour's timer sends nothing more)
            assertEquals(303, b.form("/apps/share/consent", Map.of("consent", "on")).statusCode());
            long hour = 3_600_000L, now = System.currentTimeMillis();
            assertEquals(List.of(), b.host.fireTimers(now + hour / 2), "not due before the hour");
            assertEquals(List.of("share daily"), b.host.fireTimers(now + hour + 1000));
            String page = "";
            for (long deadline = System.currentTimeMillis() + 20_000; !page.contains("How this home compares") && System.currentTimeMillis() < deadline; Thread.sleep(200)) {
                page = b.send("GET", "/apps/share/", null).body();
            }
            awaitLog(b, "timer daily: HTTP 200 published today's figures");
            assertEquals(List.of("share daily"), b.host.fireTimers(now + 2 * hour + 2000));
            awaitLog(b, "timer daily: HTTP 200 today's figures were sent already");
            // 12 homes' openings: 6 8 8 9 10 10 10 11 12 14 20 30 -> median 10; B opens 20 = 2x
            assertTrue(page.contains("Your fridge opens 2x more often than the median of 12 homes"), page);
            // temperatures: A 20.0, ten homes 20.5, B 21.2 rounded to 21.0 -> median 20.5
            assertTrue(page.contains("Your home is 0.5 °C warmer than the median of 12 homes"), page);
            assertTrue(page.contains("Sharing is on"), page);

            String table = Files.readString(tmp.resolve("a/addons/share/work/community.json"));
            assertEquals(12, Rig.JSON.readTree(table).size(), "one entry per home, B's sent once though summoned twice: " + table);
            assertFalse(table.contains("fridge-door") || table.contains("hall-climate") || table.contains("Kitchen"), "no device names or rooms leave a home: " + table);
            assertTrue(table.contains("\"fridgeOpens\":20") && table.contains("\"meanTempC\":21.0"), table);
        }
    }
}
