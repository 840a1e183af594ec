package dev.canopy.identity.sso;

import static dev.canopy.identity.sso.OidcProviderFixture.CLIENT_ID;
import static dev.canopy.identity.sso.OidcProviderFixture.issuer;
import static dev.canopy.identity.sso.OidcProviderFixture.nextSignIn;
import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import dev.canopy.support.SecretLogCapture;
import tools.jackson.databind.JsonNode;

/**
 * The SSO login against a real OIDC provider, driven as a browser drives it: Canopy's redirect, the provider's
 * authorize endpoint, the callback with its cookies, then the console's refresh for tokens.
 */
@ExtendWith(SecretLogCapture.class)
class SsoLoginTest extends ApiTest {

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    /** A tenant with SSO at its own issuer of the test provider. */
    record SsoTenant(TenantRef tenant, String issuerId) {

        String slug() {
            return tenant.slug();
        }
    }

    private SsoTenant ssoTenant(String authMode, Map<String, Object> autoProvisioning) {
        TenantRef tenant = fixtures.tenant();
        String issuerId = Fixtures.unique("idp");
        Api.Response created = api.post(config(tenant), fixtures.platformAdmin().accessToken(),
                obj("preset", "generic", "issuer", issuer(issuerId), "client_id", CLIENT_ID, "client_secret",
                        "s3cret-" + issuerId, "auth_mode", authMode, "auto_provisioning", autoProvisioning));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new SsoTenant(tenant, issuerId);
    }

    private static Map<String, Object> provisioning(Object... overrides) {
        var rules = new java.util.LinkedHashMap<String, Object>(obj("enabled", true, "default_role", "viewer",
                "allowed_email_domains", List.of("@example.org"), "group_role_mapping",
                Map.of("admins", "tenant_admin", "devs", "member"), "sync_attributes_on_login", true));
        rules.putAll(obj(overrides));
        return rules;
    }

    private static String config(TenantRef tenant) {
        return "/api/v1/tenants/" + tenant.id() + "/sso/config";
    }

    private JsonNode signedIn(SsoBrowser browser, Api.Response callback) {
        assertThat(callback.status()).as(callback.toString()).isEqualTo(302);
        assertThat(browser.cookie("canopy_refresh")).isNotBlank();
        Api.Response tokens = browser.tokens();
        assertThat(tokens.status()).as(tokens.toString()).isEqualTo(200);
        return tokens.json();
    }

    private JsonNode me(JsonNode tokens) {
        Api.Response me = api.get("/api/v1/auth/me", tokens.path("access_token").asString());
        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        return me.json();
    }

    private static List<String> rolesIn(JsonNode me, UUID tenantId) {
        for (JsonNode membership : me.path("memberships")) {
            if (membership.path("tenant").path("id").asString().equals(tenantId.toString())) {
                return strings(membership.path("roles"));
            }
        }
        return List.of();
    }

    /** The newest SSO audit record of the tenant: action, status, details. */
    private Map<String, Object> lastSsoAudit(UUID tenantId) {
        return scopes.inTenant(tenantId, () -> jdbc.sql("""
                select action, status, http_status, actor_email, details::text as details from audit_events
                 where tenant_id = ? and action like 'auth.sso%' order by seq desc limit 1
                """).param(tenantId).query().singleRow());
    }

    // ------------------------------------------------------------------ the happy path and role sync

