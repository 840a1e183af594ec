package dev.canopy.console;

import static dev.canopy.console.Browsers.click;
import static dev.canopy.console.Browsers.type;
import static dev.canopy.console.Browsers.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.platform.Ids;
import dev.canopy.platform.events.EventActor;
import dev.canopy.platform.events.EventEnvelope;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bell in headless Chromium: a notification appears in the header's count and at the top of the notifications
 * page without a reload, and is marked read and deleted there.
 */
class ConsoleNotificationsBrowserTest extends ApiTest {

    @Autowired
    ApplicationEventPublisher publisher;

    @Autowired
    PlatformTransactionManager transactions;

    @BeforeAll
    static void needsChromium() {
        Assumptions.assumeTrue(Browsers.available(), Browsers.missing());
    }

    @Test
    void aNotificationAppearsWithoutReloadAndIsReadAndDeleted() {
        TenantRef tenant = fixtures.tenant();
        Session ada = fixtures.userIn(tenant, "member");
        ChromeDriver browser = Browsers.shared();
        signIn(browser, ada.email());
        browser.get(url("/notifications"));
        waitFor(browser, By.cssSelector("[data-testid=no-notifications]"));
        assertThat(browser.findElement(By.cssSelector("[data-testid=unread-count]")).isDisplayed()).isFalse();
        // the page marks itself, so a reload would show
        browser.executeScript("document.body.dataset.loaded = 'once'");

        failed(tenant, ada, "live-in-browser");
        settle(browser, b -> "1".equals(
                b.findElement(By.cssSelector("[data-testid=unread-count]")).getText()));
        assertThat(waitFor(browser, By.cssSelector("[data-testid=notification-title]")).getText())
                .isEqualTo("Run failed: 'live-in-browser'");
        assertThat(browser.executeScript("return document.body.dataset.loaded")).as("no reload").isEqualTo("once");
        Browsers.screenshot(browser, "notification-live");

        // on another page the count is the one rendered with it; back on the notifications page the stream follows
        clickFresh(browser, By.cssSelector("[data-testid=profile-link]"));
        waitFor(browser, By.cssSelector("[data-testid=current-tenant]"));
        failed(tenant, ada, "second");
        settle(browser, b -> b.getCurrentUrl().endsWith("/profile"));
        clickFresh(browser, By.cssSelector("[data-testid=notification-bell]"));
        waitFor(browser, By.cssSelector("[data-testid=read-all]"));
        settle(browser, b -> b.findElements(By.cssSelector("[data-testid=notification]")).size() == 2);
        // each form posts, then the page comes back (post/redirect/get): wait for the new page before the next one
        clickFresh(browser, By.cssSelector("[data-testid=mark-read]"));
        settle(browser, b -> b.findElements(By.cssSelector("[data-testid=mark-read]")).size() == 1
                && "1".equals(b.findElement(By.cssSelector("[data-testid=unread-count]")).getText()));
        clickFresh(browser, By.cssSelector("[data-testid=read-all]"));
        settle(browser, b -> b.findElements(By.cssSelector("[data-testid=read-all]")).isEmpty()
                && !b.findElement(By.cssSelector("[data-testid=unread-count]")).isDisplayed());
        clickFresh(browser, By.cssSelector("[data-testid=delete]"));
        settle(browser, b -> b.findElements(By.cssSelector("[data-testid=notification]")).size() == 1);
    }

    /** Clicks what is there once the page has settled: a boosted swap may replace the element under the click. */
    private static void clickFresh(ChromeDriver browser, By by) {
        for (int attempt = 1;; attempt++) {
            try {
                click(browser, by);
                return;
            }
            catch (StaleElementReferenceException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private static void settle(ChromeDriver browser, java.util.function.Function<org.openqa.selenium.WebDriver,
            Boolean> condition) {
        new WebDriverWait(browser, Duration.ofSeconds(15)).ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    private void failed(TenantRef tenant, Session recipient, String name) {
        var data = JsonMapper.builder().build().createObjectNode();
        var run = Ids.newId();
        data.put("run_id", run.toString());
        data.put("requester_id", recipient.userId().toString());
        data.put("kind", "apply");
        var envelope = new EventEnvelope(Ids.newId(), "run.failed", 1, java.time.Instant.now(), tenant.id(),
                EventActor.system("test"), new EventSubject("run", run, name), data);
        new TransactionTemplate(transactions).executeWithoutResult(s -> publisher.publishEvent(envelope));
    }

    private void signIn(ChromeDriver browser, String email) {
        browser.get(url("/sign-in"));
        browser.manage().deleteAllCookies();
        browser.get(url("/sign-in"));
        type(browser, By.id("email"), email);
        type(browser, By.id("password"), Fixtures.PASSWORD);
        click(browser, By.xpath("//button[normalize-space()='Sign in']"));
        waitFor(browser, By.cssSelector("[data-testid=current-tenant]"));
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
