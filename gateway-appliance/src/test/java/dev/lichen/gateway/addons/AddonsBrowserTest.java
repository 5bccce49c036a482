package dev.lichen.gateway.addons;

import static dev.lichen.gateway.addons.Rig.GatewayRig.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lichen.senml.Reading;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The add-ons page in a real headless Chromium against a real gateway and a real store server:
 * log in, add and trust the store, install with one click, the first visit summons the add-on,
 * update, a broken update rolled back, uninstall. Screenshots go to target/screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AddonsBrowserTest {
    static final Path SHOTS = Path.of("target", "screenshots");
    @TempDir static Path tmp;
    Rig.Store store;
    Rig.GatewayRig gw;
    ChromeDriver driver;

    @BeforeAll
    void start() throws Exception {
        var o = dev.lichen.gateway.testing.Chromium.options(tmp.resolve("chrome"), "1280,1000"); // before anything starts
        Files.createDirectories(SHOTS);
        store = new Rig.Store(tmp.resolve("store"));
        store.publish("plantcare", Map.of());
        gw = new Rig.GatewayRig(tmp.resolve("gw"), AddonHost.Config.defaults()); // the defaults: AOT cache on
        long now = System.currentTimeMillis();
        var soil = new ArrayList<Reading>();
        for (int i = 48; i >= 0; i--) soil.add(num("soil_moisture", "%", 45 + 4.0 * i / 24, now - i * 3_600_000L));
        gw.ingest("fern", "Living room", soil);
        driver = dev.lichen.gateway.testing.Chromium.start(o);
    }

    @AfterAll
    void stop() {
        if (driver != null) driver.quit();
        if (gw != null) gw.close();
        if (store != null) store.close();
    }

    WebElement await(By by, int seconds) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds)).until(d -> {
            var found = d.findElements(by);
            return found.isEmpty() || !found.getFirst().isDisplayed() ? null : found.getFirst();
        });
    }

    String awaitText(By by, String contains, int seconds) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds)).until(d -> {
            try {
                var found = d.findElements(by);
                String t = found.isEmpty() ? "" : found.getFirst().getText();
                return t.contains(contains) ? t : null;
            } catch (StaleElementReferenceException e) {
                return null;
            }
        });
    }

    /** Clicks, retrying when the page's periodic refresh replaced the element. */
    void click(By by) {
        new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> {
            try {
                d.findElement(by).click();
                return true;
            } catch (StaleElementReferenceException | org.openqa.selenium.NoSuchElementException e) {
                return false;
            }
        });
    }

    void shot(String name) throws Exception {
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void browseInstallSummonUpdateRollBackUninstall() throws Exception {
        driver.get(gw.base + "/");
        await(By.name("username"), 15).sendKeys("admin");
        driver.findElement(By.name("password")).sendKeys("correct horse battery staple");
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        awaitText(By.id("who-name"), "admin", 15);
        click(By.id("nav-addons"));

        await(By.id("store-url"), 10).sendKeys(store.url());
        click(By.id("add-store"));
        // the fingerprint shown is the store key's, and nothing can be installed before it is trusted
        assertEquals(store.fingerprint(), awaitText(By.cssSelector(".store .fingerprint"), " ", 10));
        awaitText(By.id("catalog"), "Trust the store's key to install", 10);
        shot("addons-01-untrusted-store");
        click(By.cssSelector(".store button.trust"));
        awaitText(By.cssSelector(".store .trusted"), "Trusted", 10);

        By card = By.cssSelector(".package[data-addon=plantcare]");
        String text = awaitText(card, "May read: soil moisture in every room", 10);
        assertTrue(text.contains("May raise alerts") && text.contains("KB download") || text.contains("MB download"), text);

        // an administrator who unticks a permission gets a refusal, and nothing is installed
        click(By.cssSelector(".package[data-addon=plantcare] input[data-key=raiseAlerts]"));
        click(By.cssSelector(".package[data-addon=plantcare] button.install"));
        assertTrue(awaitText(By.id("job-message"), "refused", 20).contains("did not grant: May raise alerts"));
        awaitText(By.id("installed"), "No add-ons installed yet", 10);

        click(By.cssSelector(".package[data-addon=plantcare] button.install"));
        awaitText(By.id("job-message"), "installed Plant care 1.0.0", 90);
        shot("addons-02-installed");
        By state = By.cssSelector("[data-installed=plantcare] .state");
        awaitText(state, "stopped", 10);

        click(By.cssSelector("[data-installed=plantcare] a.open"));
        String page = awaitText(By.id("plants"), "dry in about 5.0 days", 30);
        assertTrue(page.contains("fern") && page.contains("Living room"), page);
        shot("addons-03-plant-page-summoned");
        driver.navigate().back();
        awaitText(state, "running", 10);
        // it started from the AOT cache made at install time
        assertTrue(gw.installed("plantcare").path("log").toString().contains("with AOT cache"), gw.installed("plantcare").toString());
        assertTrue(!awaitText(By.cssSelector("[data-installed=plantcare] .rss"), "MB", 10).startsWith("0 MB"));

        store.publish("plantcare", Map.of("version", "1.1.0"));
        driver.navigate().refresh();
        click(By.cssSelector(".package[data-addon=plantcare] button.update"));
        awaitText(By.id("job-message"), "updated to Plant care 1.1.0", 90);
        awaitText(By.cssSelector("[data-installed=plantcare] .version"), "1.1.0", 10);

        store.publish("plantcare", Map.of("version", "1.2.0", "entryPoint", "dev.lichen.store.addons.plantcare.Gone"));
        driver.navigate().refresh();
        click(By.cssSelector(".package[data-addon=plantcare] button.update"));
        String rolled = awaitText(By.id("job-message"), "rolled back to 1.1.0", 90);
        assertTrue(rolled.contains("1.2.0 failed its health check"), rolled);
        awaitText(By.cssSelector("[data-installed=plantcare] .version"), "1.1.0", 10);
        awaitText(By.cssSelector("[data-installed=plantcare] .note"), "rolled back", 10);
        shot("addons-04-rolled-back");

        click(By.cssSelector("[data-installed=plantcare] button.uninstall"));
        awaitText(By.id("installed"), "No add-ons installed yet", 15);
        awaitText(By.id("message"), "Uninstalled Plant care", 5);
        assertTrue(gw.host.installed().isEmpty());
        shot("addons-05-uninstalled");
    }
}
