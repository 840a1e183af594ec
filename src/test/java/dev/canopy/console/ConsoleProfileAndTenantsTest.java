package dev.canopy.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Mailbox;

/** Profile, tenants, password reset and invitation pages over real HTTP, with their bad input. */
class ConsoleProfileAndTenantsTest extends ApiTest {

    private static final Pattern SECRET = Pattern.compile("data-testid=\"api-key-secret\">(cnp_[^<]+)<");
    private static final Pattern VERSION = Pattern.compile("name=\"version\" value=\"(\\d+)\"");

    @Test
    void profileChangesTheNameAndRefusesBadPasswords() {
        var tenant = fixtures.tenant();
        String email = Fixtures.unique("profile") + "@example.com";
        fixtures.addUser(tenant, email, "member");
        var browser = new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);
        String page = browser.get("/profile").body();
        var version = VERSION.matcher(page);
        assertThat(version.find()).isTrue();
        var renamed = browser.post("/profile/name", "full_name", "Renée Renamed", "version", version.group(1));
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.body()).contains("Your name is saved.").contains("Renée Renamed");
        var stale = browser.post("/profile/name", "full_name", "Again", "version", version.group(1));
        assertThat(stale.status()).isEqualTo(409);
        var blank = browser.post("/profile/name", "full_name", " ", "version", "1");
        assertThat(blank.status()).isEqualTo(422);
        assertThat(blank.body()).contains("id=\"full_name-error\"");
        var tooLong = browser.post("/profile/name", "full_name", "x".repeat(201), "version", "1");
        assertThat(tooLong.status()).isEqualTo(422);

        var wrong = browser.post("/profile/password", "current_password", "wrong-password-123",
                "new_password", "another-long-password-9");
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.body()).contains("id=\"current_password-error\"").contains("is not your current password");
        var weak = browser.post("/profile/password", "current_password", Fixtures.PASSWORD, "new_password", "short");
        assertThat(weak.status()).isEqualTo(400);
        assertThat(weak.body()).contains("id=\"new_password-error\"");
        var badCode = browser.post("/profile/mfa/confirm", "code", "12ab");
        assertThat(badCode.status()).isEqualTo(422);
    }

    @Test
    void apiKeysAreShownOnceAndTheirSecretNeverReachesTheAuditLog() {
        var tenant = fixtures.tenant();
        String email = Fixtures.unique("keys") + "@example.com";
        fixtures.addUser(tenant, email, "tenant_admin");
        var browser = new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);
        browser.get("/profile");
        var created = browser.post("/profile/api-keys", "name", "ci", "roles", "member");
        assertThat(created.status()).isEqualTo(200);
        var secret = SECRET.matcher(created.body());
        assertThat(secret.find()).isTrue();
        assertThat(api.get("/api/v1/users", secret.group(1)).status()).as("the key works").isEqualTo(200);
        assertThat(browser.get("/profile").body()).doesNotContain(secret.group(1));
        String audit = browser.get("/audit?action=api_key.").body();
        assertThat(audit).contains("api_key.created").doesNotContain(secret.group(1));
        var none = browser.post("/profile/api-keys", "name", "");
        assertThat(none.status()).isEqualTo(422);
        assertThat(none.body()).contains("id=\"key_name-error\"").contains("id=\"key_roles-error\"");
        var foreign = browser.post("/profile/api-keys/" + UUID.randomUUID() + "/revoke");
        assertThat(foreign.status()).isEqualTo(404);
    }

    @Test
    void revokingAnotherSessionFromTheProfileEndsIt() {
        var tenant = fixtures.tenant();
        String email = Fixtures.unique("sessions") + "@example.com";
        fixtures.addUser(tenant, email, "member");
        var first = new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);
        var second = new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);
        var own = Pattern.compile("This browser</span>.*?/profile/sessions/([0-9a-f-]{36})/revoke", Pattern.DOTALL)
                .matcher(first.get("/profile").body());
        assertThat(own.find()).isTrue();
        String others = own.group(1);
        second.get("/profile");
        assertThat(first.get("/").status()).isEqualTo(200);
        assertThat(second.post("/profile/sessions/" + others + "/revoke").status()).isEqualTo(303);
        assertThat(first.get("/").status()).as("the first browser is signed out").isEqualTo(303);
        assertThat(second.get("/").status()).isEqualTo(200);
        var someoneElses = fixtures.userIn(tenant, "member");
        second.get("/profile");
        assertThat(second.post("/profile/sessions/" + UUID.randomUUID() + "/revoke").status()).isEqualTo(404);
        assertThat(someoneElses).isNotNull();
    }

    @Test
    void anMspAdministratorCreatesAndSuspendsAClientTenant() {
        var msp = fixtures.tenant();
        String email = Fixtures.unique("msp") + "@example.com";
        fixtures.addUser(msp, email, "tenant_admin");
        var browser = new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);
        browser.get("/tenants");
        String slug = Fixtures.unique("client");
        var created = browser.post("/tenants", "name", "Client " + slug, "slug", slug);
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.body()).contains("is created").contains(slug);
        var taken = browser.post("/tenants", "name", "Again", "slug", slug);
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.body()).contains("id=\"slug-error\"");
        var bad = browser.post("/tenants", "name", "", "slug", "Not A Slug");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body()).contains("id=\"name-error\"").contains("id=\"slug-error\"");

        var row = Pattern.compile("action=\"/tenants/([0-9a-f-]{36})/status\">\\s*<input type=\"hidden\" name=\"_csrf\""
                + " value=\"[^\"]+\"/>\\s*<input type=\"hidden\" name=\"version\" value=\"(\\d+)\"")
                .matcher(browser.get("/tenants?search=" + slug).body());
        assertThat(row.find()).isTrue();
        var suspended = browser.post("/tenants/" + row.group(1) + "/status", "status", "suspended", "version",
                row.group(2));
        assertThat(suspended.status()).isEqualTo(200);
        assertThat(suspended.body()).contains("is now suspended");
        var other = fixtures.tenant();
        assertThat(browser.post("/tenants/" + other.id() + "/status", "status", "suspended", "version", "1")
                .status()).as("another MSP's tenant").isEqualTo(404);
        assertThat(browser.post("/tenants/" + row.group(1) + "/status", "status", "deleted", "version", "1")
                .status()).isEqualTo(400);
    }

    @Test
    void passwordResetAndInvitationPagesWorkWithTheMailedLinks() {
        var tenant = fixtures.tenant();
        String email = Fixtures.unique("forgot") + "@example.com";
        fixtures.addUser(tenant, email, "member");
        var browser = new ConsoleClient(port);
        browser.get("/forgot-password");
        var sent = browser.post("/forgot-password", "email", email);
        assertThat(sent.status()).isEqualTo(200);
        assertThat(sent.body()).contains("If an account uses that address");
        var unknown = browser.post("/forgot-password", "email", Fixtures.unique("nobody") + "@example.com");
        assertThat(unknown.body()).contains("If an account uses that address");
        String link = Mailbox.awaitMessage(email, 1).link();
        assertThat(link).contains("/reset-password?token=");
        browser.get(link.substring(link.indexOf("/reset-password")));
        String token = Mailbox.awaitMessage(email, 1).token();
        assertThat(browser.post("/reset-password", "token", token, "new_password", "short").status()).isEqualTo(400);
        var done = browser.post("/reset-password", "token", token, "new_password", "a-fresh-password-after-reset");
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.body()).contains("Your password is changed");
        new ConsoleClient(port).signIn(email, "a-fresh-password-after-reset");

        var invalid = new ConsoleClient(port).get("/accept-invitation?token=nonsense");
        assertThat(invalid.status()).isEqualTo(404);
        assertThat(invalid.body()).contains("This invitation link is not valid");
    }
}