    @Test
    void firstLoginProvisionsTheUserWithTheMappedRoleAndASessionLikeAPasswordLogin() {
        SsoTenant sso = ssoTenant("both", provisioning());
        String email = Fixtures.unique("ada") + "@example.org";
        nextSignIn(sso.issuerId(), "sub-" + email, email, List.of("devs", "unmapped"));
        var browser = new SsoBrowser(api);

        Api.Response started = browser.start(sso.slug(), "/environments?view=all");
        assertThat(started.status()).as(started.toString()).isEqualTo(302);
        Map<String, String> authorize = SsoBrowser.query(started.header("Location"));
        assertThat(started.header("Location")).startsWith(issuer(sso.issuerId()) + "/authorize?");
        assertThat(authorize).containsEntry("response_type", "code").containsEntry("client_id", CLIENT_ID)
                .containsEntry("code_challenge_method", "S256")
                .containsEntry("redirect_uri", api.base() + "/api/v1/auth/sso/callback")
                .containsKeys("state", "nonce", "code_challenge");
        assertThat(authorize.get("scope").split(" ")).contains("openid", "email");
        assertThat(authorize.get("state")).hasSizeGreaterThanOrEqualTo(43).isNotEqualTo(authorize.get("nonce"));
        assertThat(browser.cookie("canopy_sso_state")).isEqualTo(authorize.get("state"));
        assertThat(started.header("Set-Cookie")).contains("HttpOnly").contains("SameSite=Lax");

        Api.Response callback = browser.callback(browser.authorize(started));

        assertThat(callback.status()).as(callback.toString()).isEqualTo(302);
        assertThat(callback.header("Location")).isEqualTo(api.base() + "/environments?view=all");
        assertThat(callback.headerValues("Set-Cookie")).anySatisfy(c -> assertThat(c).startsWith("canopy_refresh=")
                .contains("HttpOnly").contains("SameSite=Strict").contains("Path=/api/v1/auth"));
        JsonNode tokens = signedIn(browser, callback);
        assertThat(tokens.path("token_type").asString()).isEqualTo("Bearer");
        assertThat(tokens.path("tenant").path("id").asString()).isEqualTo(sso.tenant().id().toString());
        assertThat(tokens.path("user").path("email").asString()).isEqualTo(email);
        JsonNode me = me(tokens);
        assertThat(me.path("user").path("full_name").asString()).isEqualTo("Person sub-" + email);
        assertThat(rolesIn(me, sso.tenant().id())).containsExactly("member");

        Map<String, Object> audit = lastSsoAudit(sso.tenant().id());
        assertThat(audit).containsEntry("action", "auth.sso_login").containsEntry("status", "success")
                .containsEntry("actor_email", email);
        assertThat((String) audit.get("details")).contains("\"provisioned\": true").contains("sub-" + email);
    }

    @Test
    void aLaterLoginWithOtherGroupsChangesTheRolesAndKeepsTheSameUser() {
        SsoTenant sso = ssoTenant("both", provisioning());
        fixtures.userIn(sso.tenant(), "tenant_admin"); // so that the SSO user is not the last administrator
        String email = Fixtures.unique("grace") + "@example.org";
        String subject = "sub-" + email;

        nextSignIn(sso.issuerId(), subject, email, List.of("devs"));
        var first = new SsoBrowser(api);
        JsonNode firstTokens = signedIn(first, first.signIn(sso.slug()));
        assertThat(rolesIn(me(firstTokens), sso.tenant().id())).containsExactly("member");

        nextSignIn(sso.issuerId(), subject, email, List.of("admins", "devs"));
        var second = new SsoBrowser(api);
        JsonNode secondTokens = signedIn(second, second.signIn(sso.slug()));
        assertThat(secondTokens.path("user").path("id").asString())
                .isEqualTo(firstTokens.path("user").path("id").asString());
        assertThat(rolesIn(me(secondTokens), sso.tenant().id())).containsExactly("member", "tenant_admin");
        assertThat((String) lastSsoAudit(sso.tenant().id()).get("details")).contains("\"provisioned\": false");

        nextSignIn(sso.issuerId(), subject, email, List.of());
        var third = new SsoBrowser(api);
        assertThat(rolesIn(me(signedIn(third, third.signIn(sso.slug()))), sso.tenant().id()))
                .containsExactly("viewer");
        // the sessions are ordinary ones: the first session's token still works
        assertThat(api.get("/api/v1/auth/me", firstTokens.path("access_token").asString()).status()).isEqualTo(200);
    }

