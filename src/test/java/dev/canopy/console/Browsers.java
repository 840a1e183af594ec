package dev.canopy.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium for the console's browser tests: Debian's {@code chromium} driven through its
 * {@code chromedriver}, never downloaded. One browser serves every test (started on first use, quit when the
 * JVM ends); a second one is started only for scenarios that need a separate browser context.
 */
final class Browsers {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target/screenshots");

    private static ChromeDriver shared;

    private Browsers() {
    }

    static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    static String missing() {
        return "Browser tests skipped: no Chromium found (need " + CHROMIUM + " and " + CHROMEDRIVER
                + "; install with: apt-get install -y chromium chromium-driver)";
    }

    /** The browser every test shares, its cookies cleared for the test. */
    static synchronized ChromeDriver shared() {
        if (shared == null) {
            shared = start();
            ChromeDriver browser = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(browser::quit));
        }
        return shared;
    }

    /** A browser of its own (another cookie jar): the caller quits it. */
    static ChromeDriver start() {
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--disable-extensions", "--no-first-run");
        var service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        var driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return driver;
    }

    static Path screenshot(ChromeDriver browser, String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path target = SCREENSHOTS.resolve(name + ".png");
            Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), target,
                    StandardCopyOption.REPLACE_EXISTING);
            return target;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The element once visible; else a failure showing the page the browser is on. */
    static WebElement waitFor(ChromeDriver browser, By by) {
        try {
            return new WebDriverWait(browser, Duration.ofSeconds(15))
                    .until(ExpectedConditions.visibilityOfElementLocated(by));
        }
        catch (TimeoutException e) {
            throw new AssertionError("Not found: " + by + " on " + browser.getCurrentUrl() + ":\n"
                    + browser.getPageSource(), e);
        }
    }

    static void type(ChromeDriver browser, By by, String text) {
        WebElement field = waitFor(browser, by);
        field.clear();
        field.sendKeys(text);
    }

    static void click(ChromeDriver browser, By by) {
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.elementToBeClickable(by)).click();
    }
}
