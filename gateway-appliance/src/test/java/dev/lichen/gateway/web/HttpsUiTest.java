package dev.lichen.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.testing.Chromium;
import dev.lichen.gateway.web.auth.PasswordHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The first run as a person on the home network meets it, in a real headless Chromium: they
 * type the gateway's plain http address, land on https, see the CA fingerprint to compare with
 * the one the gateway printed, set up the admin and get a Secure session cookie. Chromium
 * trusts the server key by its SPKI hash (what a person does by accepting it once); a gateway on
 * plain http reached by another address warns before a password is chosen.
 */
class HttpsUiTest {
    static final Path SHOTS = Path.of("target", "screenshots");
    static final String PASSWORD = "a long hallway secret";

    @TempDir
    Path dir;
    Gateway gateway;
    ChromeDriver driver;

    @AfterEach
    void stop() {
        if (driver != null) driver.quit();
        if (gateway != null) gateway.close();
    }

    ChromeDriver chromium(String... extra) {
        return Chromium.start(Chromium.options(dir.resolve("chrome"), "1280,900", extra));
    }

    WebElement await(By by) {
        var w = new WebDriverWait(driver, Duration.ofSeconds(10));
        w.pollingEvery(Duration.ofMillis(25));
        return w.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void shot(String name) throws Exception {
        Files.createDirectories(SHOTS);
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void firstRunFromThePlainAddressEndsOnHttpsWithTheFingerprintToCompare() throws Exception {
        WebComponent web = new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS));
        gateway = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")).withHttpsPort(0), List.of(web));
        byte[] spki = MessageDigest.getInstance("SHA-256").digest(gateway.tls().serverCertificate().getPublicKey().getEncoded());
        driver = chromium("--ignore-certificate-errors-spki-list=" + Base64.getEncoder().encodeToString(spki));

        driver.get("http://127.0.0.1:" + web.server().httpPort() + "/");
        await(By.xpath("//h1[text()='Welcome to Lichen']"));
        assertEquals("https://127.0.0.1:" + web.server().httpsPort() + "/#/setup", driver.getCurrentUrl());
        assertEquals(gateway.tls().caFingerprint(), await(By.id("ca-fingerprint")).getText(), "the page names the gateway's own CA");
        WebElement download = driver.findElement(By.cssSelector("a[href='/ca.crt']"));
        assertTrue(download.isDisplayed());
        assertTrue(driver.findElements(By.id("plain-http-warning")).isEmpty());
        shot("https-01-setup");

        driver.findElement(By.name("username")).sendKeys("admin");
        driver.findElement(By.name("password")).sendKeys(PASSWORD);
        driver.findElement(By.name("confirm")).sendKeys(PASSWORD);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        await(By.id("bar"));
        Cookie session = driver.manage().getCookieNamed(RequestGuard.SESSION_COOKIE);
        assertTrue(session != null && session.isSecure() && session.isHttpOnly(), "session cookie: " + session);
        // a reload over the plain address comes back to https, still signed in
        driver.get("http://127.0.0.1:" + web.server().httpPort() + "/#/devices");
        await(By.id("bar"));
        assertTrue(driver.getCurrentUrl().startsWith("https://127.0.0.1:" + web.server().httpsPort() + "/"), driver.getCurrentUrl());
    }

