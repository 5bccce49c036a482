package dev.lichen.gateway.web;

import static dev.lichen.gateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.testing.ActingDevice;
import dev.lichen.gateway.testing.Api;
import dev.lichen.gateway.testing.Chromium;
import dev.lichen.gateway.web.auth.PasswordHasher;
import dev.lichen.runtime.bus.Board;
import dev.lichen.runtime.bus.BusException;
import dev.lichen.runtime.bus.DigitalInput;
import dev.lichen.runtime.bus.DigitalOutput;
import dev.lichen.runtime.bus.I2cBus;
import dev.lichen.runtime.bus.OneWireBus;
import dev.lichen.runtime.bus.PwmOutput;
import dev.lichen.runtime.bus.SpiBus;
import dev.lichen.runtime.bus.sim.SimBoard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A device's outputs on the dashboard, in a real headless Chromium against the real gateway, with
 * the real sensor appliance on a simulated board (a light on pin 17, a dimmed lamp on PWM pin 18, a
 * heater on pin 22 whose driver is shorted, so switching it on fails)
 * over MQTT/TLS with its own key, adopted through the API with its fingerprint. A person switches
 * and dims and sees the pending and then the confirmed state; a viewer cannot; a command for a
 * device that went away expires and the tile says so. The steps build on each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutputsUiTest {
    static final String PASSWORD = "a long hallway secret";
    static final String ID = "hall-outputs";
    static final Path SHOTS = Path.of("target", "screenshots");
    static final String OUTPUTS = """
            [{"name": "light", "kind": "switch", "pin": 17}, {"name": "lamp", "kind": "dimmer", "pin": 18, "ramp": "200ms"},
             {"name": "heater", "kind": "switch", "pin": 22}]""";
    /** What the heater's pin says when switched on: its driver is shorted (a real fault a board reports). */
    static final String SHORTED = "the driver on pin 22 reports a short";

    static final Duration WITHIN = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    Gateway gw;
    Api api;
    String base;
    ChromeDriver driver;
    Api.Session admin;
    ActingDevice device;

    /** The simulated board, but pin 22 cannot be driven high: the appliance sees a bus error, as from a real fault. */
    static Board shortedHeater(SimBoard board) {
        return new Board() {
            @Override public String name() { return board.name(); }
            @Override public I2cBus i2c(int bus) { return board.i2c(bus); }
            @Override public SpiBus spi(int bus) { return board.spi(bus); }
            @Override public OneWireBus oneWire() { return board.oneWire(); }
            @Override public DigitalInput digitalInput(int pin, Pull pull) { return board.digitalInput(pin, pull); }
            @Override public PwmOutput pwm(int pin, int hz) throws BusException { return board.pwm(pin, hz); }
            @Override public void close() { board.close(); }

            @Override
            public DigitalOutput digitalOutput(int pin, boolean initial) {
                DigitalOutput out = board.digitalOutput(pin, initial);
                if (pin != 22) return out;
                return new DigitalOutput() {
                    @Override public int pin() { return pin; }
                    @Override public boolean isHigh() { return out.isHigh(); }

                    @Override
                    public void set(boolean high) throws BusException {
                        if (high) throw new BusException(BusException.Kind.IO, SHORTED);
                        out.set(false);
                    }
                };
            }
        };
    }

    @BeforeAll
    void start() throws Exception {
        var options = Chromium.options(dir.resolve("chrome"), "1280,900");
        Files.createDirectories(SHOTS);
        // a short command lifetime, so a command for a device that went away expires within the test
        gw = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")).withCommandLifetimeSeconds(2),
                List.of(new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS))));
        api = Api.of(gw);
        base = api.base;
        api.setup("admin", PASSWORD);
        admin = api.login("admin", PASSWORD);
        assertEquals(201, admin.send("POST", "/api/v1/users",
                "{\"username\":\"guest\",\"password\":\"" + PASSWORD + "\",\"role\":\"viewer\"}").statusCode());

        device = new ActingDevice(dir, ID, "mqtt", OUTPUTS, OutputsUiTest::shortedHeater).start(gw);
        // adopted as a person does: with the fingerprint the device's console printed
        until(WITHIN, () -> gw.deviceIdentities().key(ID).isPresent() && gw.store().device(ID).isPresent(), "the device presented its key");
        var r = admin.send("POST", "/api/v1/devices/" + ID + "/adopt",
                "{\"name\":\"Hall\",\"room\":\"Hallway\",\"fingerprint\":\"" + device.fingerprint() + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        until(WITHIN, () -> gw.commands().outputs(ID).size() == 3, "the device announced its outputs");
        until(WITHIN, () -> gw.store().channels(ID).stream().anyMatch(c -> c.name().equals("light")), "the device reported its outputs' state");

        driver = Chromium.start(options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) driver.quit();
        if (device != null) device.close();
        if (gw != null) gw.close();
    }

    // ---- helpers ----

    WebElement await(By by) {
        return new dev.lichen.gateway.testing.Page(driver, base).await(by);
    }

    void awaitText(By by, String expected) {
        new dev.lichen.gateway.testing.Page(driver, base).awaitText(by, expected);
    }

    void logInAs(String user) {
        new dev.lichen.gateway.testing.Page(driver, base).logInAs(user, PASSWORD);
    }

    static By tile(String output) {
        return By.cssSelector(".tile.output[data-device='" + ID + "'][data-output='" + output + "']");
    }

    static By in(String output, String css) {
        return By.cssSelector(".tile.output[data-device='" + ID + "'][data-output='" + output + "'] " + css);
    }

    /** Records every state the output's tile shows (status | pending style | value), however briefly. */
    void watch(String output) {
        driver.executeScript("""
                const name = arguments[0];
                window.seen = [];
                const record = () => {
                  const t = document.querySelector('.tile.output[data-output="' + name + '"]');
                  if (!t) return;
                  const s = t.querySelector('.status').textContent + ' | ' + (t.classList.contains('pending') ? 'pending' : '-')
                    + ' | ' + t.querySelector('.val').textContent;
                  if (window.seen[window.seen.length - 1] !== s) window.seen.push(s);
                };
                record();
                new MutationObserver(record).observe(document.getElementById('main'),
                  { subtree: true, childList: true, characterData: true, attributes: true });
                """, output);
    }

    @SuppressWarnings("unchecked")
    List<String> seen() {
        return (List<String>) driver.executeScript("return window.seen;");
    }

    void shot(String name) throws Exception {
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    // ---- the steps ----

    @Test
    @Order(1)
    void theDashboardShowsTheOutputsAsControlsAndNoBookkeepingChannels() throws Exception {
        logInAs("admin");
        WebElement light = await(tile("light"));
        assertEquals("Hallway", light.findElement(By.xpath("ancestor::section[@data-room]")).getDomAttribute("data-room"));
        assertEquals("off", light.findElement(By.cssSelector(".val")).getText(), "the light starts in its safe state");
        WebElement sw = light.findElement(By.cssSelector("button[role=switch]"));
        assertEquals("false", sw.getDomAttribute("aria-checked"));
        assertTrue(sw.isEnabled());
        WebElement lamp = await(tile("lamp"));
        assertEquals("0 %", lamp.findElement(By.cssSelector(".val")).getText());
        WebElement slider = lamp.findElement(By.cssSelector("input[type=range]"));
        assertEquals("0", slider.getDomAttribute("min"));
        assertEquals("100", slider.getDomAttribute("max"));
        assertEquals("0 %", lamp.findElement(By.cssSelector("output")).getText(), "the slider's value is shown");
        // the device's bookkeeping (ack, outputs) and the outputs' own channels are no sensor tiles
        assertTrue(driver.findElements(By.cssSelector("a.tile[data-device='" + ID + "']")).isEmpty(),
                "sensor tiles: " + driver.findElements(By.cssSelector("a.tile[data-device='" + ID + "']")).stream()
                        .map(e -> e.getDomAttribute("data-channel")).toList());
        List<String> names = driver.findElements(By.cssSelector(".tile .ch")).stream().map(WebElement::getText).sorted().toList();
        assertEquals(List.of("heater", "lamp", "light"), names, "the only tiles are the outputs'");
        shot("outputs-01-dashboard");
    }

    @Test
    @Order(2)
    void flippingTheSwitchShowsPendingThenTheConfirmedStateAndSetsThePin() throws Exception {
        watch("light");
        driver.findElement(in("light", "button[role=switch]")).click();
        awaitText(in("light", ".val"), "on");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "done".equals(d.findElement(tile("light")).getDomAttribute("data-command")));
        List<String> seen = seen();
        assertEquals(" | - | off", seen.getFirst(), seen.toString());
        assertTrue(seen.contains("switching on… | pending | off"), "the tile showed the pending state before the device confirmed: " + seen);
        assertEquals(" | - | on", seen.getLast(), "then the confirmed state, no longer pending: " + seen);
        assertTrue(device.board.level(17), "the simulated pin is high");
        assertEquals("true", driver.findElement(in("light", "button[role=switch]")).getDomAttribute("aria-checked"));
        assertFalse(driver.findElement(tile("light")).getDomAttribute("class").contains("pending"));
        shot("outputs-02-light-on");
    }

    @Test
    @Order(3)
    void movingTheDimmersSliderShowsItsConfirmedLevel() throws Exception {
        watch("lamp");
        WebElement slider = driver.findElement(in("lamp", "input[type=range]"));
        int width = slider.getSize().getWidth();
        // a person drags the knob from the middle to about two fifths
        new Actions(driver).clickAndHold(slider).moveByOffset(-width / 10, 0).release().perform();
        int level = Integer.parseInt(slider.getDomProperty("value"));
        assertTrue(level > 20 && level < 60, "the slider is at " + level);
        awaitText(in("lamp", ".val"), level + " %");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "done".equals(d.findElement(tile("lamp")).getDomAttribute("data-command")));
        List<String> seen = seen();
        assertTrue(seen.contains("dimming to " + level + " %… | pending | 0 %"), "pending while the device dims: " + seen);
        assertEquals(" | - | " + level + " %", seen.getLast(), seen.toString());
        assertEquals(level, device.board.duty(18), 1e-9, "the PWM duty reached the level");
        assertEquals(level + " %", driver.findElement(in("lamp", "output")).getText());
        shot("outputs-03-lamp-dimmed");
    }

    @Test
    @Order(4)
    void aSwitchWhosePinFailsSaysWhyAndGoesBackToItsSafeState() throws Exception {
        watch("heater");
        driver.findElement(in("heater", "button[role=switch]")).click();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "failed".equals(d.findElement(tile("heater")).getDomAttribute("data-command")));
        String status = driver.findElement(in("heater", ".status")).getText();
        assertTrue(status.startsWith("failed: ") && status.contains(SHORTED), status);
        assertTrue(seen().contains("switching on… | pending | off"), seen().toString());
        assertEquals("off", driver.findElement(in("heater", ".val")).getText(), "the device reported its safe state");
        assertEquals("false", driver.findElement(in("heater", "button[role=switch]")).getDomAttribute("aria-checked"),
                "the switch went back to the confirmed state");
        assertTrue(driver.findElement(tile("heater")).getDomAttribute("class").contains("problem"));
        assertFalse(device.board.level(22), "the pin is in its safe state");
        shot("outputs-04-heater-failed");
    }

    @Test
    @Order(5)
    void aViewerSeesTheStateButCannotSwitch() throws Exception {
        int commands = gw.commands().recent(ID, 50).size();
        logInAs("guest");
        awaitText(in("light", ".val"), "on");
        WebElement sw = driver.findElement(in("light", "button[role=switch]"));
        WebElement slider = driver.findElement(in("lamp", "input[type=range]"));
        assertFalse(sw.isEnabled(), "a viewer's switch is disabled");
        assertFalse(slider.isEnabled(), "a viewer's slider is disabled");
        assertEquals("Only an admin can switch light", sw.getDomAttribute("title"));
        assertEquals("Only an admin can dim lamp", slider.getDomAttribute("title"));
        new Actions(driver).click(sw).perform(); // a click on a disabled control does nothing
        Thread.sleep(300);
        assertEquals("true", sw.getDomAttribute("aria-checked"));
        shot("outputs-05-viewer");
        // and the API itself refuses a viewer
        Api.Session viewer = api.login("guest", PASSWORD);
        var r = viewer.send("POST", "/api/v1/devices/" + ID + "/outputs/light", "{\"on\":false}");
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("viewers can't change anything"), r.body());
        assertEquals(commands, gw.commands().recent(ID, 50).size(), "nothing was sent for the viewer");
        assertTrue(device.board.level(17));
    }

    @Test
    @Order(6)
    void aCommandForADeviceThatWentAwayExpiresAndTheTileSaysSo() throws Exception {
        logInAs("admin");
        awaitText(in("light", ".val"), "on");
        device.close();
        watch("light");
        driver.findElement(in("light", "button[role=switch]")).click();
        awaitText(in("light", ".status"), "switching off…");
        assertEquals("false", driver.findElement(in("light", "button[role=switch]")).getDomAttribute("aria-checked"),
                "while pending the switch shows what was asked");
        // the lifetime is 2 s; the gateway sweeps every 250 ms
        awaitText(in("light", ".status"), "expired: the device did not answer");
        assertEquals("on", driver.findElement(in("light", ".val")).getText(), "the confirmed state did not change");
        assertEquals("true", driver.findElement(in("light", "button[role=switch]")).getDomAttribute("aria-checked"),
                "the switch is back at the confirmed state");
        String cls = driver.findElement(tile("light")).getDomAttribute("class");
        assertTrue(cls.contains("problem") && !cls.contains("pending"), cls);
        shot("outputs-06-expired");
    }

    @Test
    @Order(7)
    void theDevicePageListsItsOutputsWithTheirLastCommand() throws Exception {
        driver.get(base + "/#/device/" + ID);
        WebElement light = await(By.cssSelector("#outputs tr[data-output='light']"));
        assertEquals("switch", light.findElement(By.cssSelector(".kind")).getText());
        assertEquals("on", light.findElement(By.cssSelector(".state")).getText());
        assertTrue(light.findElement(By.cssSelector(".command")).getText().startsWith("off by admin"),
                light.findElement(By.cssSelector(".command")).getText());
        assertEquals("EXPIRED the device did not answer", light.findElement(By.cssSelector(".command-state")).getText());
        WebElement lamp = driver.findElement(By.cssSelector("#outputs tr[data-output='lamp']"));
        assertEquals("dimmer", lamp.findElement(By.cssSelector(".kind")).getText());
        String level = lamp.findElement(By.cssSelector(".state")).getText();
        assertTrue(level.matches("\\d+ %") && !level.equals("0 %"), level);
        assertTrue(lamp.findElement(By.cssSelector(".command")).getText().startsWith(level + " by admin"));
        assertEquals("DONE", lamp.findElement(By.cssSelector(".command-state")).getText());
        String heater = driver.findElement(By.cssSelector("#outputs tr[data-output='heater'] .command-state")).getText();
        assertTrue(heater.startsWith("FAILED ") && heater.contains(SHORTED), heater);
        // the bookkeeping channels are no charts
        List<String> charts = driver.findElements(By.cssSelector(".channels button")).stream().map(WebElement::getText).toList();
        assertFalse(charts.contains("ack") || charts.contains("outputs"), charts.toString());
        shot("outputs-07-device-page");
    }
}
