package dev.canopy.console;

import static dev.canopy.identity.sso.OidcProviderFixture.CLIENT_ID;
import static dev.canopy.identity.sso.OidcProviderFixture.issuer;
import static dev.canopy.identity.sso.OidcProviderFixture.nextSignIn;
import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.AuditLog;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.TenantRef;

/**
 * The console's single sign-on over real HTTP: the settings page (forms, bad input, permission, write-only
 * client secret) and "Sign in with <provider>" against a real OIDC provider (mock-oauth2-server), ending in a
 * console session on the dashboard, with refusals as console pages.
 */
class ConsoleSsoTest extends ApiTest {

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    private static final String CLIENT_SECRET = "console-client-secret-Zq81";

    private ConsoleClient adminOf(TenantRef tenant) {
        String email = Fixtures.unique("ssoadmin") + "@example.com";
        fixtures.addUser(tenant, email, "tenant_admin");
        return new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);
    }

    /** A tenant whose single sign-on at its own issuer of the test provider is on, provisioning members. */
    private String ssoTenant(TenantRef tenant, String authMode) {
        String issuerId = Fixtures.unique("cidp");
        Api.Response created = api.post("/api/v1/tenants/" + tenant.id() + "/sso/config",
                fixtures.platformAdmin().accessToken(), obj("preset", "generic", "issuer", issuer(issuerId),
                        "client_id", CLIENT_ID, "client_secret", "s3cret-" + issuerId, "auth_mode", authMode,
                        "auto_provisioning", obj("enabled", true, "default_role", "member",
                                "allowed_email_domains", List.of("example.org"))));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return issuerId;
    }

    private static Map<String, String> query(String url) {
        var params = new java.util.LinkedHashMap<String, String>();
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    // ------------------------------------------------------------------ settings

    @Test
    void settingsAreCreatedValidatedAndTheClientSecretNeverShown() {
        TenantRef tenant = fixtures.tenant();
        ConsoleClient console = adminOf(tenant);
        assertThat(console.get("/").body()).contains("href=\"/settings/sso\"");
        var empty = console.get("/settings/sso");
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.body()).contains("no single sign-on yet").contains("/api/v1/auth/sso/callback")
                .contains("action=\"/settings/sso/create\"");

        var missing = console.post("/settings/sso/create", "preset", "generic", "client_id", "", "auth_mode", "both");
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.body()).contains("id=\"client_id-error\"");
        var wrong = console.post("/settings/sso/create", "preset", "generic", "issuer", "ftp://idp", "client_id",
                "x".repeat(256), "client_secret", CLIENT_SECRET, "auth_mode", "sometimes", "scopes", "profile",
                "auto_provisioning.allowed_email_domains", "not a domain!");
        assertThat(wrong.status()).isEqualTo(422);
        assertThat(wrong.body()).contains("id=\"client_id-error\"").contains("id=\"auth_mode-error\"")
                .doesNotContain(CLIENT_SECRET);
        var service = console.post("/settings/sso/create", "preset", "generic", "issuer", "ftp://idp", "client_id",
                "canopy", "client_secret", CLIENT_SECRET, "auth_mode", "both", "scopes", "profile",
                "auto_provisioning.allowed_email_domains", "not a domain!",
                "auto_provisioning.default_role", "emperor");
        assertThat(service.status()).isEqualTo(422);
        assertThat(service.body()).contains("id=\"issuer-error\"").contains("id=\"scopes-error\"")
                .contains("must include openid").contains("id=\"auto_provisioning.allowed_email_domains-error\"")
                .contains("id=\"auto_provisioning.default_role-error\"").doesNotContain(CLIENT_SECRET);
        var mapping = console.post("/settings/sso/create", "preset", "generic", "issuer", issuer("x"), "client_id",
                "canopy", "client_secret", CLIENT_SECRET, "auth_mode", "both",
                "auto_provisioning.group_role_mapping", "admins");
        assertThat(mapping.status()).isEqualTo(422);
        assertThat(mapping.body()).contains("id=\"auto_provisioning.group_role_mapping-error\"");
        var noSecret = console.post("/settings/sso/create", "preset", "generic", "issuer", issuer("x"), "client_id",
                "canopy", "auth_mode", "both");
        assertThat(noSecret.status()).isEqualTo(422);
        assertThat(noSecret.body()).contains("id=\"client_secret-error\"");
        assertThat(console.postRaw("/settings/sso/create", "preset", "generic").status()).as("no CSRF token")
                .isEqualTo(403);

        String issuerId = Fixtures.unique("settings");
        console.get("/settings/sso");
        var created = console.post("/settings/sso/create", "preset", "generic", "issuer", issuer(issuerId),
                "client_id", CLIENT_ID, "client_secret", CLIENT_SECRET, "auth_mode", "both",
                "auto_provisioning.enabled", "true", "auto_provisioning.default_role", "viewer",
                "auto_provisioning.allowed_email_domains", "example.org, @example.com",
                "auto_provisioning.group_role_mapping", "admins=tenant_admin\ndevs=member",
                "auto_provisioning.sync_attributes_on_login", "true");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.body()).contains("The single sign-on settings are saved.")
                .contains("value=\"example.org, example.com\"").contains("admins=tenant_admin")
                .contains("/sign-in?tenant=" + tenant.slug()).doesNotContain(CLIENT_SECRET);
        assertThat(console.get("/settings/sso").body()).contains("A secret is configured").doesNotContain(CLIENT_SECRET);
        List<AuditLog.Event> events = AuditLog.ofRequest(scopes, jdbc, tenant.id(),
                created.response().headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(events).extracting(AuditLog.Event::action).containsExactly("sso.config_created");
        assertThat(events.getFirst().details()).contains("client_id").doesNotContain(CLIENT_SECRET);
        var json = api.get("/api/v1/tenants/" + tenant.id() + "/sso/config", fixtures.platformAdmin().accessToken())
                .json();
        assertThat(json.path("auth_mode").asString()).isEqualTo("both");
        assertThat(json.path("auto_provisioning").path("group_role_mapping").path("devs").asString())
                .isEqualTo("member");

        var checked = console.post("/settings/sso/validate");
        assertThat(checked.status()).isEqualTo(200);
        assertThat(checked.body()).contains("data-testid=\"validation\"").contains("The provider accepts")
                .contains("discovery document");

        var kept = console.post("/settings/sso", "version", "0", "preset", "generic", "issuer", issuer(issuerId),
                "client_id", CLIENT_ID, "auth_mode", "both", "scopes", "openid email profile");
        assertThat(kept.status()).as(kept.body()).isEqualTo(200);
        assertThat(api.get("/api/v1/tenants/" + tenant.id() + "/sso/config", fixtures.platformAdmin().accessToken())
                .json().path("scopes").toString()).contains("profile");
        var stale = console.post("/settings/sso", "version", "0", "preset", "generic", "issuer", issuer(issuerId),
                "client_id", CLIENT_ID, "auth_mode", "both");
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.body()).contains("changed by someone else");
        var otherIssuer = console.post("/settings/sso", "version", "1", "preset", "generic", "issuer",
                issuer(issuerId + "-new"), "client_id", CLIENT_ID, "auth_mode", "both");
        assertThat(otherIssuer.status()).isEqualTo(422);
        assertThat(otherIssuer.body()).contains("id=\"client_secret-error\"").contains("issuer changes");

        var removed = console.post("/settings/sso/delete");
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.body()).contains("Single sign-on is removed");

        // SSO only: this administrator's own password session ends with the change (issue 19)
        console.get("/settings/sso");
        var ssoOnly = console.post("/settings/sso/create", "preset", "generic", "issuer", issuer(issuerId),
                "client_id", CLIENT_ID, "client_secret", CLIENT_SECRET, "auth_mode", "sso");
        assertThat(ssoOnly.status()).as(ssoOnly.body()).isEqualTo(200);
        assertThat(api.get("/api/v1/tenants/" + tenant.id() + "/sso/config", fixtures.platformAdmin().accessToken())
                .json().path("auth_mode").asString()).isEqualTo("sso");
        assertThat(console.get("/settings/sso").status()).as("signed out").isNotEqualTo(200);
    }

    @Test
    void onlyHoldersOfTheSsoPermissionSeeTheSettings() {
        TenantRef tenant = fixtures.tenant();
        ssoTenant(tenant, "both");
        String email = Fixtures.unique("ssomember") + "@example.com";
        fixtures.addUser(tenant, email, "member");
        ConsoleClient member = new ConsoleClient(port).signIn(email, Fixtures.PASSWORD);
        assertThat(member.get("/").body()).doesNotContain("href=\"/settings/sso\"");
        assertThat(member.get("/settings/sso").status()).isEqualTo(403);
        member.get("/");
        assertThat(member.post("/settings/sso", "version", "0", "client_id", "x").status()).isEqualTo(403);
        assertThat(member.post("/settings/sso/create", "client_id", "x").status()).isEqualTo(403);
        assertThat(member.post("/settings/sso/validate").status()).isEqualTo(403);
        assertThat(member.post("/settings/sso/delete").status()).isEqualTo(403);
        assertThat(api.get("/api/v1/tenants/" + tenant.id() + "/sso/config", fixtures.platformAdmin().accessToken())
                .status()).as("still configured").isEqualTo(200);
    }

    // ------------------------------------------------------------------ sign-in

    @Test
    void signingInWithTheProviderStartsAConsoleSessionOnTheDashboard() {
        TenantRef tenant = fixtures.tenant();
        String issuerId = ssoTenant(tenant, "both");
        String email = Fixtures.unique("ssoada") + "@example.org";
        ConsoleClient browser = new ConsoleClient(port);

        var signInPage = browser.get("/sign-in?tenant=" + tenant.slug());
        assertThat(signInPage.status()).isEqualTo(200);
        assertThat(signInPage.body()).contains("Sign in with localhost").contains(tenant.json().path("name").asString())
                .contains("name=\"password\"");
        var started = browser.get("/sign-in/sso/start?tenant=" + tenant.slug());
        assertThat(started.status()).isIn(302, 303);
        String authorize = started.response().headers().firstValue("Location").orElseThrow();
        assertThat(authorize).startsWith(issuer(issuerId) + "/authorize");
        Map<String, String> params = query(authorize);
        assertThat(params.get("state")).startsWith("console.");
        assertThat(params.get("code_challenge_method")).isEqualTo("S256");
        assertThat(params.get("redirect_uri")).isEqualTo("http://localhost:" + port + "/api/v1/auth/sso/callback");

        nextSignIn(issuerId, "sub-" + email, email, List.of("devs"));
        var atProvider = browser.getUrl(authorize);
        assertThat(atProvider.status()).isEqualTo(302);
        String callback = atProvider.response().headers().firstValue("Location").orElseThrow();
        var landed = browser.get(callback.substring(("http://localhost:" + port).length()));
        assertThat(landed.status()).as(landed.body()).isEqualTo(302);
        assertThat(landed.location()).isEqualTo("/");
        assertThat(landed.setCookies()).anySatisfy(c -> assertThat(c).startsWith("canopy_console=")
                .contains("HttpOnly"));
        assertThat(landed.setCookies()).noneSatisfy(c -> assertThat(c).startsWith("canopy_refresh="));
        var dashboard = browser.get("/");
        assertThat(dashboard.status()).isEqualTo(200);
        assertThat(dashboard.body()).contains("Dashboard").contains(tenant.json().path("name").asString())
                .contains("Person sub-" + email);
    }

    @Test
    void refusalsAreConsolePages() {
        TenantRef tenant = fixtures.tenant();
        String issuerId = ssoTenant(tenant, "sso");
        ConsoleClient browser = new ConsoleClient(port);

        var ssoOnly = browser.get("/sign-in?tenant=" + tenant.slug());
        assertThat(ssoOnly.body()).contains("signs in only through its identity provider")
                .doesNotContain("name=\"password\"");
        var unknown = browser.get("/sign-in?tenant=" + Fixtures.unique("nobody"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("id=\"tenant-error\"").contains("has no single sign-on");
        assertThat(browser.get("/sign-in?tenant=" + "x".repeat(500)).status()).isEqualTo(404);
        var noSso = browser.get("/sign-in/sso/start?tenant=" + fixtures.tenant().slug());
        assertThat(noSso.status()).isEqualTo(404);
        assertThat(noSso.body()).contains("<html").contains("SSO_NOT_CONFIGURED");

        // the provider says no
        var started = browser.get("/sign-in/sso/start?tenant=" + tenant.slug());
        assertThat(started.status()).isIn(302, 303);
        String state = query(started.response().headers().firstValue("Location").orElseThrow()).get("state");
        var denied = browser.get("/api/v1/auth/sso/callback?state=" + state + "&error=access_denied");
        assertThat(denied.status()).isEqualTo(401);
        assertThat(denied.response().headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(denied.body()).contains("Single sign-on failed").contains("access_denied")
                .contains("href=\"/sign-in\"");

        // a state that is unknown, or used twice
        var invalid = browser.get("/api/v1/auth/sso/callback?state=console.forged&code=abc");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body()).contains("<html").contains("SSO_STATE_INVALID").contains("sign in again");
        var replayed = browser.get("/api/v1/auth/sso/callback?state=" + state + "&code=abc");
        assertThat(replayed.status()).isEqualTo(400);
        assertThat(replayed.body()).contains("SSO_STATE_INVALID");
        assertThat(browser.get("/").status()).as("not signed in").isIn(302, 303);

        // the API's own flow still answers problem+json
        assertThat(api.get("/api/v1/auth/sso/callback?state=forged&code=abc", null).header("Content-Type"))
                .startsWith("application/problem+json");

        // the provider is down
        TenantRef down = fixtures.tenant();
        Api.Response created = api.post("/api/v1/tenants/" + down.id() + "/sso/config",
                fixtures.platformAdmin().accessToken(), obj("preset", "generic", "issuer",
                        "http://127.0.0.1:9/nowhere", "client_id", CLIENT_ID, "client_secret", "s", "auth_mode",
                        "both"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        var unreachable = browser.get("/sign-in/sso/start?tenant=" + down.slug());
        assertThat(unreachable.status()).isEqualTo(502);
        assertThat(unreachable.body()).contains("<html").contains("SSO_PROVIDER_UNAVAILABLE");
        assertThat(issuerId).isNotBlank();
    }
}