    @Test
    void theSamePersonMayHaveDifferentSubjectsInDifferentTenantsAndIsOneUser() {
        SsoTenant a = ssoTenant("both", provisioning());
        SsoTenant b = ssoTenant("both", provisioning());
        String email = Fixtures.unique("lin") + "@example.org";
        nextSignIn(a.issuerId(), "in-a", email, List.of("devs"));
        nextSignIn(b.issuerId(), "in-b", email, List.of("admins"));
        var browser = new SsoBrowser(api);
        JsonNode inA = signedIn(browser, browser.signIn(a.slug()));
        var other = new SsoBrowser(api);
        JsonNode inB = signedIn(other, other.signIn(b.slug()));

        assertThat(inB.path("user").path("id").asString()).isEqualTo(inA.path("user").path("id").asString());
        JsonNode me = me(inB);
        assertThat(rolesIn(me, a.tenant().id())).containsExactly("member");
        assertThat(rolesIn(me, b.tenant().id())).containsExactly("tenant_admin");
        // a session the provider of B vouched for is valid in B only
        Api.Response switched = api.post("/api/v1/auth/switch-tenant", inB.path("access_token").asString(),
                obj("tenant_id", a.tenant().id().toString()));
        assertProblem(switched, 403, "SSO_SESSION_TENANT_BOUND");
        // nor can it change what belongs to the account across tenants
        String token = inB.path("access_token").asString();
        assertProblem(api.post("/api/v1/auth/mfa/totp/enroll", token, null), 403, "SSO_SESSION_TENANT_BOUND");
        assertProblem(api.patch("/api/v1/auth/me", token, obj("full_name", "Someone Else", "version",
                me.path("user").path("version").asLong())), 403, "SSO_SESSION_TENANT_BOUND");
        assertThat(me(inB).path("user").path("full_name").asString()).isEqualTo(me.path("user").path("full_name")
                .asString());
    }

