package dev.canopy.console;

import static dev.canopy.console.Browsers.click;
import static dev.canopy.console.Browsers.type;
import static dev.canopy.console.Browsers.waitFor;
import static dev.canopy.identity.sso.OidcProviderFixture.CLIENT_ID;
import static dev.canopy.identity.sso.OidcProviderFixture.issuer;
import static dev.canopy.identity.sso.OidcProviderFixture.nextSignIn;
import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.TenantRef;

/**
 * "Sign in with <provider>" in headless Chromium against a real OIDC provider (mock-oauth2-server): the tenant is
 * entered on the sign-in page, the browser goes to the provider and back, and lands on the console's dashboard.
 */
class ConsoleSsoBrowserTest extends ApiTest {

    @BeforeAll
    static void needsChromium() {
        Assumptions.assumeTrue(Browsers.available(), Browsers.missing());
    }

    @Test
    void signsInWithTheTenantsIdentityProviderAndLandsOnTheDashboard() {
        TenantRef tenant = fixtures.tenant();
        String issuerId = Fixtures.unique("bidp");
        Api.Response created = api.post("/api/v1/tenants/" + tenant.id() + "/sso/config",
                fixtures.platformAdmin().accessToken(), obj("preset", "generic", "issuer", issuer(issuerId),
                        "client_id", CLIENT_ID, "client_secret", "s3cret-" + issuerId, "auth_mode", "both",
                        "auto_provisioning", obj("enabled", true, "default_role", "member",
                                "group_role_mapping", obj("admins", "tenant_admin"))));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String email = Fixtures.unique("chromium") + "@example.org";

        ChromeDriver browser = Browsers.shared();
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.get(url("/sign-in"));
        browser.manage().deleteAllCookies();
        browser.get(url("/sign-in"));

        type(browser, By.id("tenant"), tenant.slug());
        click(browser, By.xpath("//button[normalize-space()='Continue with single sign-on']"));
        WebElement button = waitFor(browser, By.cssSelector("[data-testid=sso-sign-in]"));
        assertThat(button.getText()).isEqualTo("Sign in with localhost");
        nextSignIn(issuerId, "sub-" + email, email, List.of("admins"));
        button.click();

        assertThat(waitFor(browser, By.cssSelector("[data-testid=current-tenant]")).getText())
                .isEqualTo(tenant.json().path("name").asString());
        assertThat(browser.getCurrentUrl()).isEqualTo(url("/"));
        assertThat(browser.findElement(By.cssSelector("[data-testid=current-role]")).getText())
                .isEqualTo("Tenant administrator");
        assertThat(browser.manage().getCookieNamed("canopy_console")).isNotNull();
        assertThat(browser.manage().getCookieNamed("canopy_console").isHttpOnly()).isTrue();
        Browsers.screenshot(browser, "signed-in-with-sso");

        // a callback this browser did not start ends on a console page, not JSON
        browser.manage().deleteAllCookies();
        browser.get(url("/api/v1/auth/sso/callback?state=console.forged&code=x"));
        assertThat(waitFor(browser, By.cssSelector("[data-testid=error-message]")).getText())
                .contains("sign in again");
        Browsers.screenshot(browser, "sso-refused");
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
