package dev.lichen.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.store.AlertState;
import dev.lichen.gateway.web.auth.PasswordHasher;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.SenmlCodec;
import dev.lichen.senml.SenmlFormat;
import dev.lichen.senml.Value;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real headless Chromium (Debian's chromium + chromium-driver) against a real
 * gateway; the device is a Californium client posting SenML to the gateway's CoAP port, as a
 * sensor appliance does. The steps build on each other and run in order; screenshots go to
 * target/screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiTest {
    static final String XSS = "<img src=x onerror=alert(1)>";
    static final String DEVICE = "kitchen-climate";
    static final String PASSWORD = "a long kitchen secret";
    static final Path SHOTS = Path.of("target", "screenshots");

    @TempDir
    static Path dir;
    Gateway gateway;
    WebComponent web;
    ChromeDriver driver;
    String base;
    CoapEndpoint coapEndpoint;
    CoapClient device;
    final java.util.Map<String, AtomicLong> seqs = new java.util.concurrent.ConcurrentHashMap<>();
    static final String PLANT = "basil-pot";
    final SenmlCodec codec = new SenmlCodec();

    @BeforeAll
    void start() throws Exception {
        ChromeOptions o = dev.lichen.gateway.testing.Chromium.options(dir.resolve("chrome"), "1280,900"); // before anything starts
        Files.createDirectories(SHOTS);
        web = new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS));
        gateway = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")), List.of(web));
        base = "http://127.0.0.1:" + web.port() + "/";

        CoapConfig.register();
        UdpConfig.register();
        coapEndpoint = CoapEndpoint.builder().setConfiguration(Configuration.createStandardWithoutFile()).build();
        device = new CoapClient("coap://127.0.0.1:" + gateway.coapPort() + "/r");
        device.setEndpoint(coapEndpoint);
        device.setTimeout(10_000L);

        o.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        driver = dev.lichen.gateway.testing.Chromium.start(o);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    void stop() {
        if (driver != null) driver.quit();
        if (device != null) device.shutdown();
        if (coapEndpoint != null) coapEndpoint.destroy();
        if (gateway != null) gateway.close();
    }

    // ---- the device side: real SenML over real CoAP ----

    /** Posts a Lichen SenML pack (CBOR) as a sensor appliance does and expects 2.04 once it is durable. */
    void send(List<Reading> readings) throws Exception {
        send(DEVICE, SenmlFormat.CBOR, readings);
    }

    void send(String id, SenmlFormat format, List<Reading> readings) throws Exception {
        long first = seqs.computeIfAbsent(id, k -> new AtomicLong()).getAndAdd(readings.size());
        byte[] pack = codec.encode(new Batch(id, "boot-ui", first, readings), format);
        CoapResponse r = device.post(pack, format.contentFormat());
        if (r == null) fail("no CoAP answer from the gateway");
        assertEquals(CoAP.ResponseCode.CHANGED, r.getCode(), r.getResponseText());
        // the 2.04 means "in the ingest journal"; the pages read the database
        assertTrue(gateway.pipeline().awaitStored(java.time.Duration.ofSeconds(10)), "stored within 10 s");
    }

    static Reading temp(double v, long t) {
        return new Reading("temperature", "Cel", new Value.Number(v), t);
    }

    // ---- browser helpers ----

    WebDriverWait waitUpTo(Duration d) {
        var w = new WebDriverWait(driver, d);
        w.pollingEvery(Duration.ofMillis(25));
        return w;
    }

    WebElement await(By by) {
        return waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Waits until the element shows some text, and returns that text. */
    String awaitText(By by) {
        return waitUpTo(Duration.ofSeconds(10)).until(d -> {
            var found = d.findElements(by);
            String t = found.isEmpty() ? "" : found.getFirst().getText();
            return t.isEmpty() ? null : t;
        });
    }

    void type(By by, String text) {
        WebElement e = await(by);
        e.clear();
        e.sendKeys(text);
    }

    void shot(String name) throws Exception {
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve(name + ".png"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    void assertNoDialog() {
        assertThrows(NoAlertPresentException.class, () -> driver.switchTo().alert(), "a script ran: an alert dialog is open");
    }

    void go(String hash) {
        driver.get(base + hash);
    }

    // ---- the steps ----

    @Test
    @Order(1)
    void firstRunSetupCreatesTheAdmin() throws Exception {
        driver.get(base);
        await(By.xpath("//h1[text()='Welcome to Lichen']"));
        type(By.name("username"), "admin");
        type(By.name("password"), PASSWORD);
        type(By.name("confirm"), PASSWORD + "x");
        shot("01-setup");
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        assertEquals("the passwords differ", awaitText(By.cssSelector("form .error")));
        type(By.name("confirm"), PASSWORD);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        await(By.id("bar"));
        assertEquals("admin", driver.findElement(By.id("who-name")).getText());
        await(By.xpath("//*[contains(text(),'No devices adopted yet')]"));
        assertEquals(1, gateway.store().userCount());
    }

    @Test
    @Order(2)
    void logOutAndLogIn() throws Exception {
        await(By.id("logout")).click();
        await(By.xpath("//h1[text()='Log in to Lichen']"));
        type(By.name("username"), "admin");
        type(By.name("password"), "not the password");
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        assertEquals("wrong username or password", awaitText(By.cssSelector("form .error")));
        type(By.name("password"), PASSWORD);
        shot("02-login");
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        assertEquals("admin", awaitText(By.id("who-name")));
        // the session cookie is invisible to scripts (HttpOnly)
        assertEquals("", ((String) driver.executeScript("return document.cookie;")));
    }

    @Test
    @Order(3)
    void aNewDeviceIsAdoptedWithANameAndRoom() throws Exception {
        long now = System.currentTimeMillis();
        // a month of history: every 6 hours for 29 days, then every minute for the last 2 hours
        List<Reading> history = new ArrayList<>();
        for (long t = now - 29 * 86_400_000L; t < now - 2 * 3_600_000L; t += 6 * 3_600_000L) {
            history.add(temp(19 + (t / 3_600_000L) % 5, t));
        }
        for (long t = now - 2 * 3_600_000L; t < now - 60_000L; t += 60_000L) {
            history.add(temp(20 + Math.sin(t / 600_000.0), t));
        }
        for (int i = 0; i < history.size(); i += 50) {
            send(history.subList(i, Math.min(history.size(), i + 50)));
        }
        send(List.of(temp(21.5, now - 30_000), new Reading("humidity", "%RH", new Value.Number(48), now - 30_000)));

        go("#/devices");
        WebElement row = await(By.cssSelector("#new-devices li[data-device='" + DEVICE + "']"));
        String offers = row.findElement(By.cssSelector(".offers")).getText();
        assertTrue(offers.contains("NEW") && offers.contains("temperature (Cel)") && offers.contains("humidity (%RH)"), offers);
        assertEquals("1", driver.findElement(By.id("new-count")).getText());
        shot("03-new-device");
        row.findElement(By.name("name")).sendKeys(XSS);
        row.findElement(By.name("room")).sendKeys("Kitchen");
        row.findElement(By.cssSelector("button[type=submit]")).click();
        WebElement adopted = await(By.cssSelector("#adopted-devices li[data-device='" + DEVICE + "']"));
        assertEquals(XSS, adopted.findElement(By.cssSelector(".dev-name")).getText());

        // a second device, in SenML JSON, reporting its battery and signal
        send(PLANT, SenmlFormat.JSON, List.of(new Reading("soil_moisture", "%", new Value.Number(41), now - 5_000),
                new Reading("battery", "%EL", new Value.Number(87), now - 5_000),
                new Reading("rssi", "dBm", new Value.Number(-61), now - 5_000)));
        WebElement plant = await(By.cssSelector("#new-devices li[data-device='" + PLANT + "']"));
        plant.findElement(By.name("name")).sendKeys("Basil");
        plant.findElement(By.name("room")).sendKeys("Living room");
        plant.findElement(By.cssSelector("button[type=submit]")).click();
        await(By.cssSelector("#adopted-devices li[data-device='" + PLANT + "']"));
        assertTrue(driver.findElements(By.cssSelector("#new-devices li")).isEmpty());
        go("#/device/" + PLANT);
        assertEquals("87 %", await(By.id("battery")).getText());
        assertEquals("-61 dBm", driver.findElement(By.id("signal")).getText());
        assertEquals(dev.lichen.gateway.store.DeviceState.ADOPTED, gateway.store().device(DEVICE).orElseThrow().state());
        assertNoDialog();
    }

    @Test
    @Order(4)
    void theScriptyDeviceNameShowsAsText() throws Exception {
        go("#/");
        WebElement name = await(By.cssSelector(".tile[data-device='" + DEVICE + "'] .dev-name"));
        assertEquals(XSS, name.getText());
        assertEquals(List.of("Kitchen", "Living room"),
                driver.findElements(By.cssSelector("section.room h2")).stream().map(WebElement::getText).toList());
        assertTrue(driver.findElements(By.cssSelector("main img")).isEmpty(), "the name became an <img> element");
        assertNoDialog();
        go("#/device/" + DEVICE);
        assertEquals(XSS, await(By.id("device-name")).getText());
        assertNoDialog();
    }

    @Test
    @Order(5)
    void aReadingAppearsOnItsTileWithinTwoSeconds() throws Exception {
        go("#/");
        By tile = By.cssSelector(".tile[data-device='" + DEVICE + "'][data-channel='temperature']");
        await(tile);
        waitUpTo(Duration.ofSeconds(10)).until(d -> "up".equals(d.findElement(By.tagName("body")).getDomAttribute("data-live")));
        long sent = System.nanoTime();
        send(List.of(temp(23.45, System.currentTimeMillis())));
        // wait at most 2 s from the send for the live value to be on the tile
        waitUpTo(Duration.ofMillis(2000)).until(d -> "23.45".equals(d.findElement(tile).getDomAttribute("data-value")));
        long ms = (System.nanoTime() - sent) / 1_000_000;
        assertTrue(ms <= 2000, "took " + ms + " ms");
        System.out.println("CoAP reading on its tile after " + ms + " ms");
        assertEquals("23.5", driver.findElement(tile).findElement(By.cssSelector(".val")).getText());
        waitUpTo(Duration.ofSeconds(5)).until(d -> {
            String n = d.findElement(tile).findElement(By.cssSelector("canvas.spark")).getDomAttribute("data-points");
            return n != null && Integer.parseInt(n) > 100;
        });
        shot("04-dashboard-live");
    }

    @Test
    @Order(6)
    void theHistoryChartRendersForEachRange() throws Exception {
        go("#/");
        await(By.cssSelector(".tile[data-device='" + DEVICE + "'][data-channel='temperature']")).click();
        await(By.id("device-name"));
        assertEquals("true", await(By.cssSelector("button[data-channel='temperature']")).getDomAttribute("aria-pressed"));
        assertTrue(driver.findElement(By.id("last-seen")).getText().contains("ago"));
        String[][] expected = {{"hour", "raw"}, {"day", "1m"}, {"week", "1h"}, {"month", "1h"}};
        for (String[] e : expected) {
            await(By.id("range-" + e[0])).click();
            WebElement chart = waitUpTo(Duration.ofSeconds(10)).until(d -> {
                WebElement c = d.findElement(By.id("chart"));
                return "true".equals(c.getDomAttribute("data-ready")) && e[0].equals(c.getDomAttribute("data-range")) ? c : null;
            });
            assertEquals(e[1], chart.getDomAttribute("data-resolution"), e[0]);
            int points = Integer.parseInt(chart.getDomAttribute("data-points"));
            assertTrue(points > 0, e[0] + " has no points");
            WebElement canvas = chart.findElement(By.cssSelector("canvas"));
            assertTrue(canvas.getSize().getWidth() > 200 && canvas.getSize().getHeight() > 100, e[0]);
            // the plotted line is really there: some canvas pixels are painted
            Long painted = (Long) driver.executeScript(
                    "const c = arguments[0]; const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                            + "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++; return n;", canvas);
            assertTrue(painted > 100, e[0] + ": the chart canvas is blank");
            shot("05-history-" + e[0]);
        }
        // the hour chart (raw readings) grows with live readings
        await(By.id("range-hour")).click();
        WebElement hour = waitUpTo(Duration.ofSeconds(10)).until(d -> {
            WebElement c = d.findElement(By.id("chart"));
            return "true".equals(c.getDomAttribute("data-ready")) && "hour".equals(c.getDomAttribute("data-range")) ? c : null;
        });
        int before = Integer.parseInt(hour.getDomAttribute("data-points"));
        send(List.of(temp(22.25, System.currentTimeMillis())));
        waitUpTo(Duration.ofSeconds(2)).until(d ->
                Integer.parseInt(d.findElement(By.id("chart")).getDomAttribute("data-points")) == before + 1);
                String csv = driver.findElement(By.id("csv-link")).getDomAttribute("href");
        assertTrue(csv.contains("format=csv"), csv);
        // fetched as the page would download it, with the browser's session
        String body = (String) driver.executeAsyncScript(
                "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.text()).then(done);", csv);
        assertTrue(body.startsWith("time,time_ms,min,max,mean,count\n") && body.split("\n").length > 5, body);
    }

    @Test
    @Order(7)
    void anAlertFiresAndIsAcknowledged() throws Exception {
        go("#/alerts");
        await(By.cssSelector("form.rule-form"));
        type(By.name("name"), "Kitchen too warm");
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.name("target"))).selectByValue(DEVICE + "/temperature");
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.name("op"))).selectByValue(">");
        type(By.name("threshold"), "30");
        type(By.name("duration"), "30");
        driver.findElement(By.cssSelector("form.rule-form button[type=submit]")).click();
        await(By.cssSelector("#rule-list li"));
        // warm for a minute of reading time: above 30 for longer than the rule's 30 s
        long now = System.currentTimeMillis();
        send(List.of(temp(34, now - 60_000), temp(35, now - 20_000), temp(36, now)));
        WebElement firing = await(By.cssSelector("#alert-list li[data-state='firing']"));
        assertTrue(firing.getText().contains("Kitchen too warm"), firing.getText());
        shot("06-alert-firing");
        go("#/");
        WebElement banner = await(By.cssSelector("#alert-banner li[data-state='firing']"));
        assertEquals("1", driver.findElement(By.id("alert-count")).getText());
        shot("07-dashboard-alert");
        banner.findElement(By.cssSelector("button.ack")).click();
        WebElement acked = await(By.cssSelector("#alert-banner li[data-state='acknowledged']"));
        assertTrue(acked.getText().contains("acknowledged by admin"), acked.getText());
        assertEquals(AlertState.ACKNOWLEDGED, gateway.store().alerts(true).getFirst().state());
    }

    @Test
    @Order(8)
    void anOfflineDeviceIsClearlyMarked() throws Exception {
        go("#/");
        By tile = By.cssSelector(".tile[data-device='" + DEVICE + "'][data-channel='temperature']");
        await(tile);
        waitUpTo(Duration.ofSeconds(10)).until(d -> "up".equals(d.findElement(By.tagName("body")).getDomAttribute("data-live")));
        // the device's MQTT last will says it is gone
        MqttClient mqtt = new MqttClient("tcp://127.0.0.1:" + gateway.mqttPort(), DEVICE + "-status", new MemoryPersistence());
        try {
            var opts = new MqttConnectionOptions();
            opts.setCleanStart(true);
            mqtt.connect(opts);
            var m = new MqttMessage("offline".getBytes(StandardCharsets.UTF_8), 1, true, null);
            mqtt.publish("lichen/" + DEVICE + "/status", m);
            mqtt.disconnect();
        } finally {
            mqtt.close();
        }
        waitUpTo(Duration.ofSeconds(5)).until(d -> d.findElement(tile).findElement(By.cssSelector(".tag.offline")).isDisplayed());
        assertEquals("OFFLINE", driver.findElement(tile).findElement(By.cssSelector(".tag.offline")).getText());
        assertTrue(driver.findElement(tile).getDomAttribute("class").contains("offline"));
        shot("08-dashboard-offline");
        // a phone-sized screen gets the same dashboard, two tiles a row
        driver.manage().window().setSize(new Dimension(390, 844));
        go("#/");
        await(tile);
        shot("09-dashboard-phone");
        driver.manage().window().setSize(new Dimension(1280, 900));
        assertNoDialog();
    }

    @Test
    @Order(9)
    void anAdminCreatesACoapsKeyThatIsShownOnce() throws Exception {
        go("#/device/" + DEVICE);
        assertTrue(awaitText(By.id("psk-state")).startsWith("None"));
        await(By.id("psk-rotate")).click();
        String key = awaitText(By.id("psk-key"));
        assertEquals(32, java.util.Base64.getDecoder().decode(key).length);
        org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Base64.getDecoder().decode(key),
                gateway.store().deviceKey(DEVICE).orElseThrow().key());
        shot("11-coaps-key");
        go("#/devices");
        go("#/device/" + DEVICE);
        // the hash change re-renders asynchronously: wait for the device page drawn afresh
        waitUpTo(Duration.ofSeconds(10)).until(d -> d.findElements(By.id("psk-key")).isEmpty()
                && !d.findElements(By.id("psk-state")).isEmpty() && d.findElement(By.id("psk-state")).getText().startsWith("Key set"));
        assertEquals("Rotate key", awaitText(By.id("psk-rotate")));
        assertTrue(driver.findElements(By.id("psk-key")).isEmpty(), "the key is not shown again");
        assertFalse(driver.getPageSource().contains(key), "the key is nowhere on the page");
    }

    @Test
    @Order(10)
    void theSecurityPageShowsWhoDidWhatFromWhere() throws Exception {
        go("#/security");
        await(By.cssSelector("table.audit tr[data-action='key_rotated']"));
        List<String> actions = driver.findElements(By.cssSelector("table.audit tbody tr")).stream()
                .map(r -> r.getDomAttribute("data-action")).toList();
        // newest first: what the earlier steps did, in reverse
        List<String> expected = List.of("key_rotated", "device_adopted", "login", "login_refused", "logout", "setup");
        assertEquals(expected, actions.stream().filter(expected::contains).distinct().toList(), actions.toString());
        WebElement rotated = driver.findElement(By.cssSelector("table.audit tr[data-action='key_rotated']"));
        String row = rotated.getText();
        assertTrue(row.contains("admin") && row.contains("127.0.0.1") && row.contains(DEVICE) && row.contains("rotated the key of"), row);
        WebElement refused = driver.findElement(By.cssSelector("table.audit tr[data-action='login_refused']"));
        assertTrue(refused.getText().contains("wrong username or password"), refused.getText());
        // the scripty device name in the adoption's detail is text, as everywhere
        List<String> adoptions = driver.findElements(By.cssSelector("table.audit tr[data-action='device_adopted']")).stream()
                .map(WebElement::getText).toList();
        assertTrue(adoptions.stream().anyMatch(t -> t.contains(DEVICE) && t.contains("as '" + XSS + "' in 'Kitchen'")), adoptions.toString());
        assertNoDialog();
        shot("12-security");
    }

    @Test
    @Order(11)
    void anAdminAddsAViewerWhoSeesButCannotChange() throws Exception {
        go("#/users");
        WebElement form = await(By.xpath("//h2[text()='Add a person']/following-sibling::form"));
        form.findElement(By.name("username")).sendKeys("guest");
        form.findElement(By.name("password")).sendKeys("guest password 1");
        new org.openqa.selenium.support.ui.Select(form.findElement(By.name("role"))).selectByValue("viewer");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        await(By.xpath("//li[span[text()='guest']]"));
        await(By.id("logout")).click();
        await(By.xpath("//h1[text()='Log in to Lichen']"));
        type(By.name("username"), "guest");
        type(By.name("password"), "guest password 1");
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        assertEquals("(viewer)", awaitText(By.id("who-role")));
        await(By.cssSelector(".tile[data-device='" + DEVICE + "']"));
        assertTrue(driver.findElement(By.id("nav-users")).getDomAttribute("hidden") != null, "no Users page for viewers");
        assertTrue(driver.findElement(By.id("nav-security")).getDomAttribute("hidden") != null, "no Security page for viewers");
        assertTrue(driver.findElements(By.cssSelector("button.ack, button.clear")).isEmpty(), "no alert buttons");
        go("#/alerts");
        await(By.cssSelector("#rule-list li"));
        assertTrue(driver.findElements(By.cssSelector("form.rule-form")).isEmpty(), "no rule form");
        go("#/device/" + DEVICE + "/temperature");
        await(By.id("chart"));
        assertTrue(driver.findElements(By.cssSelector("form")).isEmpty(), "no rename form");
        shot("10-viewer-device");
    }

    @Test
    @Order(12)
    void thePageBrokeNoPolicyAndThrewNothing() {
        List<String> bad = driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .map(e -> e.getMessage())
                .filter(m -> m.contains("Content Security Policy") || m.contains("Uncaught") || m.contains("TypeError"))
                .toList();
        assertEquals(List.of(), bad, "the console shows CSP violations or script errors");

        // the policy is live in the browser: an inline script slipped into the page does not run
        driver.executeScript("const s = document.createElement('script'); s.textContent = 'window.pwned = 1';"
                + "document.body.append(s);");
        assertEquals(null, driver.executeScript("return window.pwned === undefined ? null : window.pwned;"));
        assertTrue(driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .anyMatch(e -> e.getMessage().contains("Content Security Policy")), "the blocked script was reported");
    }
}
