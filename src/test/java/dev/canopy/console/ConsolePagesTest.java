package dev.canopy.console;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;

/** The console over real HTTP: cookie sessions, CSRF, permissions on pages, forms' bad input. */
class ConsolePagesTest extends ApiTest {

    private ConsoleClient browser() {
        return new ConsoleClient(port);
    }

    @Test
    void signedOutPagesSendToTheSignInPage() {
        var page = browser().get("/users");
        assertThat(page.status()).isIn(302, 303);
        assertThat(page.location()).isEqualTo("/sign-in");
        assertThat(browser().get("/sign-in").body()).contains("Sign in to Canopy").contains("name=\"_csrf\"");
    }

    @Test
    void signingInSetsHttpOnlySameSiteCookiesAndShowsTheDashboard() {
        var browser = browser();
        browser.get("/sign-in");
        var page = browser.post("/sign-in", "email", ADMIN_EMAIL, "password", ADMIN_PASSWORD);
        assertThat(page.status()).isIn(302, 303);
        assertThat(page.setCookies()).anySatisfy(c -> assertThat(c).startsWith("canopy_console=")
                .contains("HttpOnly").contains("SameSite=Lax").doesNotContain("Secure"));
        assertThat(page.setCookies()).anySatisfy(c -> assertThat(c).startsWith("canopy_console_refresh=")
                .contains("HttpOnly"));
        var dashboard = browser.get("/");
        assertThat(dashboard.status()).isEqualTo(200);
        assertThat(dashboard.body()).contains("Dashboard").contains("data-testid=\"current-role\"")
                .contains("href=\"/tenants\"").contains("href=\"/audit\"").doesNotContain("access_token");
    }

    @Test
    void wrongPasswordShowsAnErrorAndIsAudited() {
        var browser = browser();
        browser.get("/sign-in");
        var page = browser.post("/sign-in", "email", ADMIN_EMAIL, "password", "not the password at all");
        assertThat(page.status()).isEqualTo(401);
        assertThat(page.body()).contains("The email or password is wrong.");
        var empty = browser.post("/sign-in", "email", "", "password", "");
        assertThat(empty.status()).isEqualTo(422);
        assertThat(empty.body()).contains("id=\"email-error\"").contains("id=\"password-error\"");
    }

    @Test
    void formsWithoutTheCsrfTokenAreRefused() {
        var browser = browser().signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        var page = browser.postRaw("/sign-out");
        assertThat(page.status()).isEqualTo(403);
        assertThat(browser.get("/").status()).as("still signed in").isEqualTo(200);
        var login = browser().postRaw("/sign-in", "email", ADMIN_EMAIL, "password", ADMIN_PASSWORD);
        assertThat(login.status()).isEqualTo(403);
    }

    @Test
    void revokingTheSessionSignsTheBrowserOut() {
        var tenant = fixtures.tenant();
        String email = Fixtures.unique("console") + "@example.com";
        fixtures.addUser(tenant, email, "member");
        var browser = browser().signIn(email, Fixtures.PASSWORD);
        assertThat(browser.get("/").status()).isEqualTo(200);
        // the same person ends every session of theirs through the API
        var api = fixtures.login(email, Fixtures.PASSWORD, tenant.id());
        assertThat(this.api.post("/api/v1/auth/logout-all", api.accessToken(), null).status()).isEqualTo(204);
        var after = browser.get("/");
        assertThat(after.status()).isIn(302, 303);
        assertThat(after.location()).isEqualTo("/sign-in");
    }

