package dev.canopy.console;

import static dev.canopy.console.Browsers.click;
import static dev.canopy.console.Browsers.type;
import static dev.canopy.console.Browsers.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.canopy.identity.internal.Totp;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Mailbox;

/**
 * The console in a real browser (headless Chromium), against the suite's one application context: signing in
 * with MFA, switching tenant, what a viewer sees, inviting and accepting in a second browser, the audit page,
 * and the dashboard at 375 px. Screenshots go to {@code target/screenshots/}.
 */
@Tag("full") // slow: left to the full build, -P full, which CI runs; the default build stays under 10 minutes
class ConsoleBrowserTest extends ApiTest {

    private ChromeDriver browser;

    @BeforeAll
    static void needsChromium() {
        Assumptions.assumeTrue(Browsers.available(), Browsers.missing());
    }

    @BeforeEach
    void freshCookies() {
        browser = Browsers.shared();
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.get(url("/sign-in"));
        browser.manage().deleteAllCookies();
    }

    @Test
    void signsInWithPasswordAndTotpCode() {
        var tenant = fixtures.tenant();
        String email = Fixtures.unique("mfa") + "@example.com";
        fixtures.addUser(tenant, email, "tenant_admin");
        signIn(browser, email, Fixtures.PASSWORD);

        // enrol from the profile page: QR code and key shown, confirmed with a code
        browser.get(url("/profile"));
        click(browser, By.xpath("//button[normalize-space()='Set up two-step verification']"));
        String secret = waitFor(browser, By.cssSelector("[data-testid=totp-secret]")).getText().trim();
        assertThat(browser.findElement(By.cssSelector("img.qr")).getAttribute("src")).startsWith("data:image/png");
        long step = freshStep();
        type(browser, By.id("code"), Totp.code(secret, step - 1));
        click(browser, By.xpath("//button[normalize-space()='Turn on']"));
        assertThat(waitFor(browser, By.cssSelector("[data-testid=recovery-codes]")).findElements(By.tagName("li")))
                .hasSize(10);

        click(browser, By.xpath("//button[normalize-space()='Sign out']"));
        waitFor(browser, By.id("email"));
        type(browser, By.id("email"), email);
        type(browser, By.id("password"), Fixtures.PASSWORD);
        click(browser, By.xpath("//button[normalize-space()='Sign in']"));
        waitFor(browser, By.id("code"));
        type(browser, By.id("code"), "000000".equals(Totp.code(secret, step)) ? "111111" : "000000");
        click(browser, By.xpath("//button[normalize-space()='Verify']"));
        assertThat(waitFor(browser, By.id("code-error")).getText()).contains("left");
        type(browser, By.id("code"), Totp.code(secret, step));
        click(browser, By.xpath("//button[normalize-space()='Verify']"));
        assertThat(waitFor(browser, By.cssSelector("[data-testid=current-tenant]")).getText())
                .isEqualTo("Tenant " + tenant.slug());
        Browsers.screenshot(browser, "signed-in-with-mfa");
    }

    @Test
    void switchingTenantShowsTheOtherTenantsUsersAndRoleAtOnce() {
        var first = fixtures.tenant();
        var second = fixtures.tenant();
        String email = Fixtures.unique("switch") + "@example.com";
        fixtures.addUser(first, email, "tenant_admin");
        fixtures.addUser(second, email, "viewer");
        String onlyInSecond = Fixtures.unique("second-only") + "@example.com";
        fixtures.addUser(second, onlyInSecond, "member");
        signIn(browser, email, Fixtures.PASSWORD);
        assertThat(text(browser, "current-role")).isEqualTo("Tenant administrator");
        assertThat(navLabels(browser)).contains("Users", "Roles", "Audit log", "Webhooks");

        new Select(browser.findElement(By.id("tenant-switch"))).selectByVisibleText("Tenant " + second.slug());
        click(browser, By.xpath("//button[normalize-space()='Switch']"));
        waitFor(browser, By.xpath("//*[@data-testid='current-tenant' and text()='Tenant " + second.slug() + "']"));
        assertThat(text(browser, "current-role")).isEqualTo("Viewer");
        assertThat(navLabels(browser)).contains("Users").doesNotContain("Audit log", "Roles", "Tenants");

        browser.get(url("/users"));
        assertThat(waitFor(browser, By.id("user-results")).getText()).contains(onlyInSecond);
        browser.navigate().refresh();
        assertThat(text(browser, "current-role")).as("no stale permissions after a reload").isEqualTo("Viewer");
        assertThat(navLabels(browser)).doesNotContain("Audit log");
        Browsers.screenshot(browser, "switched-tenant");
    }

