package dev.canopy.console;

import static dev.canopy.console.Browsers.click;
import static dev.canopy.console.Browsers.type;
import static dev.canopy.console.Browsers.waitFor;
import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;

import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.TenantRef;

/**
 * Cloud accounts and SSO settings in headless Chromium: connecting an account through the form (with a refused
 * first attempt whose errors show next to the fields and whose secret is not sent back), and the SSO page.
 */
class ConsoleCloudBrowserTest extends ApiTest {

    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    @BeforeAll
    static void needsChromium() {
        Assumptions.assumeTrue(Browsers.available(), Browsers.missing());
    }

    @Test
    void connectsAnAwsAccountThroughTheFormAndOpensTheSsoSettings() {
        TenantRef tenant = fixtures.tenant();
        String email = Fixtures.unique("cloudbrowser") + "@example.com";
        fixtures.addUser(tenant, email, "tenant_admin");
        ChromeDriver browser = Browsers.shared();
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.get(url("/sign-in"));
        browser.manage().deleteAllCookies();
        browser.get(url("/sign-in"));
        type(browser, By.id("email"), email);
        type(browser, By.id("password"), Fixtures.PASSWORD);
        click(browser, By.xpath("//button[normalize-space()='Sign in']"));
        waitFor(browser, By.cssSelector("[data-testid=current-tenant]"));

        click(browser, By.linkText("Cloud accounts"));
        assertThat(waitFor(browser, By.cssSelector("[data-testid=empty]")).getText()).contains("no cloud account yet");
        Browsers.screenshot(browser, "cloud-accounts-empty");
        click(browser, By.xpath("//main//a[normalize-space()='Connect a cloud account']"));
        click(browser, By.linkText("Amazon Web Services"));
        type(browser, By.id("name"), "billing");
        type(browser, By.id("settings.region"), "moon-1");
        click(browser, By.xpath("//label[normalize-space()='Access keys']/input"));
        assertThat(browser.findElement(By.id("credentials.role_arn.role_arn")).isDisplayed())
                .as("only the chosen authentication type's credentials show").isFalse();
        type(browser, By.id("credentials.access_keys.access_key_id"), "AKIAIOSFODNN7EXAMPLE");
        type(browser, By.id("credentials.access_keys.secret_access_key"), SECRET);
        click(browser, By.xpath("//button[normalize-space()='Connect']"));
        assertThat(waitFor(browser, By.id("settings.region-error")).getText()).contains("AWS region");
        assertThat(browser.getPageSource()).doesNotContain(SECRET);
        Browsers.screenshot(browser, "cloud-account-form-errors");

        type(browser, By.id("settings.region"), "us-east-1");
        assertThat(browser.findElement(By.id("credentials.access_keys.access_key_id")).getAttribute("value"))
                .as("credentials are typed again after a refused form").isEmpty();
        type(browser, By.id("credentials.access_keys.access_key_id"), "AKIAIOSFODNN7EXAMPLE");
        type(browser, By.id("credentials.access_keys.secret_access_key"), SECRET);
        click(browser, By.xpath("//button[normalize-space()='Connect']"));
        assertThat(waitFor(browser, By.cssSelector("[data-testid=credentials-hint]")).getText())
                .isEqualTo("access key AKIA…MPLE");
        assertThat(browser.getPageSource()).doesNotContain(SECRET);
        Browsers.screenshot(browser, "cloud-account-detail");

        click(browser, By.linkText("Single sign-on"));
        waitFor(browser, By.cssSelector("[data-testid=redirect-uri]"));
        Browsers.screenshot(browser, "sso-settings");
        browser.manage().window().setSize(new Dimension(375, 812));
        browser.navigate().refresh();
        waitFor(browser, By.cssSelector("[data-testid=sso-form]"));
        Browsers.screenshot(browser, "sso-settings-375");
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
