package dev.lichen.gateway.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** The UI tests' real browser: Debian's headless chromium through chromium-driver, with a profile of its own. */
public final class Chromium {
    public static final Path BINARY = Path.of("/usr/bin/chromium");
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {}

    /** The options every UI test starts from; fails, naming the packages, when Chromium is not installed. */
    public static ChromeOptions options(Path profile, String windowSize, String... extra) {
        if (!Files.isExecutable(BINARY) || !Files.isExecutable(DRIVER)) {
            throw new AssertionError("the UI tests need a real Chromium: install the Debian packages 'chromium' and 'chromium-driver' "
                    + "(expected " + BINARY + " and " + DRIVER + ")");
        }
        ChromeOptions o = new ChromeOptions();
        o.setBinary(BINARY.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=" + windowSize);
        o.addArguments(extra);
        return o;
    }

    public static ChromeDriver start(ChromeOptions options) {
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build(), options);
    }
}
