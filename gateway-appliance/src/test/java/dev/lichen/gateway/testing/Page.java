package dev.lichen.gateway.testing;

import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** What the UI tests do with the gateway's page in a real Chromium: wait for what a person would see, log in. */
public final class Page {
    private final WebDriver driver;
    private final String base;

    public Page(WebDriver driver, String base) {
        this.driver = driver;
        this.base = base;
    }

    public WebElement await(By by) {
        return new WebDriverWait(driver, Duration.ofSeconds(10), Duration.ofMillis(25)).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Waits until the element's text is the one expected, and says what it showed if not. */
    public void awaitText(By by, String expected) {
        String[] seen = {null};
        try {
            // a view drawn again meanwhile leaves the element found stale: it is looked up afresh
            new WebDriverWait(driver, Duration.ofSeconds(10), Duration.ofMillis(25)).ignoring(StaleElementReferenceException.class).until(d -> {
                var found = d.findElements(by);
                seen[0] = found.isEmpty() ? null : found.getFirst().getText();
                return expected.equals(seen[0]);
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError(by + ": expected '" + expected + "', shows '" + seen[0] + "'", e);
        }
    }

    /** Logs out whoever is in, logs in on the page's form, and waits for the live stream. */
    public void logInAs(String user, String password) {
        driver.get(base + "/");
        if (!driver.findElements(By.id("logout")).isEmpty() && driver.findElement(By.id("logout")).isDisplayed()) {
            driver.findElement(By.id("logout")).click();
        }
        await(By.xpath("//h1[text()='Log in to Lichen']"));
        await(By.name("username")).sendKeys(user);
        driver.findElement(By.name("password")).sendKeys(password);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        awaitText(By.id("who-name"), user);
        await(By.cssSelector("body[data-live='up']")); // the live stream is open: the page follows it
    }
}
