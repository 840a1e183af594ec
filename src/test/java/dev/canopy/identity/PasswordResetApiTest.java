package dev.canopy.identity;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.errorFields;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.AuditLog;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import dev.canopy.support.Mailbox;

/** Forgotten passwords: a mailed single-use link, the same answer for unknown addresses, every session ended. */
class PasswordResetApiTest extends ApiTest {

    private static final String RESET = "/api/v1/auth/password-reset";
    private static final String CONFIRM = "/api/v1/auth/password-reset/confirm";
    private static final String NEW_PASSWORD = "reset-to-this-passphrase-31";

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    @Test
    void theMailedLinkSetsANewPasswordOnceAndEndsEverySession() {
        TenantRef tenant = fixtures.tenant();
        Session first = fixtures.userIn(tenant, "member");
        Session second = fixtures.login(first.email(), Fixtures.PASSWORD, null);

        Api.Response requested = api.send("POST", RESET, null, Api.json(obj("email", first.email().toUpperCase())),
                Map.of("X-Request-Id", "reset-request-" + first.userId()));
        assertThat(requested.status()).as(requested.toString()).isEqualTo(202);
        assertThat(requested.text()).isEmpty();

        Mailbox.Mail mail = Mailbox.awaitMessage(first.email(), 1);
        assertThat(mail.subject()).isEqualTo("Reset your Canopy password");
        assertThat(mail.link()).startsWith(api.base() + "/reset-password?token=");
        assertThat(mail.text()).contains("30 minutes");
        String token = mail.token();
        // still signed in until the reset is confirmed
        assertThat(api.get("/api/v1/auth/me", first.accessToken()).status()).isEqualTo(200);

        Api.Response confirmed = api.send("POST", CONFIRM, null, Api.json(obj("token", token, "new_password",
                NEW_PASSWORD)), Map.of("X-Request-Id", "reset-confirm-" + first.userId()));

        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(204);
        for (Session s : List.of(first, second)) {
            assertProblem(api.get("/api/v1/auth/me", s.accessToken()), 401, "SESSION_REVOKED");
            assertThat(api.post("/api/v1/auth/refresh", null, obj("refresh_token", s.refreshToken())).status())
                    .isEqualTo(401);
        }
        assertProblem(login(first.email(), Fixtures.PASSWORD), 401, "INVALID_CREDENTIALS");
        assertThat(login(first.email(), NEW_PASSWORD).status()).isEqualTo(200);

        assertProblem(api.post(CONFIRM, null, obj("token", token, "new_password", "yet-another-passphrase-1")), 400,
                "RESET_TOKEN_INVALID");
        assertThat(login(first.email(), NEW_PASSWORD).status()).as("the reused token changed nothing").isEqualTo(200);

        assertThat(AuditLog.ofRequest(scopes, jdbc, AuditLog.PLATFORM, "reset-request-" + first.userId()))
                .singleElement().satisfies(e -> {
                    assertThat(e.action()).isEqualTo("auth.password_reset_requested");
                    assertThat(e.resourceId()).isEqualTo(first.userId().toString());
                    assertThat(e.details()).doesNotContain(token);
                });
        assertThat(AuditLog.ofRequest(scopes, jdbc, tenant.id(), "reset-confirm-" + first.userId()))
                .singleElement().satisfies(e -> {
                    assertThat(e.action()).isEqualTo("auth.password_reset_completed");
                    assertThat(e.actorEmail()).isEqualTo(first.email());
                    assertThat(e.resourceId()).isEqualTo(first.userId().toString());
                    assertThat(e.details()).doesNotContain(token).doesNotContain(NEW_PASSWORD).contains("[REDACTED]");
                });
    }

    @Test
    void theAnswerIsTheSameWhetherOrNotTheAddressHasAnAccount() {
        Session known = fixtures.userIn(fixtures.tenant(), "viewer");
        String unknown = Fixtures.unique("nobody") + "@example.com";

        Api.Response forKnown = api.post(RESET, null, obj("email", known.email()));
        Api.Response forUnknown = api.post(RESET, null, obj("email", unknown));

        assertThat(forUnknown.status()).isEqualTo(forKnown.status()).isEqualTo(202);
        assertThat(forUnknown.text()).isEqualTo(forKnown.text());
        assertThat(headerNames(forUnknown)).isEqualTo(headerNames(forKnown));
        for (String header : headerNames(forKnown)) {
            if (!Set.of("date", "x-request-id").contains(header)) {
                assertThat(forUnknown.headerValues(header)).as(header).isEqualTo(forKnown.headerValues(header));
            }
        }
        Mailbox.awaitMessage(known.email(), 1);
        Mailbox.assertNoMoreThan(unknown, 0);
    }

