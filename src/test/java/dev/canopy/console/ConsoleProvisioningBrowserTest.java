package dev.canopy.console;

import static dev.canopy.console.Browsers.click;
import static dev.canopy.console.Browsers.type;
import static dev.canopy.console.Browsers.waitFor;
import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.canopy.provisioning.Provisioning;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/**
 * Production in headless Chromium: one user requests a deployment from the catalog, two others approve it from
 * their inbox, and the run page's live log follows the playbook to its end.
 */
@Tag("full") // slow (engines, second instances, long waits): left to the full build, -P full, which CI runs
class ConsoleProvisioningBrowserTest extends ApiTest {

    @TempDir
    Path target;

    @BeforeAll
    static void needsChromium() {
        Assumptions.assumeTrue(Browsers.available(), Browsers.missing());
    }

    @Test
    void aProductionDeploymentIsRequestedApprovedTwiceAndItsLogFollowedToTheEnd() throws Exception {
        TenantRef tenant = fixtures.tenant();
        String requester = Fixtures.unique("requester") + "@example.com";
        String first = Fixtures.unique("approver") + "@example.com";
        String second = Fixtures.unique("approver") + "@example.com";
        for (String email : List.of(requester, first, second)) {
            fixtures.addUser(tenant, email, "tenant_admin");
        }
        Session admin = fixtures.login(requester, Fixtures.PASSWORD, tenant.id());
        var provisioning = new Provisioning(api);
        String template = provisioning.template(admin, Provisioning.FILES_PLAYBOOK, null);
        String production = provisioning.environment(admin, "production");
        JsonNode env = api.get("/api/v1/environments/" + production, admin.accessToken()).json();
        api.patch("/api/v1/environments/" + production, admin.accessToken(), obj("protection",
                obj("required_approvals", 2, "approver_roles", List.of("tenant_admin")), "version",
                env.path("version").asLong()));

        ChromeDriver browser = Browsers.shared();
        browser.manage().window().setSize(new Dimension(1280, 900));
        signIn(browser, requester);
        browser.get(url("/catalog/" + template));
        click(browser, By.cssSelector("[data-testid=deploy]"));
        String name = "browser-" + UUID.randomUUID().toString().substring(0, 8);
        type(browser, By.id("deployment_name"), name);
        new Select(waitFor(browser, By.id("deployment_environment"))).selectByValue(production);
        // each change re-renders the input fields (conditional ones come and go): let each refresh land first
        typeAndSettle(browser, "input-target", target.toString());
        typeAndSettle(browser, "input-message", "approved twice");
        Browsers.screenshot(browser, "provision-form");
        click(browser, By.xpath("//button[normalize-space()='Deploy']"));
        waitFor(browser, By.cssSelector("[data-testid=run-state]"));
        String runPath = browser.getCurrentUrl().substring(browser.getCurrentUrl().indexOf("/runs/"));
        provisioning.await(admin, runPath.substring("/runs/".length()), "awaiting_approval");
        browser.navigate().refresh();
        assertThat(waitFor(browser, By.cssSelector("[data-testid=run-state]")).getText())
                .isEqualTo("awaiting_approval");
        assertThat(browser.findElements(By.cssSelector("[data-testid=approve]"))).as("not one's own").isEmpty();

        for (String approver : List.of(first, second)) {
            signIn(browser, approver);
            browser.get(url("/approvals"));
            click(browser, By.linkText(name));
            type(browser, By.id("comment"), "fine by " + approver);
            click(browser, By.cssSelector("[data-testid=approve]"));
            assertThat(waitFor(browser, By.cssSelector("[data-testid=notice]")).getText()).contains("approved");
        }
        Browsers.screenshot(browser, "run-approved");
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(ExpectedConditions.textToBe(
                By.cssSelector("[data-testid=run-state]"), "succeeded"));
        assertThat(browser.findElement(By.cssSelector("[data-testid=run-log]")).getText())
                .contains("TASK [write the message]", "apply succeeded");
        assertThat(browser.findElement(By.cssSelector("[data-testid=approvals]")).getText()).contains(first, second);
        Browsers.screenshot(browser, "run-succeeded");
        assertThat(Files.readString(target.resolve("tree/a/b/message.txt"))).isEqualTo("approved twice\n");
    }

    private static void typeAndSettle(ChromeDriver browser, String id, String text) {
        type(browser, By.id(id), text);
        browser.findElement(By.id("deployment_name")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).ignoring(StaleElementReferenceException.class)
                .until(b -> text.equals(b.findElement(By.id(id))
                .getDomProperty("value")) && b.findElements(By.cssSelector(".htmx-request")).isEmpty());
        Provisioning.sleep(300);
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
