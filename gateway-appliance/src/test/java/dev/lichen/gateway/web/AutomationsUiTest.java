package dev.lichen.gateway.web;

import static dev.lichen.gateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lichen.gateway.Gateway;
import dev.lichen.gateway.GatewayConfig;
import dev.lichen.gateway.ingest.Protocol;
import dev.lichen.gateway.testing.ActingDevice;
import dev.lichen.gateway.testing.Api;
import dev.lichen.gateway.testing.Chromium;
import dev.lichen.gateway.web.auth.PasswordHasher;
import dev.lichen.senml.Batch;
import dev.lichen.senml.Reading;
import dev.lichen.senml.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Automations page in a real headless Chromium against the real gateway: a rule made through
 * the form only (picks and typing, no JSON), read back as a sentence, switched off and on, edited,
 * refused with the API's reason next to the field, run by a reading (the list follows live, the
 * real sensor appliance's light goes on on its simulated board), locked for a viewer, deleted.
 * Devices: "Hall", the sensor appliance with a light (switch, pin 17) and a lamp (dimmer, pin 18)
 * over MQTT/TLS with its own key; "Hall motion", a device whose motion readings the test puts into
 * the ingest pipeline itself (the gateway's tests have no sensor chips). The steps build on each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutomationsUiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PASSWORD = "a long hallway secret";
    static final String HALL = "hall-outputs";
    static final String MOTION = "hall-motion";
    static final Path SHOTS = Path.of("target", "screenshots");
    static final String SENTENCE = "When Hall motion's motion becomes 1: turn Hall's light on for 1 minute";
    static final Duration WITHIN = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    Gateway gw;
    Api api;
    String base;
    ChromeDriver driver;
    Api.Session admin;
    /** The sensor appliance as an image runs it, on a simulated board, with a light and a lamp. */
    ActingDevice hall;
    long motionSeq;
    long automationId;

    @BeforeAll
    void start() throws Exception {
        var options = Chromium.options(dir.resolve("chrome"), "1280,1000");
        Files.createDirectories(SHOTS);
        gw = Gateway.start(GatewayConfig.forTest(dir.resolve("gw")), List.of(new WebComponent(new PasswordHasher(PasswordHasher.MIN_ITERATIONS))));
        api = Api.of(gw);
        base = api.base;
        api.setup("admin", PASSWORD);
        admin = api.login("admin", PASSWORD);
        assertEquals(201, admin.send("POST", "/api/v1/users",
                "{\"username\":\"guest\",\"password\":\"" + PASSWORD + "\",\"role\":\"viewer\"}").statusCode());

        hall = new ActingDevice(dir, HALL, "mqtt", """
                [{"name": "light", "kind": "switch", "pin": 17}, {"name": "lamp", "kind": "dimmer", "pin": 18}]""").start(gw);
        until(WITHIN, () -> gw.deviceIdentities().key(HALL).isPresent() && gw.store().device(HALL).isPresent(), "the Hall device presented its key");
        var r = admin.send("POST", "/api/v1/devices/" + HALL + "/adopt",
                "{\"name\":\"Hall\",\"room\":\"Hallway\",\"fingerprint\":\"" + hall.fingerprint() + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        until(WITHIN, () -> gw.commands().outputs(HALL).size() == 2, "the device announced its outputs");

        motion(0); // no motion yet: the rule fires when it becomes 1
        r = admin.send("POST", "/api/v1/devices/" + MOTION + "/adopt", "{\"name\":\"Hall motion\",\"room\":\"Hallway\"}");
        assertEquals(200, r.statusCode(), r.body());

        driver = Chromium.start(options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    /** A motion reading from the Hall motion device, straight into the ingest pipeline, stored when this returns. */
    void motion(double v) throws Exception {
        var batch = new Batch(MOTION, "boot-test", motionSeq++, List.of(new Reading("motion", null, new Value.Number(v), System.currentTimeMillis())));
        gw.pipeline().submit(Protocol.COAP, batch, null).get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) driver.quit();
        if (hall != null) hall.close();
        if (gw != null) gw.close();
    }

    // ---- helpers ----

    /** The automations as the API has them. */
    JsonNode automations() {
        return admin.get("/api/v1/automations");
    }

    WebElement await(By by) {
        return new dev.lichen.gateway.testing.Page(driver, base).await(by);
    }

    void awaitText(By by, String expected) {
        new dev.lichen.gateway.testing.Page(driver, base).awaitText(by, expected);
    }

    void logInAs(String user) {
        new dev.lichen.gateway.testing.Page(driver, base).logInAs(user, PASSWORD);
    }

    /** Opens the Automations page from the navigation, as a person does. */
    void openAutomations() {
        driver.findElement(By.cssSelector("nav a[data-nav='automations']")).click();
        awaitText(By.cssSelector("main h1"), "Automations");
    }

    Select select(String css) {
        return new Select(await(By.cssSelector("#automation-form " + css)));
    }

    void type(String css, String text) {
        WebElement e = await(By.cssSelector("#automation-form " + css));
        e.clear();
        e.sendKeys(text);
    }

    /** Waits until the rule's switch shows this state (its row is drawn afresh when the rule changes). */
    void awaitSwitch(String checked) {
        new WebDriverWait(driver, Duration.ofSeconds(10), Duration.ofMillis(25)).ignoring(StaleElementReferenceException.class)
                .until(d -> checked.equals(d.findElement(item("button[role=switch]")).getDomAttribute("aria-checked")));
    }

    static By item(String css) {
        return By.cssSelector("#automation-list li.automation " + css);
    }

    void shot(String name) throws Exception {
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    // ---- the steps ----

    @Test
    @Order(1)
    void anAdminMakesARuleThroughTheFormAndReadsItAsASentence() throws Exception {
        logInAs("admin");
        openAutomations();
        awaitText(By.id("automation-none"), "No automations yet.");
        driver.findElement(By.id("automation-new")).click();
        awaitText(By.cssSelector("main h1"), "New automation");
        type("#automation-name", "Hall light on motion");
        assertEquals("a reading", select("select.trigger-kind").getFirstSelectedOption().getText(), "a reading sets it off unless chosen otherwise");
        select(".pane.reading select.device").selectByVisibleText("Hall motion");
        select(".pane.reading select.channel").selectByVisibleText("motion");
        select(".pane.reading select.op").selectByVisibleText("becomes");
        type(".pane.reading input.value", "1");
        // a new rule starts with one "set an output" action
        select(".action.set select.device").selectByVisibleText("Hall");
        select(".action.set select.output").selectByVisibleText("light");
        select(".action.set select.on").selectByVisibleText("on");
        type(".action.set input.minutes", "1");
        awaitText(By.id("automation-preview"), SENTENCE);
        shot("automations-01-form");
        driver.findElement(By.id("automation-save")).click();

        awaitText(item(".sentence"), SENTENCE);
        assertEquals("Hall light on motion", driver.findElement(item(".name")).getText());
        assertEquals("Has not run yet", driver.findElement(item(".last-run")).getText());
        assertEquals("true", driver.findElement(item("button[role=switch]")).getDomAttribute("aria-checked"));
        assertTrue(driver.findElement(By.id("automation-none")).getDomAttribute("hidden") != null);

        JsonNode list = automations();
        assertEquals(1, list.size(), list.toString());
        JsonNode a = list.get(0);
        automationId = a.get("id").asLong();
        assertTrue(a.get("enabled").asBoolean());
        assertEquals(JSON.readTree("""
                {"type": "reading", "device": "hall-motion", "channel": "motion", "op": "equals", "value": 1.0}"""), a.get("trigger"));
        assertEquals(0, a.get("conditions").size());
        assertEquals(JSON.readTree("""
                [{"type": "set", "device": "hall-outputs", "output": "light", "on": true, "forMinutes": 1.0}]"""), a.get("actions"));
        shot("automations-02-list");
    }

    @Test
    @Order(2)
    void theSwitchDisablesAndEnablesItAndTheApiFollows() throws Exception {
        driver.findElement(item("button[role=switch]")).click();
        awaitSwitch("false");
        awaitText(item(".tag"), "DISABLED");
        assertFalse(automations().get(0).get("enabled").asBoolean(), "the API has it disabled");
        driver.findElement(item("button[role=switch]")).click();
        awaitSwitch("true");
        assertTrue(driver.findElements(item(".tag")).isEmpty(), "no 'disabled' tag once enabled");
        assertTrue(automations().get(0).get("enabled").asBoolean(), "the API has it enabled again");
        awaitText(item(".sentence"), SENTENCE);
    }

    @Test
    @Order(3)
    void editingOpensTheRuleInTheFormAndSavesTheChange() throws Exception {
        driver.findElement(item("button.edit")).click();
        awaitText(By.cssSelector("main h1"), "Edit automation");
        assertEquals("Hall motion", select(".pane.reading select.device").getFirstSelectedOption().getText());
        assertEquals("motion", select(".pane.reading select.channel").getFirstSelectedOption().getText());
        assertEquals("light", select(".action.set select.output").getFirstSelectedOption().getText());
        awaitText(By.id("automation-preview"), SENTENCE);
        // only at night, and no more than once every 30 s
        driver.findElement(By.cssSelector("#automation-form button.add-time")).click();
        type("#automation-cooldown", "30");
        awaitText(By.id("automation-preview"), "When Hall motion's motion becomes 1, only between sunset and sunrise: "
                + "turn Hall's light on for 1 minute; at most once every 30 seconds");
        // ... on second thought, at any hour
        driver.findElement(By.cssSelector("#automation-form .condition button.remove")).click();
        driver.findElement(By.id("automation-save")).click();
        awaitText(item(".sentence"), SENTENCE + "; at most once every 30 seconds");
        assertEquals(30, automations().get(0).get("cooldownSeconds").asInt());
        assertEquals(0, automations().get(0).get("conditions").size());
    }

    @Test
    @Order(4)
    void aBadRuleShowsTheApisReasonNextToTheFieldAndIsNotSaved() throws Exception {
        driver.findElement(By.id("automation-new")).click();
        awaitText(By.cssSelector("main h1"), "New automation");
        type("#automation-name", "Lamp too bright");
        select(".pane.reading select.device").selectByVisibleText("Hall motion");
        type(".pane.reading input.value", "1");
        select(".action.set select.device").selectByVisibleText("Hall");
        select(".action.set select.output").selectByVisibleText("lamp");
        // a dimmer takes a level, not on/off
        assertFalse(driver.findElement(By.cssSelector("#automation-form .action.set select.on")).isDisplayed());
        type(".action.set input.level", "140");
        awaitText(By.id("automation-preview"), "When Hall motion's motion becomes 1: dim Hall's lamp to 140 %");
        driver.findElement(By.id("automation-save")).click();
        awaitText(By.id("automation-error"), "action 1's level: a level from 0 to 100");
        assertEquals("actions[0].level", driver.findElement(By.id("automation-error")).getDomAttribute("data-field"));
        WebElement level = driver.findElement(By.cssSelector("#automation-form .action.set input.level"));
        assertEquals("true", level.getDomAttribute("aria-invalid"), "the level is marked");
        assertEquals(level, driver.switchTo().activeElement(), "and has the focus");
        shot("automations-03-error");

        // a required pick left empty: the trigger's device
        type(".action.set input.level", "40");
        select(".pane.reading select.device").selectByVisibleText("choose a device");
        driver.findElement(By.id("automation-save")).click();
        awaitText(By.id("automation-error"), "the trigger's device: missing");
        assertEquals("true", driver.findElement(By.cssSelector("#automation-form .pane.reading select.device")).getDomAttribute("aria-invalid"));
        assertNull(level.getDomAttribute("aria-invalid"), "the level is fine now");
        assertEquals(1, automations().size(), "nothing bad was saved");
        driver.findElement(By.linkText("Cancel")).click();
        awaitText(item(".sentence"), SENTENCE + "; at most once every 30 seconds");
    }

    @Test
    @Order(5)
    void aReadingRunsItTheListFollowsLiveAndTheLightGoesOn() throws Exception {
        assertFalse(hall.board.level(17), "the light starts off");
        driver.executeScript("window.stillThisPage = true;");
        motion(1);
        new WebDriverWait(driver, Duration.ofSeconds(10), Duration.ofMillis(25)).ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElement(item(".last-run")).getText().startsWith("Last ran "));
        JsonNode a = automations().get(0);
        assertTrue(a.get("lastRun").isNumber(), a.toString());
        String reason = a.get("lastReason").asText();
        assertFalse(reason.isBlank(), a.toString());
        assertTrue(driver.findElement(item(".last-run")).getText().endsWith(": " + reason), driver.findElement(item(".last-run")).getText());
        assertEquals(Boolean.TRUE, driver.executeScript("return window.stillThisPage === true;"), "updated live, not by a reload");
        until(WITHIN, () -> hall.board.level(17), "the automation switched the Hall light on");

        driver.findElement(item("button.history")).click();
        WebElement row = await(item(".runs tbody tr"));
        assertEquals(reason, row.findElement(By.cssSelector(".reason")).getText());
        shot("automations-04-ran");
    }

    @Test
    @Order(6)
    void aViewerReadsTheRulesButCannotChangeThem() throws Exception {
        logInAs("guest");
        openAutomations();
        awaitText(item(".sentence"), SENTENCE + "; at most once every 30 seconds");
        WebElement create = driver.findElement(By.id("automation-new"));
        assertFalse(create.isEnabled());
        assertEquals("Only an admin can create automations", create.getDomAttribute("title"));
        WebElement sw = driver.findElement(item("button[role=switch]"));
        assertFalse(sw.isEnabled());
        assertEquals("Only an admin can enable or disable automations", sw.getDomAttribute("title"));
        WebElement edit = driver.findElement(item("button.edit"));
        assertFalse(edit.isEnabled());
        assertEquals("Only an admin can edit automations", edit.getDomAttribute("title"));
        WebElement delete = driver.findElement(item("button.delete"));
        assertFalse(delete.isEnabled());
        assertEquals("Only an admin can delete automations", delete.getDomAttribute("title"));
        assertTrue(driver.findElement(item("button.history")).isEnabled(), "a viewer may read the history");
        // the form's address leads a viewer back to the list
        driver.get(base + "/#/automations/new");
        awaitText(By.cssSelector("main h1"), "Automations");
        assertTrue(driver.findElements(By.id("automation-form")).isEmpty());
        shot("automations-05-viewer");

        Api.Session viewer = api.login("guest", PASSWORD);
        var stored = (com.fasterxml.jackson.databind.node.ObjectNode) automations().get(0);
        stored.remove(List.of("id", "lastRun", "lastReason"));
        String def = JSON.writeValueAsString(stored); // a valid definition: refused for who sends it, not what
        for (var r : List.of(viewer.send("POST", "/api/v1/automations", def),
                viewer.send("PUT", "/api/v1/automations/" + automationId, def),
                viewer.send("DELETE", "/api/v1/automations/" + automationId, null))) {
            assertEquals(403, r.statusCode(), r.body());
            assertTrue(r.body().contains("viewers can't change anything"), r.body());
        }
        assertEquals(1, automations().size());
    }

    @Test
    @Order(7)
    void anAdminDeletesItAfterConfirming() throws Exception {
        logInAs("admin");
        openAutomations();
        driver.findElement(item("button.delete")).click();
        var confirm = new WebDriverWait(driver, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent());
        assertEquals("Delete the automation “Hall light on motion”? It stops at once.", confirm.getText());
        confirm.dismiss();
        Thread.sleep(200);
        assertEquals(1, driver.findElements(item(".sentence")).size(), "dismissed: still there");
        driver.findElement(item("button.delete")).click();
        new WebDriverWait(driver, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent()).accept();
        awaitText(By.id("automation-none"), "No automations yet.");
        assertTrue(driver.findElements(item(".sentence")).isEmpty());
        assertEquals(0, automations().size());
    }
}
