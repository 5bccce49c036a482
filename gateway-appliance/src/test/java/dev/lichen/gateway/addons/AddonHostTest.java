package dev.lichen.gateway.addons;

import static dev.lichen.gateway.addons.Rig.GatewayRig.fullGrant;
import static dev.lichen.gateway.addons.Rig.GatewayRig.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lichen.senml.Reading;
import dev.lichen.store.addons.FirstParty;
import dev.lichen.store.pkg.Keys;
import dev.lichen.store.pkg.Lapp;
import dev.lichen.store.pkg.LappCodec;
import dev.lichen.store.pkg.Limits;
import dev.lichen.store.pkg.ManifestParser;
import dev.lichen.store.pkg.Signing;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The add-on host over the real HTTP API of a real gateway, against a real store server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AddonHostTest {
    static final long H = 3_600_000L;
    @TempDir static Path tmp;
    Rig.Store store;
    Rig.GatewayRig gw;

    @BeforeAll
    void start() throws Exception {
        store = new Rig.Store(tmp.resolve("store"));
        store.publish("plantcare", Map.of());
        store.publish("plantcare", Map.of("version", "1.1.0"));
        // 8 MB cap so the oversize refusal needs no huge file; idle 2 s so idle stops show quickly
        var config = AddonHost.Config.defaults().withAotCache(false).withIdle(Duration.ofSeconds(2))
                .withLimits(Limits.DEFAULT.withMaxPackageBytes(8L << 20));
        gw = new Rig.GatewayRig(tmp.resolve("gw"), config);
        long now = System.currentTimeMillis();
        var soil = new ArrayList<Reading>();
        for (int i = 48; i >= 0; i--) soil.add(num("soil_moisture", "%", 45 + 4.0 * i / 24, now - i * H));
        gw.ingest("fern", "Living room", soil);
        gw.ingest("fridge-voc", "Kitchen", List.of(num("voc", "ppb", 120, now)));
    }

    @AfterAll
    void stop() {
        if (gw != null) gw.close();
        if (store != null) store.close();
    }

    void assertNothingInstalled(String id) throws Exception {
        assertNull(gw.installed(id), id + " must not be listed");
        assertFalse(Files.exists(tmp.resolve("gw/addons/" + id)), "no folder may remain for " + id);
    }

    @Test
    @Order(1)
    void aStoreIsUsableOnlyOnceItsFingerprintIsAccepted() throws Exception {
        var added = gw.json("POST", "/api/v1/addons/stores", Map.of("url", store.url()), 200);
        assertEquals(store.fingerprint(), added.path("offeredFingerprint").asText());
        assertTrue(store.fingerprint().matches("([0-9a-f]{4} ){15}[0-9a-f]{4}"), store.fingerprint());
        var r = gw.send("POST", "/api/v1/addons/install", Map.of("store", store.url(), "id", "plantcare", "grant", fullGrant("plantcare")));
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("not trusted"), r.body());
        var wrong = gw.send("POST", "/api/v1/addons/stores/accept", Map.of("url", store.url(), "fingerprint", "0000 1111"));
        assertEquals(400, wrong.statusCode());
        gw.json("POST", "/api/v1/addons/stores/accept", Map.of("url", store.url(), "fingerprint", store.fingerprint()), 200);
        JsonNode cat = gw.json("GET", "/api/v1/addons/catalog", null, 200).get(0);
        assertTrue(cat.path("trusted").asBoolean());
        JsonNode pkg = cat.path("packages").get(0);
        assertEquals("1.1.0", pkg.path("version").asText());
        assertEquals("May read: soil moisture in every room", pkg.path("permissionWords").get(0).asText());
        assertTrue(pkg.path("size").asLong() > 100_000, "size is shown");
    }

    @Test
    @Order(2)
    void installThenFirstRequestSummonsTheAddOnWhichStopsWhenIdle() throws Exception {
        var job = gw.install(store, "plantcare", "1.0.0", fullGrant("plantcare"));
        assertEquals("DONE", job.path("phase").asText(), job.toString());
        assertEquals("stopped", gw.installed("plantcare").path("state").asText(), "not running until needed");
        var page = gw.send("GET", "/apps/plantcare/", null);
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("dry in about 5.0 days"), page.body());
        assertTrue(page.body().contains("Living room"));
        JsonNode a = gw.installed("plantcare");
        assertEquals("running", a.path("state").asText());
        assertTrue(a.path("rssMb").asDouble() > 5, "memory use is shown: " + a);
        assertTrue(a.path("log").toString().contains("ready on 127.0.0.1"), a.path("log").toString());
        long deadline = System.currentTimeMillis() + 15_000;
        while (!gw.installed("plantcare").path("state").asText().equals("stopped") && System.currentTimeMillis() < deadline) Thread.sleep(200);
        assertEquals("stopped", gw.installed("plantcare").path("state").asText(), "stops after the idle time");
        // requests that come just as the idle time runs out (the watchdog looks every 200 ms and a JVM
        // takes a moment to end): each is answered, by the add-on still running or by a fresh one
        for (long after = 2000; after <= 2250; after += 50) {
            Thread.sleep(after);
            var r = gw.send("GET", "/apps/plantcare/healthz", null);
            assertEquals(200, r.statusCode(), after + " ms after the last request: " + r.body() + " " + gw.installed("plantcare"));
        }
        // a request right after an administrator's stop starts it again (not the old, dead port)
        for (int i = 0; i < 3; i++) {
            gw.json("POST", "/api/v1/addons/plantcare/stop", null, 200);
            var again = gw.send("GET", "/apps/plantcare/healthz", null);
            assertEquals(200, again.statusCode(), "round " + i + ": " + again.body());
        }
        // anonymous people do not reach add-on pages
        var anon = HttpTestSupport.get(gw.base + "/apps/plantcare/");
        assertEquals(401, anon.statusCode());
    }

    @Test
    @Order(3)
    void theAddOnApiAnswersOnlyInsideTheGrant() throws Exception {
        String token = gw.token("plantcare");
        var ok = HttpTestSupport.get(gw.base + "/addon-api/v1/readings?device=fern&channel=soil_moisture&since=0", token);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(49, Rig.JSON.readTree(ok.body()).size());
        var voc = HttpTestSupport.get(gw.base + "/addon-api/v1/readings?device=fridge-voc&channel=voc&since=0", token);
        assertEquals(403, voc.statusCode(), voc.body());
        assertTrue(voc.body().contains("may not read voc of fridge-voc"), voc.body());
        var channels = Rig.JSON.readTree(HttpTestSupport.get(gw.base + "/addon-api/v1/channels", token).body());
        assertEquals(1, channels.size(), channels.toString());
        assertEquals("Living room", channels.get(0).path("room").asText());
        assertEquals(401, HttpTestSupport.get(gw.base + "/addon-api/v1/channels", "not-a-token").statusCode());
    }

    @Test
    @Order(4)
    void aSubscribedReadingSummonsTheAddOnWhichRaisesItsAlert() throws Exception {
        gw.ingest("fern", "Living room", List.of(num("soil_moisture", "%", 18, System.currentTimeMillis())));
        awaitAlert("plantcare", "Water the plant fern in Living room");
    }

    /** Within 20 s the add-on's card lists an open alert with {@code text}, and it is on the gateway's alert list. */
    void awaitAlert(String id, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        JsonNode a = gw.installed(id);
        while (a.path("alerts").isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            a = gw.installed(id);
        }
        assertTrue(a.path("alerts").toString().contains(text), a.toString());
        assertTrue(gw.gateway.store().alerts(true).stream().anyMatch(x -> x.deviceId().equals("addon-" + id)), "the alert is on the gateway's alert list");
    }

    @Test
    @Order(5)
    void fridgeFreshnessSeesOnlyTheKitchen() throws Exception {
        long now = System.currentTimeMillis();
        store.publish("fridge", Map.of());
        gw.ingest("fridge-door", "Kitchen", List.of(Rig.GatewayRig.bool("door", true, now - 600_000), Rig.GatewayRig.bool("door", false, now - 590_000)));
        gw.ingest("hall-voc", "Hall", List.of(num("voc", "ppb", 400, now)));
        assertEquals("DONE", gw.install(store, "fridge", null, fullGrant("fridge")).path("phase").asText());
        var page = gw.send("GET", "/apps/fridge/", null).body();
        assertTrue(page.contains("Kitchen: VOC 120 ppb (usual 120 ppb): fresh"), page);
        assertTrue(page.contains("Kitchen: door closed, opened 1 times in 24 h"), page);
        assertFalse(page.contains("Hall"), "granted the Kitchen only: " + page);
        var hall = HttpTestSupport.get(gw.base + "/addon-api/v1/readings?device=hall-voc&channel=voc&since=0", gw.token("fridge"));
        assertEquals(403, hall.statusCode(), hall.body());

        // the door opened 3 minutes ago and the reading arrives only now (the door sensor's network
        // was away): the reading summons the add-on, which raises the door-left-open alert at once
        gw.json("POST", "/api/v1/addons/fridge/stop", null, 200);
        gw.ingest("fridge-door", "Kitchen", List.of(Rig.GatewayRig.bool("door", true, now - 180_000)));
        awaitAlert("fridge", "The fridge door in Kitchen has been open for 3 minutes");
        var open = java.util.regex.Pattern.compile("Kitchen: door open for (\\d+) s").matcher(gw.send("GET", "/apps/fridge/", null).body());
        assertTrue(open.find() && Long.parseLong(open.group(1)) >= 180 && Long.parseLong(open.group(1)) < 300, "the page shows it open for 180 s and more");
        gw.json("POST", "/api/v1/addons/fridge/uninstall", null, 200);
    }

    JsonNode refusedInstall(String id, String version, Object grant, String expect) throws Exception {
        var job = gw.install(store, id, version, grant);
        assertEquals("FAILED", job.path("phase").asText(), job.toString());
        assertTrue(job.path("message").asText().contains(expect), job.path("message").asText());
        return job;
    }

    @Test
    @Order(6)
    void refusalsSayWhyAndInstallNothing() throws Exception {
        // a permission the administrator did not grant
        var grant = new HashMap<>(fullGrant("plantcare"));
        grant.put("raiseAlerts", false);
        gw.send("POST", "/api/v1/addons/plantcare/uninstall", null);
        refusedInstall("plantcare", "1.0.0", grant, "did not grant: May raise alerts");
        assertNothingInstalled("plantcare");

        // one byte changed in the served file
        Path served = store.dir.resolve("packages/plantcare-1.0.0.lapp");
        byte[] bytes = Files.readAllBytes(served);
        bytes[bytes.length / 2] ^= 1;
        Files.write(served, bytes);
        refusedInstall("plantcare", "1.0.0", fullGrant("plantcare"), "does not match the store's digest");
        assertNothingInstalled("plantcare");

        // signed by a key this gateway does not trust (served by the trusted store)
        var stranger = Keys.generate();
        store.smuggle("stranger", "1.0.0", LappCodec.write(Signing.sign(
                FirstParty.pack("plantcare", FirstParty.manifest("plantcare").put("id", "stranger")), stranger.getPrivate(), stranger.getPublic())));
        refusedInstall("stranger", "1.0.0", fullGrant("plantcare"), "signed by a key this gateway does not trust");
        assertNothingInstalled("stranger");

        // zip entries escaping the folder
        for (String evil : List.of("../evil.sh", "/etc/evil")) {
            var lapp = FirstParty.pack("plantcare", FirstParty.manifest("plantcare").put("id", "escape"));
            store.smuggle("escape", "1.0.0", zipWithExtra(store.sign(lapp), evil));
            refusedInstall("escape", "1.0.0", fullGrant("plantcare"), "refusing the whole package");
            assertNothingInstalled("escape");
        }

        // over the size limit (8 MB on this gateway): 9 MB of incompressible bytes in a jar
        byte[] big = new byte[9 << 20];
        new Random(7).nextBytes(big);
        var fat = FirstParty.pack("plantcare", FirstParty.manifest("plantcare").put("id", "fat")).with("lib/fat.jar", big);
        store.smuggle("fat", "1.0.0", LappCodec.write(store.sign(fat)));
        refusedInstall("fat", "1.0.0", fullGrant("plantcare"), "over this gateway's limit");
        assertNothingInstalled("fat");

        // manifest with an unknown field, and with a missing one (signed: only the manifest check catches it)
        var unknown = FirstParty.manifest("plantcare").put("id", "odd").put("runAsRoot", true);
        store.smuggle("odd", "1.0.0", LappCodec.write(store.sign(packRaw(unknown))));
        refusedInstall("odd", "1.0.0", fullGrant("plantcare"), "unknown field 'runAsRoot'");
        assertNothingInstalled("odd");
        var missing = FirstParty.manifest("plantcare").put("id", "odd");
        missing.remove("memoryMb");
        store.smuggle("odd", "1.0.0", LappCodec.write(store.sign(packRaw(missing))));
        refusedInstall("odd", "1.0.0", fullGrant("plantcare"), "missing required field 'memoryMb'");
        assertNothingInstalled("odd");
        assertEquals("ok", gw.json("GET", "/api/v1/health", null, 200).path("status").asText());
    }

    /** A plantcare package with this manifest, not checked (Packer would refuse it). */
    static Lapp packRaw(com.fasterxml.jackson.databind.node.ObjectNode manifest) throws Exception {
        return FirstParty.pack("plantcare").with(Lapp.MANIFEST, ManifestParser.mapper().writeValueAsBytes(manifest));
    }

    static byte[] zipWithExtra(Lapp lapp, String name) throws Exception {
        var out = new ByteArrayOutputStream();
        try (var z = new ZipOutputStream(out)) {
            for (var e : lapp.entries().entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
            }
            z.putNextEntry(new ZipEntry(name));
            z.write("#!/bin/sh\n".getBytes());
        }
        return out.toByteArray();
    }

    @Test
    @Order(7)
    void updateAndAutomaticRollbackOfABrokenUpdate() throws Exception {
        store.publish("plantcare", Map.of("version", "1.0.5")); // the tampered 1.0.0 file stays refused
        assertEquals("DONE", gw.install(store, "plantcare", "1.0.5", fullGrant("plantcare")).path("phase").asText());
        var up = gw.install(store, "plantcare", "1.1.0", fullGrant("plantcare"));
        assertEquals("DONE", up.path("phase").asText(), up.toString());
        assertEquals("1.1.0", gw.installed("plantcare").path("version").asText());
        store.publish("plantcare", Map.of("version", "1.2.0", "entryPoint", "dev.lichen.store.addons.plantcare.Missing"));
        var broken = gw.install(store, "plantcare", "1.2.0", fullGrant("plantcare"));
        assertEquals("ROLLED_BACK", broken.path("phase").asText(), broken.toString());
        assertTrue(broken.path("message").asText().contains("failed its health check"), broken.toString());
        assertTrue(broken.path("message").asText().contains("rolled back to 1.1.0"), broken.toString());
        var a = gw.installed("plantcare");
        assertEquals("1.1.0", a.path("version").asText());
        assertTrue(a.path("note").asText().contains("rolled back"), a.toString());
        assertFalse(Files.exists(tmp.resolve("gw/addons/plantcare/versions/1.2.0")));
        assertEquals(200, gw.send("GET", "/apps/plantcare/", null).statusCode(), "the old version serves again");
    }

    @Test
    @Order(8)
    void anAddOnOverItsMemoryIsStoppedAndReportedWhileTheGatewayRuns() throws Exception {
        store.catalog.publish(LappCodec.write(store.sign(Rig.hogPackage("1.0.0"))));
        var job = gw.install(store, "hog", "1.0.0", fullGrant("plantcare"));
        assertEquals("DONE", job.path("phase").asText(), job.toString());
        // asking the API for a channel outside its grant, from inside the add-on process
        var scope = gw.send("GET", "/apps/hog/scope?device=fridge-voc&channel=voc", null);
        assertTrue(scope.body().startsWith("refused 403"), scope.body());

        var heap = gw.send("GET", "/apps/hog/heap", null);
        assertTrue(heap.statusCode() >= 500, heap.statusCode() + " " + heap.body());
        var a = waitForState("hog", "failed");
        assertTrue(a.path("lastError").asText().contains("ran out of memory (heap limit 32 MB)"), a.toString());
        assertEquals("ok", gw.json("GET", "/api/v1/health", null, 200).path("status").asText());

        var nat = gw.send("GET", "/apps/hog/native", null);
        assertTrue(nat.statusCode() >= 500, nat.statusCode() + " " + nat.body());
        a = waitForState("hog", "failed");
        assertTrue(a.path("lastError").asText().contains("over its cap of 128 MB"), a.toString());
        assertEquals("ok", gw.json("GET", "/api/v1/health", null, 200).path("status").asText());
        var other = gw.send("GET", "/apps/plantcare/", null);
        assertEquals(200, other.statusCode(), "other add-ons still serve: " + other.body() + " " + gw.installed("plantcare"));
    }

    JsonNode waitForState(String id, String state) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        JsonNode a = gw.installed(id);
        while (!a.path("state").asText().equals(state) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            a = gw.installed(id);
        }
        assertEquals(state, a.path("state").asText(), a.toString());
        return a;
    }

    @Test
    @Order(9)
    void eachAddOnRunsAsItsOwnUserAndCannotReadTheGatewaysOrAnotherAddOnsFiles() throws Exception {
        assertEquals(200, gw.send("GET", "/apps/plantcare/", null).statusCode());
        long plantPid = gw.installed("plantcare").path("pid").asLong();
        assertTrue(plantPid > 0, "plant care runs");
        String hogUid = gw.send("GET", "/apps/hog/whoami", null).body();
        if (Isolation.effectiveUid() != 0) {
            // without root the gateway cannot switch users, and the add-ons page must say so
            assertEquals(String.valueOf(Isolation.effectiveUid()), hogUid);
            assertTrue(gw.installed("hog").path("isolation").asText().contains("start the gateway as root"), gw.installed("hog").toString());
            return;
        }
        String plantUid = Files.readAllLines(Path.of("/proc/" + plantPid + "/status")).stream()
                .filter(l -> l.startsWith("Uid:")).map(l -> l.split("\\s+")[1]).findFirst().orElseThrow();
        assertTrue(Integer.parseInt(hogUid) >= Isolation.FIRST_UID && Integer.parseInt(plantUid) >= Isolation.FIRST_UID, hogUid + " " + plantUid);
        assertNotEquals(hogUid, plantUid, "each add-on has a user of its own");
        assertTrue(gw.installed("hog").path("isolation").asText().contains("uid " + hogUid), gw.installed("hog").toString());
        assertTrue(gw.installed("hog").path("isolation").asText().contains("Its network reaches only the gateway's web server"), gw.installed("hog").toString());

        assertEquals("wrote and read back hello", gw.send("GET", "/apps/hog/own", null).body(), "its own folder is its own");
        assertTrue(probe("/etc/hostname").startsWith("read "), "the probe can read what everyone may read");
        // its own network: the gateway's MQTT and CoAP ports and any other loopback server are out of
        // reach; the gateway's web server (the add-on API) is the one way out
        try (var other = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            assertEquals("connected", gw.send("GET", "/apps/hog/connect?port=" + gw.web.port(), null).body(), "the add-on API is reachable");
            assertTrue(gw.send("GET", "/apps/hog/connect?port=" + gw.gateway.mqttPort(), null).body().startsWith("no way: "), "MQTT ingest");
            assertTrue(gw.send("GET", "/apps/hog/connect?port=" + other.getLocalPort(), null).body().startsWith("no way: "), "another loopback server");
            assertTrue(gw.send("GET", "/apps/hog/coap?port=" + gw.gateway.coapPort(), null).body().startsWith("no way: "), "CoAP ingest");
        }
        // control: the same datagram from the gateway's own network is answered
        try (var udp = new java.net.DatagramSocket()) {
            udp.setSoTimeout(5000);
            udp.connect(new java.net.InetSocketAddress("127.0.0.1", gw.gateway.coapPort()));
            byte[] msg = dev.lichen.gateway.addons.fixtures.HogAddon.COAP_POST;
            udp.send(new java.net.DatagramPacket(msg, msg.length));
            udp.receive(new java.net.DatagramPacket(new byte[1500], 1500));
        }
        for (Path closed : List.of(gw.dir.resolve("lichen.db"), gw.dir.resolve("addons/installed.json"), gw.dir.resolve("addons/uids.json"),
                gw.dir.resolve("addons/plantcare/work"), gw.dir.resolve("addons/plantcare/versions"), gw.dir, gw.dir.resolve("addons"),
                gw.dir.resolve("ingest-journal"),
                Path.of("/proc/" + plantPid + "/environ"))) {
            assertTrue(Files.exists(closed), closed + " exists");
            String r = probe(closed.toString());
            assertTrue(r.startsWith("denied: AccessDeniedException"), closed + ": " + r);
        }
    }

    @Test
    @Order(11)
    void theAddOnsAdminApiIsInTheGatewaysOpenApiDescription() throws Exception {
        JsonNode doc = gw.json("GET", "/api/v1/openapi.json", null, 200);
        var described = new java.util.TreeSet<String>();
        doc.path("paths").fields().forEachRemaining(e -> e.getValue().fieldNames().forEachRemaining(m -> described.add(m.toUpperCase() + " " + e.getKey())));
        var registered = new java.util.TreeSet<String>();
        for (String r : gw.web.server().routes()) {
            if (r.contains(" /api/v1/addons")) registered.add(r.replaceAll("<(\\w+)>", "{$1}"));
        }
        assertEquals(9, registered.size(), registered.toString());
        assertEquals(registered, new java.util.TreeSet<>(described.stream().filter(d -> d.contains(" /api/v1/addons")).toList()),
                "every add-on admin route is described, and nothing else under /api/v1/addons");
        assertTrue(doc.path("components").path("schemas").has("InstallBody"), "its schemas are merged too");
    }

    String probe(String path) throws Exception {
        return gw.send("GET", "/apps/hog/probe?path=" + java.net.URLEncoder.encode(path, java.nio.charset.StandardCharsets.UTF_8), null).body();
    }

    @Test
    @Order(10)
    void uninstallRemovesEverything() throws Exception {
        gw.json("POST", "/api/v1/addons/plantcare/uninstall", null, 200);
        assertNothingInstalled("plantcare");
        assertEquals(404, gw.send("GET", "/apps/plantcare/", null).statusCode());
        assertTrue(gw.gateway.store().device("addon-plantcare").isEmpty(), "its own device and alerts are gone");
        assertNotNull(gw.installed("hog"));
    }
}