    @Test
    void twoSimultaneousFirstLoginsOfOnePersonBothSignInAsOneUser() throws Exception {
        SsoTenant sso = ssoTenant("both", provisioning());
        // a few rounds: each is one race, which the first login may win before the second looks
        for (int round = 0; round < 4; round++) {
            String email = Fixtures.unique("twice") + "@example.org";
            List<SsoBrowser> browsers = List.of(new SsoBrowser(api), new SsoBrowser(api));
            List<String> callbacks = new java.util.ArrayList<>();
            for (SsoBrowser browser : browsers) {
                nextSignIn(sso.issuerId(), "sub-" + email, email, List.of("devs"));
                callbacks.add(browser.authorize(browser.start(sso.slug(), null)));
            }
            var ready = new java.util.concurrent.CyclicBarrier(2);
            try (var threads = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                List<java.util.concurrent.Future<Api.Response>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    SsoBrowser browser = browsers.get(i);
                    String callback = callbacks.get(i);
                    answers.add(threads.submit(() -> {
                        ready.await();
                        return browser.callback(callback);
                    }));
                }
                List<String> users = new java.util.ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    Api.Response answer = answers.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS);
                    JsonNode tokens = signedIn(browsers.get(i), answer);
                    users.add(tokens.path("user").path("id").asString());
                    assertThat(rolesIn(me(tokens), sso.tenant().id())).containsExactly("member");
                }
                assertThat(users.get(0)).as("one account for the one person").isEqualTo(users.get(1));
            }
        }
    }

    @Test
    void anExistingMemberIsLinkedByEmailWithoutProvisioning() {
        SsoTenant sso = ssoTenant("both", Map.of("enabled", false));
        Session member = fixtures.userIn(sso.tenant(), "member");
        nextSignIn(sso.issuerId(), "sub-existing", member.email(), List.of());
        var browser = new SsoBrowser(api);
        JsonNode tokens = signedIn(browser, browser.signIn(sso.slug()));
        assertThat(tokens.path("user").path("id").asString()).isEqualTo(member.userId().toString());

        String stranger = Fixtures.unique("nobody") + "@example.org";
        nextSignIn(sso.issuerId(), "sub-stranger", stranger, List.of());
        var refused = new SsoBrowser(api);
        assertProblem(refused.signIn(sso.slug()), 403, "SSO_USER_NOT_PROVISIONED");
        assertThat(api.get("/api/v1/auth/me", null).status()).isEqualTo(401);
    }

    // ------------------------------------------------------------------ rules

    @Test
    void anEmailDomainNotAllowedIsRefusedAndAudited() {
        SsoTenant sso = ssoTenant("both", provisioning());
        nextSignIn(sso.issuerId(), "sub-mallory", "mallory@elsewhere.test", List.of("devs"));
        var browser = new SsoBrowser(api);

        Api.Response refused = browser.signIn(sso.slug());

        assertProblem(refused, 403, "SSO_DOMAIN_NOT_ALLOWED");
        assertThat(browser.cookie("canopy_refresh")).isNull();
        Map<String, Object> audit = lastSsoAudit(sso.tenant().id());
        assertThat(audit).containsEntry("action", "auth.sso_login_refused").containsEntry("status", "failure")
                .containsEntry("http_status", 403);
        assertThat((String) audit.get("details")).contains("SSO_DOMAIN_NOT_ALLOWED").contains("sub-mallory")
                .contains("mallory@elsewhere.test");
        assertThat(userExists("mallory@elsewhere.test")).isFalse();
    }

    @Test
    void aPersonInNoAllowedGroupIsRefused() {
        SsoTenant sso = ssoTenant("both", provisioning("allowed_groups", List.of("staff")));
        String email = Fixtures.unique("guest") + "@example.org";
        nextSignIn(sso.issuerId(), "sub-" + email, email, List.of("guests"));

        assertProblem(new SsoBrowser(api).signIn(sso.slug()), 403, "SSO_GROUP_NOT_ALLOWED");
        assertThat((String) lastSsoAudit(sso.tenant().id()).get("details")).contains("SSO_GROUP_NOT_ALLOWED");
        assertThat(userExists(email)).isFalse();

        nextSignIn(sso.issuerId(), "sub-" + email, email, List.of("guests", "staff"));
        var allowed = new SsoBrowser(api);
        assertThat(rolesIn(me(signedIn(allowed, allowed.signIn(sso.slug()))), sso.tenant().id()))
                .containsExactly("viewer");
    }

    // ------------------------------------------------------------------ state, code, ID token

    @Test
    void anUnknownMissingOrReplayedStateIsRefused() {
        SsoTenant sso = ssoTenant("both", provisioning());
        String email = Fixtures.unique("eve") + "@example.org";
        nextSignIn(sso.issuerId(), "sub-" + email, email, List.of("devs"));
        var browser = new SsoBrowser(api);
        String callback = browser.authorize(browser.start(sso.slug(), null));
        String state = SsoBrowser.query(callback).get("state");

        var forged = new SsoBrowser(api);
        forged.setCookie("canopy_sso_state", "made-up");
        assertProblem(forged.callback(api.base() + "/api/v1/auth/sso/callback?state=made-up&code=x"), 400,
                "SSO_STATE_INVALID");
        assertProblem(forged.callback(api.base() + "/api/v1/auth/sso/callback?code=x"), 400, "SSO_STATE_INVALID");

        signedIn(browser, browser.callback(callback));
        browser.setCookie("canopy_sso_state", state);
        Api.Response replayed = browser.callback(callback);
        assertProblem(replayed, 400, "SSO_STATE_INVALID");
        assertThat((String) lastSsoAudit(AuditPlatform.NIL).get("details")).contains("SSO_STATE_INVALID");
    }

    @Test
    void aCallbackInAnotherBrowserThanTheOneThatStartedIsRefused() {
        SsoTenant sso = ssoTenant("both", provisioning());
        var attacker = new SsoBrowser(api);
        String callback = attacker.authorize(attacker.start(sso.slug(), null));

        // the attacker sends the callback link to someone else, whose browser has no state cookie
        Api.Response refused = new SsoBrowser(api).callback(callback);

        assertProblem(refused, 400, "SSO_STATE_INVALID");
        assertThat(refused.json().path("detail").asString()).contains("not started in this browser");
        Map<String, Object> audit = lastSsoAudit(sso.tenant().id());
        assertThat(audit).containsEntry("action", "auth.sso_login_refused");
        // and the state is spent: the attacker cannot use it either
        assertProblem(attacker.callback(callback), 400, "SSO_STATE_INVALID");
    }

    @Test
    void aReplayedCodeIsRefused() {
        SsoTenant sso = ssoTenant("both", provisioning());
        String email = Fixtures.unique("rita") + "@example.org";
        nextSignIn(sso.issuerId(), "sub-" + email, email, List.of("devs"));
        var browser = new SsoBrowser(api);
        String firstCallback = browser.authorize(browser.start(sso.slug(), null));
        signedIn(browser, browser.callback(firstCallback));
        String usedCode = SsoBrowser.query(firstCallback).get("code");

        // a new login, finished with the code of the first one
        var again = new SsoBrowser(api);
        Api.Response started = again.start(sso.slug(), null);
        String state = SsoBrowser.query(started.header("Location")).get("state");
        Api.Response replayed = again.callback(api.base() + "/api/v1/auth/sso/callback?state=" + state + "&code="
                + java.net.URLEncoder.encode(usedCode, java.nio.charset.StandardCharsets.UTF_8));

        // mock-oauth2-server 2.1.10 still answers a used code, with an ID token without nonce (real providers
        // answer invalid_grant: SSO_CODE_INVALID); Canopy's nonce check refuses it either way
        assertProblem(replayed, 401, "SSO_TOKEN_INVALID");
        assertThat(replayed.json().path("detail").asString()).contains("nonce");
        assertThat((String) lastSsoAudit(sso.tenant().id()).get("details")).contains("SSO_TOKEN_INVALID");
    }

    @Test
    void anIdTokenForAnotherAudienceIsRefused() {
        SsoTenant sso = ssoTenant("both", provisioning());
        String email = Fixtures.unique("aud") + "@example.org";
        var browser = new SsoBrowser(api);
        Api.Response started = browser.start(sso.slug(), null);
        String callback = browser.authorize(started);
        // the provider's token endpoint answers with an ID token it signed for another client, nonce and all
        String nonce = SsoBrowser.query(started.header("Location")).get("nonce");
        OidcProviderFixture.nextTokenResponse(sso.issuerId(), "sub-" + email, List.of("another-client"),
                Map.of("email", email, "groups", List.of("devs"), "nonce", nonce));

        Api.Response refused = browser.callback(callback);

        assertProblem(refused, 401, "SSO_TOKEN_INVALID");
        assertThat(refused.json().path("detail").asString()).contains("another audience");
        assertThat(userExists(email)).isFalse();
    }

    @Test
    void anExpiredIdTokenIsRefused() {
        SsoTenant sso = ssoTenant("both", provisioning());
        String email = Fixtures.unique("old") + "@example.org";
        nextSignIn(sso.issuerId(), "sub-" + email, List.of(CLIENT_ID), Map.of("email", email,
                "groups", List.of("devs")), -600);

        Api.Response refused = new SsoBrowser(api).signIn(sso.slug());

        assertProblem(refused, 401, "SSO_TOKEN_INVALID");
        assertThat(refused.json().path("detail").asString()).contains("expired");
    }

    @Test
    void anUnverifiedEmailIsRefused() {
        SsoTenant sso = ssoTenant("both", provisioning());
        String email = Fixtures.unique("unverified") + "@example.org";
        nextSignIn(sso.issuerId(), "sub-" + email, List.of(CLIENT_ID), Map.of("email", email,
                "email_verified", false), 3600);

        assertProblem(new SsoBrowser(api).signIn(sso.slug()), 403, "SSO_EMAIL_UNVERIFIED");
    }

    @Test
    void theProvidersErrorIsRefusedWithItsOwnCode() {
        SsoTenant sso = ssoTenant("both", provisioning());
        var browser = new SsoBrowser(api);
        String state = SsoBrowser.query(browser.start(sso.slug(), null).header("Location")).get("state");

        Api.Response refused = browser.callback(api.base() + "/api/v1/auth/sso/callback?state=" + state
                + "&error=access_denied");

        assertProblem(refused, 401, "SSO_PROVIDER_ERROR");
        assertThat(refused.json().path("detail").asString()).contains("access_denied");
    }

    // ------------------------------------------------------------------ tenants and modes

    @Test
    void aSuspendedTenantRefusesSsoLogins() {
        SsoTenant sso = ssoTenant("both", provisioning());
        String email = Fixtures.unique("sus") + "@example.org";
        // no sign-in is queued at the provider: the callback must stop before the code is exchanged
        var midway = new SsoBrowser(api);
        String callback = midway.authorize(midway.start(sso.slug(), null));
        suspend(sso.tenant());

        assertProblem(new SsoBrowser(api).start(sso.slug(), null), 403, "TENANT_SUSPENDED");
        assertProblem(midway.callback(callback), 403, "TENANT_SUSPENDED");
        assertThat(midway.cookie("canopy_refresh")).isNull();
        assertThat(userExists(email)).isFalse();
    }

    @Test
    void ssoIsOffInLocalModeAndUnknownTenantsHaveNone() {
        SsoTenant sso = ssoTenant("local", provisioning());
        assertProblem(new SsoBrowser(api).start(sso.slug(), null), 403, "SSO_DISABLED");
        assertProblem(new SsoBrowser(api).start(Fixtures.unique("nope"), null), 404, "SSO_NOT_CONFIGURED");
        assertProblem(new SsoBrowser(api).start(fixtures.tenant().slug(), null), 404, "SSO_NOT_CONFIGURED");
        assertProblem(new SsoBrowser(api).start(sso.slug(), "//evil.example/"), 400, "VALIDATION_FAILED");
        assertProblem(new SsoBrowser(api).start(sso.slug(), "https://evil.example/"), 400, "VALIDATION_FAILED");
    }

    @Test
    void ssoOnlyModeRefusesPasswordsButAPlatformAdministratorBreaksGlass() {
        SsoTenant sso = ssoTenant("both", provisioning());
        Session member = fixtures.userIn(sso.tenant(), "member");
        setAuthMode(sso.tenant(), "sso");

        Api.Response refused = api.post("/api/v1/auth/login", null, obj("email", member.email(), "password",
                Fixtures.PASSWORD, "tenant_id", sso.tenant().id().toString()));
        assertProblem(refused, 403, "SSO_REQUIRED");
        assertThat(refused.json().path("detail").asString()).contains("/api/v1/auth/sso/" + sso.slug() + "/login");
        assertProblem(api.post("/api/v1/auth/login", null, obj("email", member.email(), "password",
                Fixtures.PASSWORD)), 403, "SSO_REQUIRED");
        // a password session from before ended with the switch, so it cannot be refreshed any more
        assertProblem(api.post("/api/v1/auth/refresh", null, obj("refresh_token", member.refreshToken())), 401,
                "SESSION_REVOKED");

        Api.Response breakGlass = api.send("POST", "/api/v1/auth/login", null, Api.json(obj("email", ADMIN_EMAIL,
                "password", ADMIN_PASSWORD, "tenant_id", sso.tenant().id().toString())),
                Map.of("X-Request-Id", "break-glass-" + sso.slug()));
        assertThat(breakGlass.status()).as(breakGlass.toString()).isEqualTo(200);
        Map<String, Object> audit = scopes.inTenant(sso.tenant().id(), () -> jdbc.sql("""
                select action, details::text as details from audit_events where tenant_id = ? and request_id = ?
                """).params(sso.tenant().id(), "break-glass-" + sso.slug()).query().singleRow());
        assertThat(audit.get("action")).isEqualTo("auth.break_glass_login");
        assertThat((String) audit.get("details")).contains("\"break_glass\": true");

        setAuthMode(sso.tenant(), "both");
        assertThat(api.post("/api/v1/auth/login", null, obj("email", member.email(), "password",
                Fixtures.PASSWORD, "tenant_id", sso.tenant().id().toString())).status()).isEqualTo(200);
    }

    @Test
    void aPasswordSessionsAccessTokenStopsAtOnceWhenItsTenantGoesSsoOnly() {
        SsoTenant sso = ssoTenant("both", provisioning());
        Session member = fixtures.userIn(sso.tenant(), "member");
        Session elsewhere = fixtures.userIn(fixtures.tenant(), "member");
        String email = Fixtures.unique("sso-only") + "@example.org";
        nextSignIn(sso.issuerId(), "sub-" + email, email, List.of("devs"));
        var browser = new SsoBrowser(api);
        String viaSso = signedIn(browser, browser.signIn(sso.slug())).path("access_token").asString();
        Session breakGlass = fixtures.login(ADMIN_EMAIL, ADMIN_PASSWORD, sso.tenant().id());
        assertThat(api.get("/api/v1/auth/me", member.accessToken()).status()).isEqualTo(200);

        setAuthMode(sso.tenant(), "sso");

        // not up to 15 minutes later, when the access token expires: now, as after a logout
        assertProblem(api.get("/api/v1/auth/me", member.accessToken()), 401, "SESSION_REVOKED");
        assertThat(api.get("/api/v1/auth/me", viaSso).status()).as("an SSO session goes on").isEqualTo(200);
        assertThat(api.get("/api/v1/auth/me", breakGlass.accessToken()).status())
                .as("the platform administrator's break-glass session goes on").isEqualTo(200);
        assertThat(api.get("/api/v1/auth/me", elsewhere.accessToken()).status())
                .as("other tenants' sessions go on").isEqualTo(200);
    }

    @Test
    void aPlatformAdministratorIsNeverLinkedToATenantsProvider() {
        SsoTenant sso = ssoTenant("both", provisioning("allowed_email_domains", List.of()));
        nextSignIn(sso.issuerId(), "sub-admin", ADMIN_EMAIL, List.of("admins"));
        assertProblem(new SsoBrowser(api).signIn(sso.slug()), 403, "SSO_ACCOUNT_NOT_LINKABLE");
    }

    // ------------------------------------------------------------------ helpers

    private void suspend(TenantRef tenant) {
        String admin = fixtures.platformAdmin().accessToken();
        long version = api.get("/api/v1/tenants/" + tenant.id(), admin).json().path("version").asLong();
        Api.Response patched = api.patch("/api/v1/tenants/" + tenant.id(), admin, obj("status", "suspended",
                "version", version));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    }

    private void setAuthMode(TenantRef tenant, String mode) {
        String admin = fixtures.platformAdmin().accessToken();
        JsonNode current = api.get(config(tenant), admin).json();
        var body = new java.util.LinkedHashMap<String, Object>(obj("preset", current.path("preset").asString(),
                "issuer", current.path("issuer").asString(), "client_id", current.path("client_id").asString(),
                "auth_mode", mode, "version", current.path("version").asLong()));
        body.put("auto_provisioning", current.path("auto_provisioning"));
        Api.Response replaced = api.send("PUT", config(tenant), admin, Api.json(body), Map.of());
        assertThat(replaced.status()).as(replaced.toString()).isEqualTo(200);
    }

    private boolean userExists(String email) {
        return jdbc.sql("select exists (select 1 from platform.users where lower(email) = lower(?))").param(email)
                .query(Boolean.class).single();
    }

    /** The platform's own audit chain. */
    static final class AuditPlatform {
        static final UUID NIL = new UUID(0, 0);
    }
}