    @Test
    void aDeviceSendingInTheClearIsMarkedUnencryptedAndOneOnTlsIsNot() throws Exception {
        WebComponent web = new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS));
        gateway = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")), List.of(web));
        var coap = dev.lichen.gateway.testing.Clients.coap(gateway.coapPort());
        try {
            var r = coap.post(new dev.lichen.senml.SenmlCodec().encode(dev.lichen.gateway.testing.Clients.pack("hall-plain", "b", 0, 2, 20),
                    dev.lichen.senml.SenmlFormat.CBOR), dev.lichen.senml.SenmlFormat.CBOR.contentFormat());
            assertEquals(org.eclipse.californium.core.coap.CoAP.ResponseCode.CHANGED, r.getCode());
        } finally {
            coap.shutdown();
        }
        try (var tls = new dev.lichen.runtime.uplink.MqttUplink("hall-tls", "127.0.0.1", gateway.mqttTlsPort(),
                dev.lichen.runtime.uplink.MqttUplink.Options.defaults().withTimeout(Duration.ofSeconds(5))
                        .withTls(dev.lichen.runtime.uplink.TrustedCa.read(dir.resolve("gw/tls/ca.crt"))))) {
            tls.deliver(dev.lichen.gateway.testing.Clients.pack("hall-tls", "b", 0, 2, 20));
        }
        assertTrue(gateway.pipeline().awaitStored(Duration.ofSeconds(10)));
        gateway.store().adopt("hall-plain", "Hall (plain)", "Hall");
        gateway.store().adopt("hall-tls", "Hall (TLS)", "Hall");

        driver = chromium();
        setUpAdmin(web);
        By plainTile = By.cssSelector(".tile[data-device='hall-plain'] .tag.unencrypted");
        assertEquals("UNENCRYPTED", await(plainTile).getText());
        assertTrue(driver.findElements(By.cssSelector(".tile[data-device='hall-tls'] .tag.unencrypted")).isEmpty(),
                "the TLS device carries no badge");
        shot("https-03-unencrypted-badge");
        driver.get("http://127.0.0.1:" + web.port() + "/#/devices");
        await(By.cssSelector("#adopted-devices li[data-device='hall-plain'] .tag.unencrypted"));
        assertTrue(driver.findElements(By.cssSelector("#adopted-devices li[data-device='hall-tls'] .tag.unencrypted")).isEmpty());
        driver.get("http://127.0.0.1:" + web.port() + "/#/device/hall-tls");
        waitUpTo10(d -> d.findElement(By.id("device-name")).getText().equals("Hall (TLS)")
                && d.findElement(By.id("link")).getText().equals("MQTT over TLS"));
        driver.get("http://127.0.0.1:" + web.port() + "/#/device/hall-plain");
        waitUpTo10(d -> d.findElement(By.id("device-name")).getText().equals("Hall (plain)"));
        waitUpTo10(d -> d.findElement(By.id("link")).getText().startsWith("CoAP, unencrypted"));
    }

    @Test
    void aPersonComparesTheFingerprintOnTheNewDeviceCardAndAdoptsTheDeviceByIt() throws Exception {
        WebComponent web = new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS));
        gateway = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")), List.of(web));
        var porch = dev.lichen.runtime.identity.DeviceIdentity.loadOrCreate(
                new dev.lichen.runtime.storage.FileKeyValueStore(dir.resolve("porch-state")));
        try (var uplink = new dev.lichen.runtime.uplink.CoapUplink("127.0.0.1", gateway.coapsPort(),
                new dev.lichen.runtime.uplink.CoapUplink.OwnKey(porch.keys(), gateway.tls().trusted()),
                dev.lichen.runtime.uplink.CoapUplink.Options.defaults())) {
            uplink.deliver(dev.lichen.gateway.testing.Clients.pack("porch", "b", 0, 2, 20));
        }
        driver = chromium();
        setUpAdmin(web);
        driver.get("http://127.0.0.1:" + web.port() + "/#/devices");
        WebElement card = await(By.cssSelector("#new-devices li[data-device='porch']"));
        assertEquals(porch.fingerprint(), card.findElement(By.cssSelector("code.fingerprint")).getText(),
                "the card shows what the device printed");
        shot("https-04-new-device-fingerprint");
        card.findElement(By.name("name")).sendKeys("Porch");
        card.findElement(By.name("room")).sendKeys("Outside");
        card.findElement(By.cssSelector("button[type=submit]")).click();
        await(By.cssSelector("#adopted-devices li[data-device='porch']"));
        assertTrue(gateway.deviceIdentities().pinned("porch"), "adopting in the browser pinned the key");
        assertTrue(gateway.deviceIdentities().key("porch").orElseThrow().fingerprint().equals(porch.fingerprint()));
        driver.get("http://127.0.0.1:" + web.port() + "/#/device/porch");
        waitUpTo10(d -> d.findElement(By.id("key")).getText().startsWith(porch.fingerprint() + " (pinned"));

        // the device is reset and makes a new key: the person forgets the old one on its page, then pins the new one
        await(By.id("key-forget")).click();
        driver.switchTo().alert().accept();
        waitUpTo10(d -> gateway.deviceIdentities().key("porch").isEmpty());
        var reset = dev.lichen.runtime.identity.DeviceIdentity.generate();
        try (var uplink = new dev.lichen.runtime.uplink.CoapUplink("127.0.0.1", gateway.coapsPort(),
                new dev.lichen.runtime.uplink.CoapUplink.OwnKey(reset.keys(), gateway.tls().trusted()),
                dev.lichen.runtime.uplink.CoapUplink.Options.defaults())) {
            uplink.deliver(dev.lichen.gateway.testing.Clients.pack("porch", "b2", 0, 1, 21));
        }
        driver.navigate().refresh();
        waitUpTo10(d -> d.findElement(By.id("key")).getText().startsWith(reset.fingerprint() + " (presented, not pinned)"));
        await(By.id("key-pin")).click();
        String question = driver.switchTo().alert().getText();
        assertTrue(question.contains(reset.fingerprint()), "the person is asked to compare the key: " + question);
        driver.switchTo().alert().accept();
        waitUpTo10(d -> d.findElement(By.id("key")).getText().startsWith(reset.fingerprint() + " (pinned"));
        assertTrue(gateway.deviceIdentities().pinned("porch"));
        shot("https-05-device-key-pinned-again");
    }

    @Test
    void aPersonRotatesTheKeyOfADeviceThatKeepsWorkingMeanwhile() throws Exception {
        WebComponent web = new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS));
        gateway = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")), List.of(web));
        try (var device = new dev.lichen.gateway.testing.ActingDevice(dir, "stairs", "coaps",
                "[{\"name\": \"light\", \"kind\": \"switch\", \"pin\": 17}]").start(gateway)) {
            dev.lichen.gateway.testing.Await.until(Duration.ofSeconds(20), () -> gateway.store().device("stairs").isPresent()
                    && gateway.deviceIdentities().key("stairs").isPresent(), "the device presented its key");
            String before = device.fingerprint();
            gateway.deviceIdentities().pin("stairs", before, System.currentTimeMillis());
            gateway.store().adopt("stairs", "Stairs", "Hall");
            dev.lichen.gateway.testing.Await.until(Duration.ofSeconds(20), () -> gateway.commands().outputs("stairs").size() == 1,
                    "the device announced its light");
            driver = chromium();
            setUpAdmin(web);
            driver.get("http://127.0.0.1:" + web.port() + "/#/device/stairs");
            waitUpTo10(d -> d.findElement(By.id("key")).getText().startsWith(before + " (pinned"));
            // the house goes on using the device while its key changes: its light switched every 200 ms
            var switched = new java.util.concurrent.CopyOnWriteArrayList<Long>();
            var stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread user = Thread.ofVirtual().start(() -> {
                boolean on = false;
                while (!stop.get()) {
                    try {
                        switched.add(gateway.commands().send("stairs", "light", on = !on, null, "admin").id());
                        Thread.sleep(200);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            await(By.id("key-rotate")).click();
            driver.switchTo().alert().accept();
            new WebDriverWait(driver, Duration.ofSeconds(30)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> {
                        String text = d.findElement(By.id("key")).getText();
                        return !text.startsWith(before) && text.contains("(pinned");
                    });
            String shown = driver.findElement(By.cssSelector("#key code.fingerprint")).getText();
            assertEquals(device.fingerprint(), shown, "the page shows the key the device now presents");
            assertTrue(!shown.equals(before));
            shot("https-06-device-key-rotated");
            assertTrue(driver.findElements(By.cssSelector(".channels button[data-channel='identity']")).isEmpty(),
                    "the device's new key is bookkeeping, not a channel to chart");
            Thread.sleep(1000);
            stop.set(true);
            user.join();
            // every command sent before, during and after the rotation was carried out
            dev.lichen.gateway.testing.Await.until(Duration.ofSeconds(30), () -> switched.stream().allMatch(id ->
                    gateway.commands().command(id).orElseThrow().state() == dev.lichen.gateway.store.StoredCommand.CommandState.DONE),
                    "every command is done: " + switched.stream().map(id -> gateway.commands().command(id).orElseThrow().state()).toList());
            assertTrue(switched.size() >= 5, "the house kept using the light: " + switched.size() + " commands");
            assertTrue(gateway.store().auditTrail(Long.MAX_VALUE, 10).stream()
                    .anyMatch(e -> e.action() == dev.lichen.gateway.store.AuditEvent.Action.KEY_ROTATED && "stairs".equals(e.subject())),
                    "the rotation is on the Security page");
        }
    }

    /** The first-run page on plain http, as a person fills it in. */
    void setUpAdmin(WebComponent web) {
        driver.get("http://127.0.0.1:" + web.port() + "/");
        await(By.xpath("//h1[text()='Welcome to Lichen']"));
        driver.findElement(By.name("username")).sendKeys("admin");
        driver.findElement(By.name("password")).sendKeys(PASSWORD);
        driver.findElement(By.name("confirm")).sendKeys(PASSWORD);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        await(By.id("bar"));
    }

    void waitUpTo10(java.util.function.Function<org.openqa.selenium.WebDriver, Boolean> until) {
        // the page re-renders as it loads: an element found a moment ago may be gone
        new WebDriverWait(driver, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(until::apply);
    }

    @Test
    void aPlainHttpGatewayReachedOverTheNetworkWarnsBeforeAPasswordIsChosen() throws Exception {
        // 127.0.0.2 is loopback to the kernel but not "this computer" to the page: as a LAN address is
        WebComponent web = new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS));
        gateway = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")).withBindHost("127.0.0.2"), List.of(web));
        driver = chromium();
        driver.get("http://127.0.0.2:" + web.port() + "/");
        await(By.xpath("//h1[text()='Welcome to Lichen']"));
        assertTrue(await(By.id("plain-http-warning")).getText().contains("crosses the network in the clear"));
        shot("https-02-plain-warning");
    }
}