    @Test
    void aViewerSeesNoAdminNavigationAndIsRefusedAdminPages() {
        var tenant = fixtures.tenant();
        String email = Fixtures.unique("viewer") + "@example.com";
        fixtures.addUser(tenant, email, "viewer");
        signIn(browser, email, Fixtures.PASSWORD);
        // viewers may read cloud accounts, the catalog and deployments, nothing of the administration
        assertThat(navLabels(browser)).containsExactly("Dashboard", "Users", "Cloud accounts", "Catalog",
                "Deployments", "Approvals", "Profile");
        browser.get(url("/users"));
        assertThat(browser.findElements(By.linkText("Invite a user"))).isEmpty();
        browser.get(url("/audit"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("403 Forbidden");
        browser.get(url("/users/invite"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("403 Forbidden");
        Browsers.screenshot(browser, "viewer-forbidden");
    }

    @Test
    void invitesAUserWhoAcceptsInAnotherBrowserAndTheAuditPageShowsIt() {
        var tenant = fixtures.tenant();
        String admin = Fixtures.unique("inviter") + "@example.com";
        fixtures.addUser(tenant, admin, "tenant_admin");
        signIn(browser, admin, Fixtures.PASSWORD);
        browser.get(url("/users/invite"));
        String invitee = Fixtures.unique("invitee") + "@example.com";
        type(browser, By.id("email"), invitee);
        click(browser, By.xpath("//button[normalize-space()='Send the invitation']"));
        assertThat(waitFor(browser, By.cssSelector("[data-testid=invited]")).getText()).contains(invitee);

        String link = Mailbox.awaitMessage(invitee, 1).link();
        ChromeDriver other = Browsers.start();
        try {
            other.get(link);
            assertThat(waitFor(other, By.tagName("main")).getText()).contains("Tenant " + tenant.slug())
                    .contains(invitee);
            type(other, By.id("full_name"), "Ina Invitee");
            type(other, By.id("password"), "short");
            click(other, By.xpath("//button[normalize-space()='Accept and join']"));
            assertThat(waitFor(other, By.id("password-error")).getText()).isNotBlank();
            type(other, By.id("password"), "a-brand-new-password-77");
            click(other, By.xpath("//button[normalize-space()='Accept and join']"));
            waitFor(other, By.cssSelector("[data-testid=accepted]"));
            signIn(other, invitee, "a-brand-new-password-77");
            assertThat(text(other, "current-role")).isEqualTo("Member");
            Browsers.screenshot(other, "invitation-accepted");
        }
        finally {
            other.quit();
        }

        browser.get(url("/users"));
        assertThat(waitFor(browser, By.id("user-results")).getText()).contains("Ina Invitee");
        browser.get(url("/audit"));
        List<String> actions = browser.findElements(By.cssSelector("[data-testid=audit-action]")).stream()
                .map(WebElement::getText).toList();
        assertThat(actions).contains("invitation.created", "invitation.accepted");
        Browsers.screenshot(browser, "audit-log");
    }

    @Test
    void createsACustomRoleAssignsItAndTheAuditPageShowsIt() {
        var tenant = fixtures.tenant();
        String admin = Fixtures.unique("role-admin") + "@example.com";
        fixtures.addUser(tenant, admin, "tenant_admin");
        String assignee = Fixtures.unique("rita") + "@example.com";
        String assigneeId = fixtures.addUser(tenant, assignee, "viewer").path("id").asString();
        signIn(browser, admin, Fixtures.PASSWORD);

        browser.get(url("/roles"));
        click(browser, By.linkText("Create a custom role"));
        type(browser, By.id("name"), "Release manager");
        type(browser, By.id("description"), "Ships to production");
        click(browser, By.cssSelector("input[name=permissions][value='users:list']"));
        click(browser, By.cssSelector("input[name=permissions][value='deployments:create:production']"));
        Browsers.screenshot(browser, "custom-role-form");
        click(browser, By.xpath("//button[normalize-space()='Create role']"));
        assertThat(waitFor(browser, By.cssSelector("[data-testid=notice]")).getText()).contains("The role is created.");
        String roleId = browser.getCurrentUrl().replaceAll(".*/roles/([0-9a-f-]{36}).*", "$1");

        browser.get(url("/users/" + assigneeId));
        click(browser, By.cssSelector("input[name=roles][value='" + roleId + "']"));
        click(browser, By.xpath("//button[normalize-space()='Save roles']"));
        waitFor(browser, By.xpath("//*[contains(text(), 'The roles are saved.')]"));

        browser.get(url("/users"));
        WebElement row = waitFor(browser, By.xpath("//tr[@data-testid='user-row'][td[contains(., '" + assignee + "')]]"));
        assertThat(row.getText()).contains("Release manager").contains("Viewer");
        Browsers.screenshot(browser, "custom-role-assigned");

        browser.get(url("/audit"));
        List<String> actions = browser.findElements(By.cssSelector("[data-testid=audit-action]")).stream()
                .map(WebElement::getText).toList();
        assertThat(actions).contains("role.created", "user.updated");
        Browsers.screenshot(browser, "custom-role-audit");
    }

    @Test
    void dashboardAt375PixelsWide() {
        signIn(browser, ADMIN_EMAIL, ADMIN_PASSWORD);
        browser.manage().window().setSize(new Dimension(375, 812));
        browser.get(url("/"));
        waitFor(browser, By.cssSelector("canvas[data-drawn]"));
        assertUsableOnAPhone("/");
        Browsers.screenshot(browser, "dashboard-375px");
        for (String page : List.of("/users", "/users/invite", "/roles", "/roles/new", "/groups",
                "/business-units", "/tenants", "/audit", "/profile")) {
            browser.get(url(page));
            waitFor(browser, By.tagName("h1"));
            assertUsableOnAPhone(page);
        }
    }

    @Test
    void theKeyboardReachesTheContentFirst() {
        signIn(browser, ADMIN_EMAIL, ADMIN_PASSWORD);
        browser.get(url("/users"));
        waitFor(browser, By.tagName("h1"));
        browser.findElement(By.tagName("body")).sendKeys(org.openqa.selenium.Keys.TAB);
        WebElement first = browser.switchTo().activeElement();
        assertThat(first.getText()).isEqualTo("Skip to content");
        first.sendKeys(org.openqa.selenium.Keys.ENTER);
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(b -> "main".equals(
                browser.switchTo().activeElement().getAttribute("id")));
        // then the page's own controls, in order: its first action, then the search field
        browser.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.TAB);
        assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Invite a user");
        browser.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.TAB);
        assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("search");
    }

    private void assertUsableOnAPhone(String page) {
        Long overflow = (Long) browser.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(overflow).as("no horizontal scrolling at 375 px on " + page + "; too wide: " + browser.executeScript(
                "const w = document.documentElement.clientWidth; const scrolls = e => { for (let p = e.parentElement; p; "
                        + "p = p.parentElement) { if (getComputedStyle(p).overflowX !== 'visible') return true; } "
                        + "return false; }; return [...document.querySelectorAll('body *')].filter(e => "
                        + "e.getBoundingClientRect().right > w + 1 && !scrolls(e)).slice(0, 5)"
                        + ".map(e => e.outerHTML.slice(0, 160));"))
                .isLessThanOrEqualTo(0L);
        List<String> unlabelled = browser.findElements(By.cssSelector("input:not([type=hidden]), select, textarea"))
                .stream().filter(e -> e.getAttribute("aria-label") == null
                        && browser.findElements(By.cssSelector("label[for='" + e.getAttribute("id") + "']")).isEmpty()
                        && e.findElements(By.xpath("ancestor::label")).isEmpty())
                .map(e -> e.getAttribute("outerHTML"))
                .toList();
        assertThat(unlabelled).as("every control has a label on " + page).isEmpty();
        List<String> nameless = browser.findElements(By.cssSelector("button, a[href]")).stream()
                .filter(e -> e.getText().isBlank() && e.getAttribute("aria-label") == null)
                .map(e -> e.getAttribute("outerHTML"))
                .filter(html -> !html.contains("class=\"skip\""))
                .toList();
        assertThat(nameless).as("every button and link has a name on " + page).isEmpty();
    }

    private void signIn(ChromeDriver b, String email, String password) {
        b.get(url("/sign-in"));
        type(b, By.id("email"), email);
        type(b, By.id("password"), password);
        click(b, By.xpath("//button[normalize-space()='Sign in']"));
        waitFor(b, By.cssSelector("[data-testid=current-tenant]"));
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }

    private static String text(ChromeDriver b, String testId) {
        return waitFor(b, By.cssSelector("[data-testid=" + testId + "]")).getText().trim();
    }

    private static List<String> navLabels(ChromeDriver b) {
        return b.findElements(By.cssSelector("nav.sidebar a")).stream().map(e -> e.getText().trim()).toList();
    }

    /** The current TOTP step, waiting first if it is about to end (the test needs it for a few seconds). */
    private static long freshStep() {
        long seconds = Instant.now().getEpochSecond();
        if (seconds % Totp.PERIOD_SECONDS > Totp.PERIOD_SECONDS - 8) {
            try {
                Thread.sleep((Totp.PERIOD_SECONDS - seconds % Totp.PERIOD_SECONDS + 1) * 1000L);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return Totp.step(Instant.now());
    }
}