    @Test
    void anExpiredAccessCookieIsRenewedWithTheRefreshCookie() {
        var browser = browser().signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        browser.forgetCookie("canopy_console");
        var page = browser.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.setCookies()).anySatisfy(c -> assertThat(c).startsWith("canopy_console="));
    }

    @Test
    void aViewerSeesNoAdminNavigationAndIsRefusedAdminPages() {
        var tenant = fixtures.tenant();
        String email = Fixtures.unique("viewer") + "@example.com";
        fixtures.addUser(tenant, email, "viewer");
        var browser = browser().signIn(email, Fixtures.PASSWORD);
        String dashboard = browser.get("/").body();
        assertThat(dashboard).contains("href=\"/users\"").doesNotContain("href=\"/audit\"")
                .doesNotContain("href=\"/tenants\"").doesNotContain("href=\"/roles\"");
        assertThat(browser.get("/users").body()).doesNotContain("Invite a user");
        assertThat(browser.get("/audit").status()).isEqualTo(403);
        assertThat(browser.get("/tenants").status()).isEqualTo(403);
        assertThat(browser.get("/users/invite").status()).isEqualTo(403);
        browser.get("/users");
        assertThat(browser.post("/users/invite", "email", "x@example.com", "roles", "member").status())
                .isEqualTo(403);
    }

    @Test
    void invitingValidatesTheFormAndOtherTenantsUsersAreNotFound() {
        var tenant = fixtures.tenant();
        var other = fixtures.tenant();
        String adminEmail = Fixtures.unique("admin") + "@example.com";
        fixtures.addUser(tenant, adminEmail, "tenant_admin");
        var outsider = fixtures.addUser(other, Fixtures.unique("outsider") + "@example.com", "member");
        var browser = browser().signIn(adminEmail, Fixtures.PASSWORD);
        browser.get("/users/invite");
        var bad = browser.post("/users/invite", "email", "not an email");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body()).contains("id=\"email-error\"").contains("must be an email address")
                .contains("id=\"roles-error\"");
        var unknownRole = browser.post("/users/invite", "email", "a@example.com", "roles", "emperor");
        assertThat(unknownRole.status()).isEqualTo(400);
        var tooLong = browser.post("/users/invite", "email", "a".repeat(400) + "@example.com", "roles", "member");
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(browser.get("/users/" + outsider.path("id").asString()).status()).isEqualTo(404);
        assertThat(browser.get("/users/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(browser.get("/users/not-a-uuid").status()).isEqualTo(400);
        browser.get("/users");
        assertThat(browser.post("/users/" + outsider.path("id").asString() + "/remove").status()).isEqualTo(404);
        var ok = browser.post("/users/invite", "email", Fixtures.unique("new") + "@example.com", "roles", "viewer");
        assertThat(ok.status()).isIn(302, 303);
        assertThat(api.get("/api/v1/invitations", fixtures.login(adminEmail, Fixtures.PASSWORD, tenant.id())
                .accessToken()).json().path("items")).hasSize(1);
    }

    @Test
    void switchingTenantRendersTheOtherTenantAtOnce() {
        var first = fixtures.tenant();
        var second = fixtures.tenant();
        String email = Fixtures.unique("switcher") + "@example.com";
        fixtures.addUser(first, email, "tenant_admin");
        fixtures.addUser(second, email, "viewer");
        var browser = browser().signIn(email, Fixtures.PASSWORD);
        String before = browser.get("/").body();
        assertThat(before).contains("Tenant " + first.slug()).contains("Tenant administrator");
        var switched = browser.post("/switch-tenant", "tenant_id", second.id().toString());
        assertThat(switched.status()).isIn(302, 303);
        String after = browser.get("/").body();
        assertThat(after).contains("data-testid=\"current-tenant\">Tenant " + second.slug())
                .contains("data-testid=\"current-role\">Viewer").doesNotContain("href=\"/audit\"");
        assertThat(browser.get("/audit").status()).isEqualTo(403);
        browser.get("/");
        var foreign = browser.post("/switch-tenant", "tenant_id", fixtures.tenant().id().toString());
        assertThat(foreign.status()).isEqualTo(403);
        var bad = browser.post("/switch-tenant", "tenant_id", "nonsense");
        assertThat(bad.status()).isEqualTo(400);
    }

    @Test
    void consoleActionsAreAudited() {
        var tenant = fixtures.tenant();
        String adminEmail = Fixtures.unique("auditor") + "@example.com";
        fixtures.addUser(tenant, adminEmail, "tenant_admin");
        var browser = browser().signIn(adminEmail, Fixtures.PASSWORD);
        browser.get("/users/invite");
        String invited = Fixtures.unique("audited") + "@example.com";
        assertThat(browser.post("/users/invite", "email", invited, "roles", "member").status()).isIn(302, 303);
        var audit = browser.get("/audit?action=invitation.");
        assertThat(audit.status()).isEqualTo(200);
        assertThat(audit.body()).contains("invitation.created").contains(invited);
        var export = browser.get("/audit/export?format=csv&action=invitation.");
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.body()).contains("invitation.created");
        browser.get("/audit");
        var verified = browser.post("/audit/verify");
        assertThat(verified.status()).isEqualTo(200);
        assertThat(verified.body()).contains("The chain is intact");
        assertThat(browser.get("/audit?from=yesterday").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/audit-events?action=invitation.created", fixtures.login(adminEmail,
                Fixtures.PASSWORD, tenant.id()).accessToken()).json().path("items")).hasSize(1);
        assertThat(obj()).isEmpty();
    }

    @Test
    void repeatedWrongPasswordsLockTheAddressAndSaySo() {
        String email = Fixtures.unique("locked") + "@example.com";
        var browser = browser();
        browser.get("/sign-in");
        for (int i = 0; i < 10; i++) {
            assertThat(browser.post("/sign-in", "email", email, "password", "wrong-password-" + i).status())
                    .isEqualTo(401);
        }
        var locked = browser.post("/sign-in", "email", email, "password", "wrong-password-x");
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.body()).contains("Too many failed sign-ins").contains("You can try again in");
    }

    @Test
    void anAdministratorChangesRolesAndRemovesMembersButKeepsTheLastAdministrator() {
        var tenant = fixtures.tenant();
        String adminEmail = Fixtures.unique("roles-admin") + "@example.com";
        var admin = fixtures.addUser(tenant, adminEmail, "tenant_admin");
        var member = fixtures.addUser(tenant, Fixtures.unique("roles-member") + "@example.com", "viewer");
        var browser = browser().signIn(adminEmail, Fixtures.PASSWORD);
        String memberId = member.path("id").asString();
        var version = java.util.regex.Pattern.compile("name=\"version\" value=\"(\\d+)\"")
                .matcher(browser.get("/users/" + memberId).body());
        assertThat(version.find()).isTrue();
        var saved = browser.post("/users/" + memberId + "/roles", "roles", "member", "version", version.group(1));
        assertThat(saved.status()).isEqualTo(200);
        assertThat(saved.body()).contains("The roles are saved.");
        assertThat(browser.get("/users?role=member").body()).contains(member.path("email").asString());
        assertThat(browser.get("/users?role=viewer").body()).doesNotContain(member.path("email").asString());
        var none = browser.post("/users/" + memberId + "/roles", "version", version.group(1));
        assertThat(none.status()).isEqualTo(422);
        assertThat(none.body()).contains("id=\"roles-error\"");

        String adminId = admin.path("id").asString();
        browser.get("/users/" + adminId);
        var last = browser.post("/users/" + adminId + "/remove");
        assertThat(last.status()).isEqualTo(409);
        assertThat(last.body()).contains("at least one tenant administrator");
        browser.get("/users/" + memberId);
        assertThat(browser.post("/users/" + memberId + "/remove").status()).isEqualTo(303);
        assertThat(browser.get("/users/" + memberId).status()).isEqualTo(404);
    }

    @Test
    void theRolesPageGroupsPermissionsAndFiltersThem() {
        var browser = browser().signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        String all = browser.get("/roles").body();
        assertThat(all).contains("Tenant administrator").contains("User Management").contains("users:create");
        String filtered = browser.get("/roles?filter=audit").body();
        assertThat(filtered).contains("audit:read").doesNotContain("users:create");
        assertThat(browser.get("/roles?filter=" + "x".repeat(101)).status()).isEqualTo(400);
    }
}
