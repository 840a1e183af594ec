package dev.canopy.identity;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Login, refresh, logout, tenant switching and the caller's profile, over real HTTP: the contract the
 * console and API clients rely on, including every way a request can be refused.
 */
class AuthApiTest extends ApiTest {

    private static final String LOGIN = "/api/v1/auth/login";
    private static final String REFRESH = "/api/v1/auth/refresh";
    private static final String LOGOUT = "/api/v1/auth/logout";
    private static final String SWITCH = "/api/v1/auth/switch-tenant";
    private static final String ME = "/api/v1/auth/me";
    private static final String COOKIE = "canopy_refresh";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final List<String> VIEWER_PERMISSIONS = List.of("cloud_accounts:list", "cloud_accounts:read",
            "deployments:list", "deployments:read", "environments:list", "templates:list", "templates:read",
            "tenants:read", "users:list", "users:read");
    /** Every tenant-level permission of the registry, sorted as {@code /auth/me} lists them. */
    private static final List<String> TENANT_ADMIN_PERMISSIONS = dev.canopy.access.Permissions.ALL.stream()
            .filter(p -> p.level() == dev.canopy.platform.security.Permission.Level.TENANT)
            .map(dev.canopy.platform.security.Permission::name).sorted().toList();

    // ---------------------------------------------------------------- login

    @Test
    void loginReturnsTokensUserAndThePrimaryTenant() {
        TenantRef tenant = fixtures.tenant();
        String email = newUserIn(tenant, "member");

        Api.Response response = login(email, Fixtures.PASSWORD, null);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.path("access_token").asString()).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
        assertThat(body.path("token_type").asString()).isEqualTo("Bearer");
        assertThat(body.path("expires_in").asLong()).isEqualTo(900);
        assertThat(body.path("refresh_token").asString()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(body.path("user").path("id").asString()).isNotBlank();
        assertThat(body.path("user").path("email").asString()).isEqualTo(email);
        assertThat(body.path("user").path("full_name").asString()).isEqualTo("User " + email);
        assertThat(body.path("user").has("password_hash")).isFalse();
        assertTenant(body.path("tenant"), tenant);
        assertThat(claims(body.path("access_token").asString()).path("tid").asString())
                .isEqualTo(tenant.id().toString());
        assertThat(claims(body.path("access_token").asString()).path("sub").asString())
                .isEqualTo(body.path("user").path("id").asString());
    }

    @Test
    void loginIsNeverCachedAndSetsTheRefreshTokenAsAStrictHttpOnlyCookie() {
        TenantRef tenant = fixtures.tenant();
        String email = newUserIn(tenant, "member");

        Api.Response response = login(email, Fixtures.PASSWORD, null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headerValues("Cache-Control")).anySatisfy(v -> assertThat(v).contains("no-store"));
        Map<String, String> cookie = refreshCookie(response);
        assertThat(cookie.get(COOKIE)).isEqualTo(response.json().path("refresh_token").asString());
        assertThat(cookie).containsKey("httponly");
        assertThat(cookie.get("samesite")).isEqualToIgnoringCase("Strict");
        assertThat(cookie.get("path")).isEqualTo("/api/v1/auth");
        assertThat(cookie.get("max-age")).isEqualTo(String.valueOf(7 * 24 * 3600));
        assertThat(cookie).as("plain http: the cookie must not be marked Secure").doesNotContainKey("secure");
    }

    @Test
    void loginLandsInTheRequestedTenant() {
        TenantRef first = fixtures.tenant();
        TenantRef second = fixtures.tenant();
        String email = newUserIn(first, "viewer");
        fixtures.addUser(second, email, "member");

        assertTenant(loginOk(email, null).path("tenant"), first);
        assertTenant(loginOk(email, second.id()).path("tenant"), second);
    }