    @Test
    void aNewerLinkReplacesTheEarlierOneAndAnExpiredOneIsRefused() {
        Session user = fixtures.userIn(fixtures.tenant(), "member");
        api.post(RESET, null, obj("email", user.email()));
        String earlier = Mailbox.awaitMessage(user.email(), 1).token();
        api.post(RESET, null, obj("email", user.email()));
        String later = Mailbox.awaitMessage(user.email(), 2).token();

        assertProblem(confirm(earlier, NEW_PASSWORD), 400, "RESET_TOKEN_INVALID");
        jdbc.sql("update platform.account_tokens set expires_at = now() - interval '1 second' where user_id = ?")
                .param(user.userId()).update();
        assertProblem(confirm(later, NEW_PASSWORD), 400, "RESET_TOKEN_INVALID");
        assertThat(login(user.email(), Fixtures.PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void aRefusedNewPasswordLeavesTheLinkUsable() {
        Session user = fixtures.userIn(fixtures.tenant(), "member");
        api.post(RESET, null, obj("email", user.email()));
        String token = Mailbox.awaitMessage(user.email(), 1).token();

        Api.Response weak = confirm(token, "short");
        assertProblem(weak, 400, "VALIDATION_FAILED");
        assertThat(errorFields(weak)).containsExactly("new_password");
        String localPart = user.email().substring(0, user.email().indexOf('@'));
        Api.Response personal = confirm(token, "my-" + localPart + "-passphrase");
        assertProblem(personal, 400, "PASSWORD_TOO_COMMON");
        Api.Response breached = confirm(token, "password1234");
        assertProblem(breached, 400, "PASSWORD_TOO_COMMON");
        assertThat(errorFields(breached)).containsExactly("new_password");
        assertThat(errorFields(personal)).containsExactly("new_password");
        assertThat(api.get("/api/v1/auth/me", user.accessToken()).status()).isEqualTo(200);

        assertThat(confirm(token, NEW_PASSWORD).status()).isEqualTo(204);
    }

    @Test
    void anAccountGetsAtMostThreeResetMailsPerHalfHourAndTheAnswerDoesNotChange() {
        Session user = fixtures.userIn(fixtures.tenant(), "member");

        for (int i = 0; i < 5; i++) {
            Api.Response answer = api.post(RESET, null, obj("email", user.email()));
            assertThat(answer.status()).isEqualTo(202);
            assertThat(answer.text()).isEmpty();
        }

        Mailbox.awaitMessage(user.email(), 3);
        Mailbox.assertNoMoreThan(user.email(), 3);
    }

    @Test
    void aDisabledAccountGetsNoLink() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session user = fixtures.userIn(tenant, "member");
        assertThat(api.patch("/api/v1/users/" + user.userId(), admin.accessToken(), obj("is_active", false,
                "version", 0)).status()).isEqualTo(200);

        assertThat(api.post(RESET, null, obj("email", user.email())).status()).isEqualTo(202);
        Mailbox.assertNoMoreThan(user.email(), 0);
    }

    @Test
    void rejectsBadInputWithStableCodes() {
        record Case(String path, String body, String code, List<String> fields) {
        }
        String email = Fixtures.unique("bad") + "@example.com";
        List<Case> cases = List.of(
                new Case(RESET, "{\"email\": ", "MALFORMED_JSON", List.of()),
                new Case(RESET, Api.json(obj("email", email, "tenant_id", UUID.randomUUID())), "UNKNOWN_FIELD",
                        List.of("tenant_id")),
                new Case(RESET, Api.json(obj("email", 42)), "INVALID_TYPE", List.of("email")),
                new Case(RESET, Api.json(obj("email", List.of(email))), "INVALID_TYPE", List.of("email")),
                new Case(RESET, "{}", "VALIDATION_FAILED", List.of("email")),
                new Case(RESET, Api.json(obj("email", "not-an-address")), "VALIDATION_FAILED", List.of("email")),
                new Case(RESET, Api.json(obj("email", "a".repeat(330) + "@example.com")), "VALIDATION_FAILED",
                        List.of("email")),
                new Case(CONFIRM, "{\"token\": \"x\",", "MALFORMED_JSON", List.of()),
                new Case(CONFIRM, Api.json(obj("token", "x", "new_password", NEW_PASSWORD, "email", email)),
                        "UNKNOWN_FIELD", List.of("email")),
                new Case(CONFIRM, Api.json(obj("token", 5, "new_password", NEW_PASSWORD)), "INVALID_TYPE",
                        List.of("token")),
                new Case(CONFIRM, Api.json(obj("token", "x", "new_password", true)), "INVALID_TYPE",
                        List.of("new_password")),
                new Case(CONFIRM, "{}", "VALIDATION_FAILED", List.of("token", "new_password")),
                new Case(CONFIRM, Api.json(obj("token", "t".repeat(201), "new_password", NEW_PASSWORD)),
                        "VALIDATION_FAILED", List.of("token")),
                new Case(CONFIRM, Api.json(obj("token", "x", "new_password", "p".repeat(1025))), "VALIDATION_FAILED",
                        List.of("new_password")),
                new Case(CONFIRM, Api.json(obj("token", "no-such-token", "new_password", NEW_PASSWORD)),
                        "RESET_TOKEN_INVALID", List.of()));
        for (Case c : cases) {
            Api.Response response = api.post(c.path(), null, c.body());
            assertProblem(response, 400, c.code());
            assertThat(errorFields(response).stream().distinct()).as(c.body())
                    .containsExactlyInAnyOrderElementsOf(c.fields());
        }
        assertProblem(api.send("POST", RESET, null, "", Map.of("Content-Type", "application/json")), 400,
                "MISSING_BODY");
        assertProblem(api.send("POST", RESET, null, "email=x", Map.of("Content-Type",
                "application/x-www-form-urlencoded")), 415, "UNSUPPORTED_MEDIA_TYPE");
    }

    private Api.Response confirm(String token, String newPassword) {
        return api.post(CONFIRM, null, obj("token", token, "new_password", newPassword));
    }

    private Api.Response login(String email, String password) {
        return api.post("/api/v1/auth/login", null, obj("email", email, "password", password));
    }

    private static Set<String> headerNames(Api.Response response) {
        var names = new TreeSet<String>();
        response.headers().keySet().forEach(name -> names.add(name.toLowerCase()));
        return names;
    }
}