    @Test
    void emailIsMatchedCaseInsensitively() {
        TenantRef tenant = fixtures.tenant();
        String email = newUserIn(tenant, "viewer");

        Api.Response response = login(email.toUpperCase(), Fixtures.PASSWORD, null);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().path("user").path("email").asString()).isEqualTo(email);
    }

    @Test
    void wrongPasswordAndUnknownEmailAreTheSameRefusal() {
        TenantRef tenant = fixtures.tenant();
        String email = newUserIn(tenant, "member");

        Api.Response wrongPassword = login(email, "not-the-right-password", null);
        Api.Response unknownEmail = login(Fixtures.unique("nobody") + "@example.com", Fixtures.PASSWORD, null);

        assertProblem(wrongPassword, 401, "INVALID_CREDENTIALS");
        assertProblem(unknownEmail, 401, "INVALID_CREDENTIALS");
        assertThat(unknownEmail.json().propertyNames()).isEqualTo(wrongPassword.json().propertyNames());
        for (String field : List.of("type", "title", "status", "detail", "code")) {
            assertThat(unknownEmail.json().path(field)).as(field).isEqualTo(wrongPassword.json().path(field));
        }
    }

    @Test
    void wrongPasswordForATenantOfSomeoneElseRevealsNothingAboutTheTenant() {
        TenantRef own = fixtures.tenant();
        TenantRef other = fixtures.tenant();
        String email = newUserIn(own, "member");

        assertProblem(login(email, "not-the-right-password", other.id()), 401, "INVALID_CREDENTIALS");
    }

    @Test
    void deactivatedUserCannotLogIn() {
        TenantRef tenant = fixtures.tenant();
        String email = Fixtures.unique("user") + "@example.com";
        JsonNode user = fixtures.addUser(tenant, email, "member");
        Session session = fixtures.login(email, Fixtures.PASSWORD, tenant.id());

        Api.Response deactivated = api.patch("/api/v1/users/" + user.path("id").asString(),
                adminIn(tenant).accessToken(), obj("is_active", false, "version", user.path("version").asLong()));
        assertThat(deactivated.status()).as(deactivated.toString()).isEqualTo(200);

        assertProblem(login(email, Fixtures.PASSWORD, null), 401, "INVALID_CREDENTIALS");
        assertProblem(api.get(ME, session.accessToken()), 401, "SESSION_REVOKED");
        assertThat(refresh(session.refreshToken()).status()).isEqualTo(401);
    }

    @Test
    void aRemovedMemberLosesTheTenantAtOnce() {
        TenantRef tenant = fixtures.tenant();
        String email = Fixtures.unique("user") + "@example.com";
        JsonNode user = fixtures.addUser(tenant, email, "member");
        Session session = fixtures.login(email, Fixtures.PASSWORD, tenant.id());

        Api.Response removed = api.delete("/api/v1/users/" + user.path("id").asString(),
                adminIn(tenant).accessToken());
        assertThat(removed.status()).as(removed.toString()).isEqualTo(204);

        assertProblem(api.get(ME, session.accessToken()), 403, "NOT_A_MEMBER");
        assertProblem(refresh(session.refreshToken()), 403, "NOT_A_MEMBER");
        assertProblem(login(email, Fixtures.PASSWORD, tenant.id()), 403, "NOT_A_MEMBER");
        assertProblem(login(email, Fixtures.PASSWORD, null), 403, "NO_TENANT");
    }

    @Test
    void loginIntoATenantTheUserDoesNotBelongToIsForbidden() {
        TenantRef own = fixtures.tenant();
        TenantRef other = fixtures.tenant();
        String email = newUserIn(own, "tenant_admin");

        assertProblem(login(email, Fixtures.PASSWORD, other.id()), 403, "NOT_A_MEMBER");
        assertProblem(login(email, Fixtures.PASSWORD, UUID.randomUUID()), 403, "NOT_A_MEMBER");
    }

    @Test
    void malformedLoginBodiesAreClearProblems() {
        assertProblem(api.post(LOGIN, null, "{\"email\": \"a@example.com\", \"password\": "), 400,
                "MALFORMED_JSON");
        assertProblem(api.post(LOGIN, null, "not json at all"), 400, "MALFORMED_JSON");

        Api.Response unknown = api.post(LOGIN, null,
                obj("email", "a@example.com", "password", Fixtures.PASSWORD, "remember_me", true));
        assertProblem(unknown, 400, "UNKNOWN_FIELD");
        assertThat(fieldErrors(unknown)).contains("remember_me");

        Api.Response numberEmail = api.post(LOGIN, null, obj("email", 5, "password", Fixtures.PASSWORD));
        assertProblem(numberEmail, 400, "INVALID_TYPE");
        assertThat(fieldErrors(numberEmail)).contains("email");

        Api.Response badTenant = api.post(LOGIN, null,
                obj("email", "a@example.com", "password", Fixtures.PASSWORD, "tenant_id", "not-a-uuid"));
        assertProblem(badTenant, 400, "INVALID_TYPE");
        assertThat(fieldErrors(badTenant)).contains("tenant_id");

        assertProblem(api.post(LOGIN, null, "[]"), 400, "INVALID_TYPE");
        assertProblem(api.send("POST", LOGIN, null, null, Map.of()), 400, "MISSING_BODY");
        assertProblem(api.send("POST", LOGIN, null, "email=a@example.com", Map.of("Content-Type", "text/plain")),
                415, "UNSUPPORTED_MEDIA_TYPE");
        assertProblem(api.get(LOGIN, null), 405, "METHOD_NOT_ALLOWED");
    }

    @Test
    void missingLoginFieldsAreNamed() {
        Api.Response empty = api.post(LOGIN, null, obj());
        assertProblem(empty, 400, "VALIDATION_FAILED");
        assertThat(fieldErrors(empty)).contains("email", "password");

        Api.Response nullPassword = api.post(LOGIN, null, obj("email", "a@example.com", "password", null));
        assertProblem(nullPassword, 400, "VALIDATION_FAILED");
        assertThat(fieldErrors(nullPassword)).containsExactly("password");

        Api.Response blankEmail = api.post(LOGIN, null, obj("email", " ", "password", Fixtures.PASSWORD));
        assertProblem(blankEmail, 400, "VALIDATION_FAILED");
        assertThat(fieldErrors(blankEmail)).contains("email");
    }

    @Test
    void oversizeLoginValuesAreRefusedBeforeAnyWork() {
        String longEmail = "x".repeat(320) + "@example.com";
        Api.Response email = api.post(LOGIN, null, obj("email", longEmail, "password", Fixtures.PASSWORD));
        assertProblem(email, 400, "VALIDATION_FAILED");
        assertThat(fieldErrors(email)).contains("email");

        Api.Response password = api.post(LOGIN, null, obj("email", "a@example.com", "password", "p".repeat(1025)));
        assertProblem(password, 400, "VALIDATION_FAILED");
        assertThat(fieldErrors(password)).containsExactly("password");
    }

    @Test
    void bodiesOverTheLimitAre413() {
        String huge = Api.json(obj("email", "a@example.com", "password", "p".repeat(70 * 1024)));

        assertProblem(api.post(LOGIN, null, huge), 413, "PAYLOAD_TOO_LARGE");
        assertProblem(postChunked(LOGIN, huge), 413, "PAYLOAD_TOO_LARGE");
    }

    // ---------------------------------------------------------------- refresh

    @Test
    void refreshWithTheBodyTokenGivesANewWorkingPair() {
        Session session = newSession("member");

        Api.Response response = refresh(session.refreshToken());

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.path("refresh_token").asString()).isNotEqualTo(session.refreshToken());
        assertThat(body.path("access_token").asString()).isNotEqualTo(session.accessToken());
        assertThat(body.path("token_type").asString()).isEqualTo("Bearer");
        assertThat(body.path("expires_in").asLong()).isEqualTo(900);
        assertThat(body.path("tenant").path("id").asString()).isEqualTo(session.tenantId().toString());
        assertThat(refreshCookie(response).get(COOKIE)).isEqualTo(body.path("refresh_token").asString());
        assertThat(response.headerValues("Cache-Control")).anySatisfy(v -> assertThat(v).contains("no-store"));
        assertThat(claims(body.path("access_token").asString()).path("sid").asString())
                .isEqualTo(claims(session.accessToken()).path("sid").asString());
        assertThat(api.get(ME, body.path("access_token").asString()).status()).isEqualTo(200);
        assertThat(refresh(body.path("refresh_token").asString()).status()).isEqualTo(200);
    }

    @Test
    void refreshWithOnlyTheCookie() {
        Session session = newSession("member");

        Api.Response response = refreshWithCookie(session.refreshToken());

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        String rotated = response.json().path("refresh_token").asString();
        assertThat(rotated).isNotEqualTo(session.refreshToken());
        assertThat(refreshCookie(response).get(COOKIE)).isEqualTo(rotated);
        assertThat(refreshWithCookie(rotated).status()).isEqualTo(200);
    }

    @Test
    void reusingARotatedRefreshTokenRevokesTheWholeSession() {
        Session session = newSession("member");
        JsonNode first = refreshOk(session.refreshToken());
        JsonNode second = refreshOk(first.path("refresh_token").asString());
        String newestAccess = second.path("access_token").asString();
        assertThat(api.get(ME, newestAccess).status()).isEqualTo(200);

        assertProblem(refresh(session.refreshToken()), 401, "REFRESH_TOKEN_REUSED");

        assertProblem(api.get(ME, newestAccess), 401, "SESSION_REVOKED");
        assertThat(refresh(second.path("refresh_token").asString()).status()).isEqualTo(401);
        assertProblem(api.get(ME, session.accessToken()), 401, "SESSION_REVOKED");
    }

    @Test
    void reuseRevokesOnlyThatSession() {
        TenantRef tenant = fixtures.tenant();
        String email = newUserIn(tenant, "member");
        Session stolen = fixtures.login(email, Fixtures.PASSWORD, null);
        Session otherDevice = fixtures.login(email, Fixtures.PASSWORD, null);
        refreshOk(stolen.refreshToken());

        assertProblem(refresh(stolen.refreshToken()), 401, "REFRESH_TOKEN_REUSED");

        assertThat(api.get(ME, otherDevice.accessToken()).status()).isEqualTo(200);
        assertThat(refresh(otherDevice.refreshToken()).status()).isEqualTo(200);
    }

    /** The race is timing-dependent, so it is run many times; before the fix it failed within a few rounds. */
    @Test
    void ofTwoConcurrentRefreshesWithTheSameTokenExactlyOneSucceeds() {
        String email = newUserIn(fixtures.tenant(), "member");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 60; round++) {
                Session session = fixtures.login(email, Fixtures.PASSWORD, null);

                List<Api.Response> results = raceTwoRefreshes(session.refreshToken(), pool);

                assertThat(results).as("round %d: %s", round, results).filteredOn(r -> r.status() == 200).hasSize(1);
                Api.Response loser = results.stream().filter(r -> r.status() != 200).findFirst().orElseThrow();
                assertProblem(loser, 401, "REFRESH_TOKEN_REUSED");
            }
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unknownRefreshTokenIsRefused() {
        assertProblem(refresh("this-token-was-never-issued-" + UUID.randomUUID()), 401, "INVALID_REFRESH_TOKEN");
        assertProblem(refreshWithCookie("never-issued-" + UUID.randomUUID()), 401, "INVALID_REFRESH_TOKEN");
    }

    @Test
    void refreshWithoutATokenIsABadRequest() {
        Api.Response empty = api.post(REFRESH, null, obj());
        assertProblem(empty, 400, "VALIDATION_FAILED");
        assertThat(fieldErrors(empty)).containsExactly("refresh_token");

        assertProblem(api.send("POST", REFRESH, null, null, Map.of()), 400, "VALIDATION_FAILED");
        assertProblem(api.post(REFRESH, null, obj("refresh_token", "")), 400, "VALIDATION_FAILED");
        assertProblem(api.post(REFRESH, null, obj("refresh_token", "r".repeat(201))), 400, "VALIDATION_FAILED");
        assertProblem(api.post(REFRESH, null, obj("refresh_token", 42)), 400, "INVALID_TYPE");
        assertProblem(api.post(REFRESH, null, obj("token", "abc")), 400, "UNKNOWN_FIELD");
    }

    // a well-formed refresh is served by DirectRefresh; everything else reaches the controller with its body intact
    @Test
    void malformedRefreshBodiesGetTheControllersAnswers() {
        Session session = newSession("member");
        assertProblem(api.post(REFRESH, null, "{\"refresh_token\": "), 400, "MALFORMED_JSON");
        assertProblem(api.post(REFRESH, null, "[]"), 400, "INVALID_TYPE");
        assertProblem(api.send("POST", REFRESH, null, "refresh_token=" + session.refreshToken(),
                Map.of("Content-Type", "text/plain")), 415, "UNSUPPORTED_MEDIA_TYPE");
        assertProblem(api.get(REFRESH, null), 405, "METHOD_NOT_ALLOWED");

        // the body's token wins over the cookie's, on both paths
        Api.Response both = api.send("POST", REFRESH, null, JSON.writeValueAsString(obj("refresh_token",
                session.refreshToken())), Map.of("Cookie", COOKIE + "=never-issued"));
        assertThat(both.status()).as(both.toString()).isEqualTo(200);
        assertThat(refreshCookie(both).get(COOKIE)).isEqualTo(both.json().path("refresh_token").asString());
        assertThat(api.get(ME, both.json().path("access_token").asString()).status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- logout

    @Test
    void logoutEndsTheSessionAtOnce() {
        Session session = newSession("member");
        assertThat(api.get(ME, session.accessToken()).status()).isEqualTo(200);

        Api.Response response = api.post(LOGOUT, session.accessToken(), null);

        assertThat(response.status()).as(response.toString()).isEqualTo(204);
        Map<String, String> cleared = refreshCookie(response);
        assertThat(cleared.get(COOKIE)).isEmpty();
        assertThat(cleared.get("max-age")).isEqualTo("0");
        assertThat(cleared.get("path")).isEqualTo("/api/v1/auth");
        assertProblem(api.get(ME, session.accessToken()), 401, "SESSION_REVOKED");
        assertProblem(refresh(session.refreshToken()), 401, "SESSION_REVOKED");
        assertProblem(api.post(LOGOUT, session.accessToken(), null), 401, "SESSION_REVOKED");
    }

    @Test
    void logoutEndsOnlyThisSession() {
        TenantRef tenant = fixtures.tenant();
        String email = newUserIn(tenant, "member");
        Session laptop = fixtures.login(email, Fixtures.PASSWORD, null);
        Session phone = fixtures.login(email, Fixtures.PASSWORD, null);

        assertThat(api.post(LOGOUT, laptop.accessToken(), null).status()).isEqualTo(204);

        assertThat(api.get(ME, phone.accessToken()).status()).isEqualTo(200);
        assertThat(refresh(phone.refreshToken()).status()).isEqualTo(200);
    }

    @Test
    void logoutNeedsAnAccessToken() {
        assertProblem(api.post(LOGOUT, null, null), 401, "UNAUTHENTICATED");
    }

    // ---------------------------------------------------------------- switching tenant

    @Test
    void switchingTenantGivesTheTargetTenantsPermissions() {
        TwoTenantUser user = viewerInAAdminInB();
        Session inA = fixtures.login(user.email(), Fixtures.PASSWORD, null);
        assertThat(inA.tenantId()).isEqualTo(user.a().id());
        assertThat(permissions(inA.accessToken())).isEqualTo(VIEWER_PERMISSIONS);
        assertThat(api.get("/api/v1/roles", inA.accessToken()).status()).isEqualTo(403);

        Api.Response response = api.post(SWITCH, inA.accessToken(), obj("tenant_id", user.b().id().toString()));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode body = response.json();
        String inB = body.path("access_token").asString();
        assertTenant(body.path("tenant"), user.b());
        assertThat(claims(inB).path("tid").asString()).isEqualTo(user.b().id().toString());
        assertThat(claims(inB).path("sid").asString()).as("a switch starts a new session")
                .isNotEqualTo(claims(inA.accessToken()).path("sid").asString());
        assertThat(refreshCookie(response).get(COOKIE)).isEqualTo(body.path("refresh_token").asString());
        JsonNode me = meOk(inB);
        assertTenant(me.path("tenant"), user.b());
        assertThat(me.path("acting_as_platform_admin").asBoolean()).isFalse();
        assertThat(strings(me.path("permissions"))).isEqualTo(TENANT_ADMIN_PERMISSIONS);
        assertThat(api.get("/api/v1/roles", inB).status()).isEqualTo(200);
    }

    @Test
    void permissionsNeverComeFromThePrimaryTenant() {
        TwoTenantUser user = viewerInAAdminInB();
        Session inB = fixtures.login(user.email(), Fixtures.PASSWORD, user.b().id());
        Api.Response primary = api.patch(ME, inB.accessToken(),
                obj("primary_tenant_id", user.b().id().toString(), "version", meOk(inB.accessToken())
                        .path("user").path("version").asLong()));
        assertThat(primary.status()).as(primary.toString()).isEqualTo(200);

        Session inA = fixtures.login(user.email(), Fixtures.PASSWORD, user.a().id());
        assertThat(permissions(inA.accessToken())).isEqualTo(VIEWER_PERMISSIONS);
        assertThat(api.get("/api/v1/roles", inA.accessToken()).status()).isEqualTo(403);

        Session switchedToA = fixtures.switchTo(inB, user.a().id());
        assertThat(permissions(switchedToA.accessToken())).isEqualTo(VIEWER_PERMISSIONS);
    }

    @Test
    void switchingMovesTheSessionSoTheOldPairStopsWorking() {
        TwoTenantUser user = viewerInAAdminInB();
        Session inA = fixtures.login(user.email(), Fixtures.PASSWORD, null);

        Session inB = fixtures.switchTo(inA, user.b().id());

        assertProblem(api.get(ME, inA.accessToken()), 401, "SESSION_REVOKED");
        assertThat(api.get(ME, inB.accessToken()).status()).isEqualTo(200);
        JsonNode refreshed = refreshOk(inB.refreshToken());
        assertThat(refreshed.path("tenant").path("id").asString()).isEqualTo(user.b().id().toString());
        assertThat(refresh(inA.refreshToken()).status()).as("the refresh token from before the switch")
                .isEqualTo(401);
    }

    @Test
    void switchingBackDoesNotReviveTokensFromTheFirstVisit() {
        TwoTenantUser user = viewerInAAdminInB();
        Session inA = fixtures.login(user.email(), Fixtures.PASSWORD, user.a().id());

        Session backInA = fixtures.switchTo(fixtures.switchTo(inA, user.b().id()), user.a().id());

        assertProblem(api.get(ME, inA.accessToken()), 401, "SESSION_REVOKED");
        assertThat(refresh(inA.refreshToken()).status()).isEqualTo(401);
        assertThat(api.get(ME, backInA.accessToken()).status()).isEqualTo(200);
    }

    @Test
    void switchingToATenantOfSomeoneElseIsForbidden() {
        Session session = newSession("tenant_admin");
        TenantRef other = fixtures.tenant();

        assertProblem(api.post(SWITCH, session.accessToken(), obj("tenant_id", other.id().toString())), 403,
                "NOT_A_MEMBER");
        assertProblem(api.post(SWITCH, session.accessToken(), obj("tenant_id", UUID.randomUUID().toString())), 403,
                "NOT_A_MEMBER");
        assertThat(api.get(ME, session.accessToken()).status()).as("a refused switch leaves the session alone")
                .isEqualTo(200);
    }

    @Test
    void platformAdminSwitchesIntoAnyTenant() {
        Session admin = fixtures.platformAdmin();
        assertThat(meOk(admin.accessToken()).path("acting_as_platform_admin").asBoolean()).isFalse();
        TenantRef tenant = fixtures.tenant();

        Api.Response response = api.post(SWITCH, admin.accessToken(), obj("tenant_id", tenant.id().toString()));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertTenant(response.json().path("tenant"), tenant);
        JsonNode me = meOk(response.json().path("access_token").asString());
        assertTenant(me.path("tenant"), tenant);
        assertThat(me.path("acting_as_platform_admin").asBoolean()).isTrue();
        assertThat(me.path("user").path("is_platform_admin").asBoolean()).isTrue();
        assertThat(strings(me.path("permissions"))).contains("platform:tenants_manage", "users:create");
        assertThat(me.path("memberships").toString()).doesNotContain(tenant.id().toString());
    }

    @Test
    void platformAdminSwitchingToAnUnknownTenantIsNotFound() {
        Session admin = fixtures.platformAdmin();

        assertProblem(api.post(SWITCH, admin.accessToken(), obj("tenant_id", UUID.randomUUID().toString())), 404,
                "TENANT_NOT_FOUND");
    }

    @Test
    void badSwitchRequestsAreProblems() {
        Session session = newSession("member");

        Api.Response missing = api.post(SWITCH, session.accessToken(), obj());
        assertProblem(missing, 400, "VALIDATION_FAILED");
        assertThat(fieldErrors(missing)).containsExactly("tenant_id");
        Api.Response notUuid = api.post(SWITCH, session.accessToken(), obj("tenant_id", "not-a-uuid"));
        assertProblem(notUuid, 400, "INVALID_TYPE");
        assertThat(fieldErrors(notUuid)).containsExactly("tenant_id");
        assertProblem(api.post(SWITCH, session.accessToken(), obj("tenant_id", 12)), 400, "INVALID_TYPE");
        assertProblem(api.post(SWITCH, session.accessToken(), "{"), 400, "MALFORMED_JSON");
        assertProblem(api.post(SWITCH, session.accessToken(),
                obj("tenant_id", session.tenantId().toString(), "role", "x")), 400, "UNKNOWN_FIELD");
        assertProblem(api.post(SWITCH, null, obj("tenant_id", session.tenantId().toString())), 401,
                "UNAUTHENTICATED");
    }

    // ---------------------------------------------------------------- profile

    @Test
    void meDescribesTheUserTheirTenantsAndPermissionsHere() {
        TwoTenantUser user = viewerInAAdminInB();
        Session session = fixtures.login(user.email(), Fixtures.PASSWORD, null);

        JsonNode me = meOk(session.accessToken());

        JsonNode u = me.path("user");
        assertThat(u.path("id").asString()).isEqualTo(session.userId().toString());
        assertThat(u.path("email").asString()).isEqualTo(user.email());
        assertThat(u.path("full_name").asString()).isEqualTo("User " + user.email());
        assertThat(u.path("is_platform_admin").asBoolean()).isFalse();
        assertThat(u.path("version").isNumber()).isTrue();
        assertThat(u.has("password_hash")).isFalse();
        assertTenant(me.path("tenant"), user.a());
        assertThat(me.path("acting_as_platform_admin").asBoolean()).isFalse();
        assertThat(strings(me.path("permissions"))).isEqualTo(VIEWER_PERMISSIONS);

        JsonNode memberships = me.path("memberships");
        assertThat(memberships.size()).isEqualTo(2);
        assertTenant(membership(me, user.a()).path("tenant"), user.a());
        assertThat(strings(membership(me, user.a()).path("roles"))).containsExactly("viewer");
        assertThat(membership(me, user.a()).path("is_primary").asBoolean()).isTrue();
        assertTenant(membership(me, user.b()).path("tenant"), user.b());
        assertThat(strings(membership(me, user.b()).path("roles"))).containsExactly("tenant_admin");
        assertThat(membership(me, user.b()).path("is_primary").asBoolean()).isFalse();
        assertExactlyOnePrimary(me);
        assertThat(me.path("delegated_tenants").isArray()).as("no grant to either tenant").isTrue();
        assertThat(me.path("delegated_tenants").size()).isZero();
    }

    @Test
    void meNeedsAToken() {
        assertProblem(api.get(ME, null), 401, "UNAUTHENTICATED");
    }

    @Test
    void patchMeChangesTheName() {
        Session session = newSession("member");
        JsonNode before = meOk(session.accessToken());
        long version = before.path("user").path("version").asLong();

        Api.Response response = api.patch(ME, session.accessToken(),
                obj("full_name", "Ada Lovelace", "version", version));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().path("user").path("full_name").asString()).isEqualTo("Ada Lovelace");
        assertThat(response.json().path("user").path("version").asLong()).isGreaterThan(version);
        assertThat(meOk(session.accessToken()).path("user").path("full_name").asString()).isEqualTo("Ada Lovelace");
        assertThat(loginOk(session.email(), null).path("user").path("full_name").asString())
                .isEqualTo("Ada Lovelace");
    }

    @Test
    void patchMeMovesThePrimaryTenantAndTheNextLoginLandsThere() {
        TwoTenantUser user = viewerInAAdminInB();
        Session session = fixtures.login(user.email(), Fixtures.PASSWORD, null);
        long version = meOk(session.accessToken()).path("user").path("version").asLong();

        Api.Response response = api.patch(ME, session.accessToken(),
                obj("primary_tenant_id", user.b().id().toString(), "version", version));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode me = response.json();
        assertExactlyOnePrimary(me);
        assertThat(membership(me, user.b()).path("is_primary").asBoolean()).isTrue();
        assertThat(membership(me, user.a()).path("is_primary").asBoolean()).isFalse();
        assertTenant(me.path("tenant"), user.a());
        assertTenant(loginOk(user.email(), null).path("tenant"), user.b());

        long next = me.path("user").path("version").asLong();
        Api.Response back = api.patch(ME, session.accessToken(),
                obj("primary_tenant_id", user.a().id().toString(), "version", next));
        assertThat(back.status()).as(back.toString()).isEqualTo(200);
        assertExactlyOnePrimary(back.json());
        assertThat(membership(back.json(), user.a()).path("is_primary").asBoolean()).isTrue();
        assertTenant(loginOk(user.email(), null).path("tenant"), user.a());
    }

    @Test
    void patchMeWithAStaleVersionIsAConflict() {
        Session session = newSession("member");
        long version = meOk(session.accessToken()).path("user").path("version").asLong();
        assertThat(api.patch(ME, session.accessToken(), obj("full_name", "First", "version", version)).status())
                .isEqualTo(200);

        assertProblem(api.patch(ME, session.accessToken(), obj("full_name", "Second", "version", version)), 409,
                "VERSION_CONFLICT");
        assertThat(meOk(session.accessToken()).path("user").path("full_name").asString()).isEqualTo("First");
    }

    @Test
    void patchMeRefusesAPrimaryTenantTheUserDoesNotBelongTo() {
        Session session = newSession("member");
        TenantRef other = fixtures.tenant();
        JsonNode before = meOk(session.accessToken());
        long version = before.path("user").path("version").asLong();

        assertProblem(api.patch(ME, session.accessToken(), obj("full_name", "Should Not Stick", "primary_tenant_id",
                other.id().toString(), "version", version)), 403, "NOT_A_MEMBER");
        assertProblem(api.patch(ME, session.accessToken(), obj("primary_tenant_id", UUID.randomUUID().toString(),
                "version", version)), 403, "NOT_A_MEMBER");

        JsonNode after = meOk(session.accessToken());
        assertThat(after.path("user")).as("a refused change changes nothing").isEqualTo(before.path("user"));
        assertExactlyOnePrimary(after);
        assertThat(membership(after, session.tenantId()).path("is_primary").asBoolean()).isTrue();
    }

    @Test
    void badProfileChangesAreProblems() {
        Session session = newSession("member");
        long version = meOk(session.accessToken()).path("user").path("version").asLong();

        Api.Response noVersion = api.patch(ME, session.accessToken(), obj("full_name", "Nameless"));
        assertProblem(noVersion, 400, "VALIDATION_FAILED");
        assertThat(fieldErrors(noVersion)).containsExactly("version");
        Api.Response unknown = api.patch(ME, session.accessToken(), obj("email", "x@example.com", "version", version));
        assertProblem(unknown, 400, "UNKNOWN_FIELD");
        assertThat(fieldErrors(unknown)).containsExactly("email");
        assertProblem(api.patch(ME, session.accessToken(), obj("full_name", "   ", "version", version)), 400,
                "VALIDATION_FAILED");
        assertProblem(api.patch(ME, session.accessToken(), obj("full_name", "n".repeat(201), "version", version)),
                400, "VALIDATION_FAILED");
        assertProblem(api.patch(ME, session.accessToken(), obj("version", "1")), 400, "INVALID_TYPE");
        assertProblem(api.patch(ME, session.accessToken(), obj("primary_tenant_id", "nope", "version", version)), 400,
                "INVALID_TYPE");
        assertThat(meOk(session.accessToken()).path("user").path("version").asLong()).isEqualTo(version);
    }

    // ---------------------------------------------------------------- suspended tenants

    @Test
    void suspendingATenantStopsItsExistingTokens() {
        TenantRef tenant = fixtures.tenant();
        Session member = fixtures.userIn(tenant, "tenant_admin");
        assertThat(api.get(ME, member.accessToken()).status()).isEqualTo(200);

        suspend(tenant);

        assertProblem(api.get(ME, member.accessToken()), 403, "TENANT_SUSPENDED");
        assertProblem(api.get("/api/v1/users", member.accessToken()), 403, "TENANT_SUSPENDED");
    }

    @Test
    void refreshForASessionInASuspendedTenantIsRefused() {
        TenantRef tenant = fixtures.tenant();
        Session member = fixtures.userIn(tenant, "member");

        suspend(tenant);

        assertProblem(refresh(member.refreshToken()), 403, "TENANT_SUSPENDED");
    }

    @Test
    void loginIntoASuspendedTenantIsRefused() {
        TenantRef tenant = fixtures.tenant();
        String email = newUserIn(tenant, "member");

        suspend(tenant);

        assertProblem(login(email, Fixtures.PASSWORD, tenant.id()), 403, "TENANT_SUSPENDED");
        assertProblem(login(email, Fixtures.PASSWORD, null), 403, "TENANT_SUSPENDED");
    }

    @Test
    void loginWithoutATenantSkipsASuspendedPrimary() {
        TwoTenantUser user = viewerInAAdminInB();

        suspend(user.a());

        JsonNode signedIn = loginOk(user.email(), null);
        assertTenant(signedIn.path("tenant"), user.b());
        JsonNode me = meOk(signedIn.path("access_token").asString());
        assertTenant(me.path("tenant"), user.b());
        assertThat(membership(me, user.a()).path("tenant").path("status").asString()).isEqualTo("suspended");
        assertThat(membership(me, user.a()).path("is_primary").asBoolean()).isTrue();
    }

    @Test
    void switchingIntoASuspendedTenantIsRefused() {
        TwoTenantUser user = viewerInAAdminInB();
        Session inA = fixtures.login(user.email(), Fixtures.PASSWORD, null);

        suspend(user.b());

        assertProblem(api.post(SWITCH, inA.accessToken(), obj("tenant_id", user.b().id().toString())), 403,
                "TENANT_SUSPENDED");
        assertThat(api.get(ME, inA.accessToken()).status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- tokens and request ids

    @Test
    void garbageAndTamperedTokensAreInvalid() {
        Session session = newSession("member");
        TenantRef other = fixtures.tenant();
        String[] parts = session.accessToken().split("\\.");

        assertProblem(api.get(ME, "garbage"), 401, "TOKEN_INVALID");
        assertProblem(api.get(ME, "a.b.c"), 401, "TOKEN_INVALID");
        String otherTenant = encode(decode(parts[1]).replace(session.tenantId().toString(), other.id().toString()));
        assertProblem(api.get(ME, parts[0] + "." + otherTenant + "." + parts[2]), 401, "TOKEN_INVALID");
        String flippedSignature = parts[2].charAt(0) == 'A' ? "B" + parts[2].substring(1) : "A" + parts[2].substring(1);
        assertProblem(api.get(ME, parts[0] + "." + parts[1] + "." + flippedSignature), 401, "TOKEN_INVALID");
        String unsigned = encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
        assertProblem(api.get(ME, unsigned), 401, "TOKEN_INVALID");
        String hmac = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2];
        assertProblem(api.get(ME, hmac), 401, "TOKEN_INVALID");

        assertThat(api.get(ME, session.accessToken()).status()).isEqualTo(200);
    }

    @Test
    void aNonBearerAuthorizationIsUnauthenticated() {
        Api.Response basic = api.send("GET", ME, null, null, Map.of("Authorization", "Basic YWRtaW46YWRtaW4="));

        assertProblem(basic, 401, "UNAUTHENTICATED");
    }

    @Test
    void theCallersRequestIdIsEchoedAndNamedInProblems() {
        String id = "test-" + UUID.randomUUID();

        Api.Response unauthenticated = api.send("GET", ME, null, null, Map.of("X-Request-Id", id));
        assertProblem(unauthenticated, 401, "UNAUTHENTICATED");
        assertThat(unauthenticated.header("X-Request-Id")).isEqualTo(id);
        assertThat(unauthenticated.json().path("request_id").asString()).isEqualTo(id);

        Api.Response invalid = api.send("POST", LOGIN, null, "{}", Map.of("X-Request-Id", id));
        assertProblem(invalid, 400, "VALIDATION_FAILED");
        assertThat(invalid.header("X-Request-Id")).isEqualTo(id);
        assertThat(invalid.json().path("request_id").asString()).isEqualTo(id);

        Api.Response tooLarge = api.send("POST", LOGIN, null, "{\"email\":\"" + "e".repeat(70_000) + "\"}",
                Map.of("X-Request-Id", id));
        assertProblem(tooLarge, 413, "PAYLOAD_TOO_LARGE");
        assertThat(tooLarge.json().path("request_id").asString()).isEqualTo(id);

        Session session = newSession("member");
        Api.Response ok = api.send("GET", ME, session.accessToken(), null, Map.of("X-Request-Id", id));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("X-Request-Id")).isEqualTo(id);
    }

    @Test
    void anUnacceptableRequestIdIsReplaced() {
        Api.Response response = api.send("GET", ME, null, null, Map.of("X-Request-Id", "no spaces <allowed>"));

        assertProblem(response, 401, "UNAUTHENTICATED");
        String id = response.header("X-Request-Id");
        assertThat(id).isNotBlank().isNotEqualTo("no spaces <allowed>");
        assertThat(response.json().path("request_id").asString()).isEqualTo(id);
    }

    // ---------------------------------------------------------------- helpers

    /** A user who is a viewer in tenant A (their primary) and a tenant administrator in tenant B. */
    private record TwoTenantUser(String email, TenantRef a, TenantRef b) {
    }

    private TwoTenantUser viewerInAAdminInB() {
        TenantRef a = fixtures.tenant();
        TenantRef b = fixtures.tenant();
        String email = newUserIn(a, "viewer");
        fixtures.addUser(b, email, "tenant_admin");
        return new TwoTenantUser(email, a, b);
    }

    private String newUserIn(TenantRef tenant, String... roles) {
        String email = Fixtures.unique("user") + "@example.com";
        fixtures.addUser(tenant, email, roles);
        return email;
    }

    private Session newSession(String role) {
        return fixtures.userIn(fixtures.tenant(), role);
    }

    private Session adminIn(TenantRef tenant) {
        return fixtures.switchTo(fixtures.platformAdmin(), tenant.id());
    }

    private void suspend(TenantRef tenant) {
        Session admin = fixtures.platformAdmin();
        JsonNode current = api.get("/api/v1/tenants/" + tenant.id(), admin.accessToken()).json();
        Api.Response response = api.patch("/api/v1/tenants/" + tenant.id(), admin.accessToken(),
                obj("status", "suspended", "version", current.path("version").asLong()));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().path("status").asString()).isEqualTo("suspended");
    }

    private Api.Response login(String email, String password, UUID tenantId) {
        return api.post(LOGIN, null, tenantId == null ? obj("email", email, "password", password)
                : obj("email", email, "password", password, "tenant_id", tenantId.toString()));
    }

    private JsonNode loginOk(String email, UUID tenantId) {
        Api.Response response = login(email, Fixtures.PASSWORD, tenantId);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private Api.Response refresh(String refreshToken) {
        return api.post(REFRESH, null, obj("refresh_token", refreshToken));
    }

    private JsonNode refreshOk(String refreshToken) {
        Api.Response response = refresh(refreshToken);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private Api.Response refreshWithCookie(String refreshToken) {
        return api.send("POST", REFRESH, null, null, Map.of("Cookie", COOKIE + "=" + refreshToken));
    }

    private JsonNode meOk(String accessToken) {
        Api.Response response = api.get(ME, accessToken);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private List<String> permissions(String accessToken) {
        return strings(meOk(accessToken).path("permissions"));
    }

    private static JsonNode membership(JsonNode me, TenantRef tenant) {
        return membership(me, tenant.id());
    }

    private static JsonNode membership(JsonNode me, UUID tenantId) {
        return StreamSupport.stream(me.path("memberships").spliterator(), false)
                .filter(m -> m.path("tenant").path("id").asString().equals(tenantId.toString()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no membership of " + tenantId + " in " + me));
    }

    private static void assertExactlyOnePrimary(JsonNode me) {
        assertThat(StreamSupport.stream(me.path("memberships").spliterator(), false)
                .filter(m -> m.path("is_primary").asBoolean())).as(me.toString()).hasSize(1);
    }

    private static void assertTenant(JsonNode tenant, TenantRef expected) {
        assertThat(tenant.path("id").asString()).isEqualTo(expected.id().toString());
        assertThat(tenant.path("slug").asString()).isEqualTo(expected.slug());
        assertThat(tenant.path("name").asString()).isEqualTo(expected.json().path("name").asString());
        assertThat(tenant.path("status").asString()).isIn("active", "suspended");
    }

    /** An error response as the API promises it: problem+json with status, stable code and request id. */
    private static void assertProblem(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as(response.toString()).startsWith("application/problem+json");
        JsonNode body = response.json();
        assertThat(body.path("code").asString()).as(response.toString()).isEqualTo(code);
        assertThat(body.path("status").asInt()).isEqualTo(status);
        assertThat(body.path("request_id").asString()).isNotBlank().isEqualTo(response.header("X-Request-Id"));
        assertThat(body.path("type").asString()).startsWith("urn:canopy:problem:");
        assertThat(response.text()).doesNotContain("Exception", "\tat ", "trace", "org.springframework");
    }

    private static List<String> fieldErrors(Api.Response response) {
        return StreamSupport.stream(response.json().path("errors").spliterator(), false)
                .map(e -> e.path("field").asString())
                .toList();
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asString).toList();
    }

    /** The refresh cookie of a response: its value under its name, attributes under lower-case names. */
    private static Map<String, String> refreshCookie(Api.Response response) {
        String header = response.headerValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(COOKIE + "="))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + COOKIE + " cookie in " + response.headers()));
        var cookie = new java.util.LinkedHashMap<String, String>();
        Arrays.stream(header.split(";")).map(String::trim).forEach(part -> {
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            cookie.put(name.equals(COOKIE) ? name : name.toLowerCase(), eq < 0 ? "" : part.substring(eq + 1));
        });
        return cookie;
    }

    /** The claims of a JWT, read without verifying it (verification is the server's and jose4j's job). */
    private static JsonNode claims(String jwt) {
        return JSON.readTree(decode(jwt.split("\\.")[1]));
    }

    private static String decode(String base64url) {
        return new String(Base64.getUrlDecoder().decode(base64url), StandardCharsets.UTF_8);
    }

    private static String encode(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** POSTs a body without Content-Length (chunked), so the limit must hold while the body is read. */
    private Api.Response postChunked(String path, String body) {
        var request = HttpRequest.newBuilder(URI.create(api.base() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))))
                .build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Api.Response(response.statusCode(), response.headers().map(), response.body());
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Two refreshes with the same token, released together from two threads. */
    private List<Api.Response> raceTwoRefreshes(String refreshToken, ExecutorService pool) {
        var ready = new CountDownLatch(2);
        List<CompletableFuture<Api.Response>> racers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            racers.add(CompletableFuture.supplyAsync(() -> {
                ready.countDown();
                awaitQuietly(ready);
                return refresh(refreshToken);
            }, pool));
        }
        return racers.stream().map(CompletableFuture::join).toList();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
