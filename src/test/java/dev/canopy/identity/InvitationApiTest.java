package dev.canopy.identity;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.errorFields;
import static dev.canopy.support.ApiAssertions.ids;
import static dev.canopy.support.ApiAssertions.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
import dev.canopy.support.RecordedEvents;
import dev.canopy.platform.events.EventEnvelope;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/invitations}: inviting by mail, accepting with the mailed token, listing and revoking. */
class InvitationApiTest extends ApiTest {

    @Autowired
    RecordedEvents events;

    private static final String INVITATIONS = "/api/v1/invitations";
    private static final String NEW_PASSWORD = "a-brand-new-passphrase-9";

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    // --- the happy paths ---------------------------------------------------------------------------------

    @Test
    void aNewPersonAcceptsTheMailedInvitationAndCanSignIn() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String email = email();
        Instant before = Instant.now();

        Api.Response created = api.send("POST", INVITATIONS, admin.accessToken(),
                Api.json(obj("email", email, "roles", List.of("member", "member"))),
                Map.of("X-Request-Id", "invite-" + email.hashCode()));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode json = created.json();
        assertThat(Set.copyOf(json.propertyNames())).isEqualTo(Set.of("id", "email", "roles", "created_at",
                "expires_at", "status"));
        UUID id = UUID.fromString(json.path("id").asString());
        assertThat(created.header("Location")).endsWith(INVITATIONS + "/" + id);
        assertThat(json.path("email").asString()).isEqualTo(email);
        assertThat(strings(json.path("roles"))).containsExactly("member");
        assertThat(json.path("status").asString()).isEqualTo("pending");
        assertThat(Instant.parse(json.path("expires_at").asString()))
                .isBetween(before.plus(Duration.ofDays(7)).minusSeconds(5), Instant.now().plus(Duration.ofDays(7)));
        assertThat(ids(api.get(INVITATIONS, admin.accessToken()))).contains(id);

        Mailbox.Mail mail = Mailbox.awaitMessage(email, 1);
        assertThat(mail.subject()).contains(tenant.json().path("name").asString());
        assertThat(mail.text()).contains(admin.email());
        assertThat(mail.link()).startsWith(api.base() + "/accept-invitation?token=");
        String token = mail.token();
        assertThat(token).hasSize(43);

        Api.Response accepted = api.send("POST", INVITATIONS + "/" + token + "/accept", null,
                Api.json(obj("full_name", "  Grace Hopper ", "password", NEW_PASSWORD)),
                Map.of("X-Request-Id", "accept-" + email.hashCode()));

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
        assertThat(accepted.json().path("account_created").asBoolean()).isTrue();
        assertThat(accepted.json().path("user").path("email").asString()).isEqualTo(email);
        assertThat(accepted.json().path("user").path("full_name").asString()).isEqualTo("Grace Hopper");
        assertThat(accepted.json().path("tenant").path("id").asString()).isEqualTo(tenant.id().toString());
        Session joined = fixtures.login(email, NEW_PASSWORD, null);
        assertThat(joined.tenantId()).isEqualTo(tenant.id());
        JsonNode me = api.get("/api/v1/auth/me", joined.accessToken()).json();
        assertThat(strings(me.path("permissions"))).containsExactlyInAnyOrder("tenants:read", "users:list",
                "users:read", "roles:list", "permissions:list", "cloud_accounts:list", "cloud_accounts:read",
                "cloud_accounts:test", "templates:list", "templates:read", "environments:list", "deployments:list",
                "deployments:read");
        assertThat(me.path("memberships").get(0).path("is_primary").asBoolean()).isTrue();
        assertThat(ids(api.get(INVITATIONS, admin.accessToken()))).doesNotContain(id);

        assertProblem(api.post(INVITATIONS + "/" + token + "/accept", null,
                obj("full_name", "Again", "password", NEW_PASSWORD)), 410, "INVITATION_ALREADY_ACCEPTED");

        EventEnvelope invitedEvent = events.await(e -> e.subject().id().equals(id), Duration.ofSeconds(10))
                .orElseThrow();
        assertThat(invitedEvent.type()).isEqualTo("user.invited");
        assertThat(invitedEvent.actor().id()).isEqualTo(admin.userId());
        assertThat(invitedEvent.data().path("email").asString()).isEqualTo(email);
        assertThat(invitedEvent.toString()).doesNotContain(token);
        EventEnvelope joinedEvent = events.await(e -> e.type().equals("member.joined")
                && e.subject().id().equals(joined.userId()), Duration.ofSeconds(10)).orElseThrow();
        assertThat(joinedEvent.actor().display()).isEqualTo(email);
        assertThat(joinedEvent.toString()).doesNotContain(NEW_PASSWORD);

        // the audit trail names what happened and never holds the token or the password
        List<AuditLog.Event> invited = AuditLog.ofRequest(scopes, jdbc, tenant.id(), "invite-" + email.hashCode());
        assertThat(invited).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo("invitation.created");
            assertThat(e.resourceType()).isEqualTo("invitation");
            assertThat(e.resourceId()).isEqualTo(id.toString());
            assertThat(e.actorEmail()).isEqualTo(admin.email());
            assertThat(e.details()).doesNotContain(token);
        });
        List<AuditLog.Event> acceptance = AuditLog.ofRequest(scopes, jdbc, tenant.id(), "accept-" + email.hashCode());
        assertThat(acceptance).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo("invitation.accepted");
            assertThat(e.status()).isEqualTo("success");
            assertThat(e.resourceId()).isEqualTo(id.toString());
            assertThat(e.actorEmail()).isEqualTo(email);
            assertThat(e.details()).doesNotContain(token).doesNotContain(NEW_PASSWORD).contains("[REDACTED]");
        });
    }

    @Test
    void anExistingAccountJoinsWithItsOwnPasswordAndKeepsItsName() {
        TenantRef home = fixtures.tenant();
        Session existing = fixtures.userIn(home, "viewer");
        TenantRef other = fixtures.tenant();
        Session admin = fixtures.userIn(other, "tenant_admin");
        String name = api.get("/api/v1/auth/me", existing.accessToken()).json().path("user").path("full_name")
                .asString();

        assertThat(invite(admin, existing.email().toUpperCase(), "tenant_admin").status()).isEqualTo(201);
        String token = Mailbox.awaitMessage(existing.email(), 1).token();

        assertProblem(api.post(accept(token), null, obj("password", "not-the-right-password")), 401,
                "INVALID_CREDENTIALS");
        Api.Response accepted = api.post(accept(token), null, obj("full_name", "Someone Else",
                "password", Fixtures.PASSWORD));

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
        assertThat(accepted.json().path("account_created").asBoolean()).isFalse();
        assertThat(accepted.json().path("user").path("id").asString()).isEqualTo(existing.userId().toString());
        Session inOther = fixtures.login(existing.email(), Fixtures.PASSWORD, other.id());
        JsonNode me = api.get("/api/v1/auth/me", inOther.accessToken()).json();
        assertThat(me.path("user").path("full_name").asString()).isEqualTo(name);
        assertThat(me.path("memberships").size()).isEqualTo(2);
        assertThat(strings(me.path("permissions"))).contains("users:create", "api_keys:create");
        // the primary tenant stays the one the account had
        assertThat(fixtures.login(existing.email(), Fixtures.PASSWORD, null).tenantId()).isEqualTo(home.id());
    }

    @Test
    void anAccountWithoutAPasswordGetsTheOneChosenOnAcceptance() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String email = email();
        Api.Response added = api.post("/api/v1/users", fixtures.switchTo(fixtures.platformAdmin(),
                fixtures.tenant().id()).accessToken(), obj("email", email, "full_name", "No Password Yet",
                        "roles", List.of("viewer")));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);

        invite(admin, email, "member");
        String token = Mailbox.awaitMessage(email, 1).token();
        assertProblem(api.post(accept(token), null, obj("password", "short")), 400, "VALIDATION_FAILED");
        assertThat(api.post(accept(token), null, obj("password", NEW_PASSWORD)).status()).isEqualTo(200);

        assertThat(fixtures.login(email, NEW_PASSWORD, tenant.id()).tenantId()).isEqualTo(tenant.id());
    }

    // --- refusals -----------------------------------------------------------------------------------------

    @Test
    void revokedExpiredUsedAndUnknownTokensAreRefused() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");

        String revokedEmail = email();
        UUID revoked = id(invite(admin, revokedEmail, "member"));
        String revokedToken = Mailbox.awaitMessage(revokedEmail, 1).token();
        Api.Response revoke = api.delete(INVITATIONS + "/" + revoked, admin.accessToken());
        assertThat(revoke.status()).as(revoke.toString()).isEqualTo(204);
        assertThat(api.delete(INVITATIONS + "/" + revoked, admin.accessToken()).status()).as("idempotent")
                .isEqualTo(204);
        assertThat(ids(api.get(INVITATIONS, admin.accessToken()))).doesNotContain(revoked);
        assertProblem(api.post(accept(revokedToken), null, newAccount()), 410, "INVITATION_REVOKED");

        String expiredEmail = email();
        UUID expired = id(invite(admin, expiredEmail, "member"));
        String expiredToken = Mailbox.awaitMessage(expiredEmail, 1).token();
        scopes.inTenant(tenant.id(), () -> jdbc.sql("update invitations set expires_at = now() - interval "
                + "'1 second' where tenant_id = ? and id = ?").params(tenant.id(), expired).update());
        assertProblem(api.post(accept(expiredToken), null, newAccount()), 410, "INVITATION_EXPIRED");
        assertThat(ids(api.get(INVITATIONS, admin.accessToken()))).doesNotContain(expired);

        assertProblem(api.post(accept(Fixtures.unique("no-such-token")), null, newAccount()), 404,
                "INVITATION_NOT_FOUND");
        assertProblem(api.post(accept(revokedToken.substring(1) + "A"), null, newAccount()), 404,
                "INVITATION_NOT_FOUND");

        String usedEmail = email();
        UUID used = id(invite(admin, usedEmail, "member"));
        String usedToken = Mailbox.awaitMessage(usedEmail, 1).token();
        assertThat(api.post(accept(usedToken), null, newAccount()).status()).isEqualTo(200);
        assertProblem(api.post(accept(usedToken), null, newAccount()), 410, "INVITATION_ALREADY_ACCEPTED");
        assertProblem(api.delete(INVITATIONS + "/" + used, admin.accessToken()), 409, "INVITATION_ALREADY_ACCEPTED");

        for (String email : List.of(revokedEmail, expiredEmail)) {
            assertProblem(api.post("/api/v1/auth/login", null, obj("email", email, "password", NEW_PASSWORD)), 401,
                    "INVALID_CREDENTIALS");
        }
    }

    @Test
    void twoRacingAcceptancesOfOneTokenCreateOneAccount() throws Exception {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String email = email();
        invite(admin, email, "member");
        String token = Mailbox.awaitMessage(email, 1).token();

        var start = new CountDownLatch(1);
        Callable<Integer> acceptance = () -> {
            start.await();
            return api.post(accept(token), null, newAccount()).status();
        };
        List<Integer> statuses = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(4)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(acceptance));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                statuses.add(result.get());
            }
        }
        assertThat(statuses).containsOnlyOnce(200).allMatch(s -> s == 200 || s == 410 || s == 409);
        assertThat(fixtures.login(email, NEW_PASSWORD, null).tenantId()).isEqualTo(tenant.id());
    }

    @Test
    void refusesMembersPendingInvitationsAndUnknownRoles() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session member = fixtures.userIn(tenant, "member");

        assertProblem(invite(admin, member.email(), "viewer"), 409, "ALREADY_A_MEMBER");
        String email = email();
        assertThat(invite(admin, email, "viewer").status()).isEqualTo(201);
        assertProblem(invite(admin, email.toUpperCase(), "member"), 409, "ALREADY_INVITED");
        Api.Response unknown = invite(admin, email(), "viewer", "owner");
        assertProblem(unknown, 400, "UNKNOWN_ROLE");
        assertThat(errorFields(unknown)).containsExactly("roles[1]");
        assertProblem(invite(admin, email(), "platform_admin"), 400, "UNKNOWN_ROLE");
    }

    @Test
    void onlyMembersWithTheUserPermissionsInviteListAndRevoke() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session member = fixtures.userIn(tenant, "member");
        Session viewer = fixtures.userIn(tenant, "viewer");
        UUID id = id(invite(admin, email(), "viewer"));

        assertProblem(invite(member, email(), "viewer"), 403, "FORBIDDEN");
        assertProblem(api.delete(INVITATIONS + "/" + id, member.accessToken()), 403, "FORBIDDEN");
        assertThat(ids(api.get(INVITATIONS, viewer.accessToken()))).contains(id);
        assertProblem(api.get(INVITATIONS, null), 401, "UNAUTHENTICATED");
        assertProblem(api.post(INVITATIONS, null, obj("email", email(), "roles", List.of("viewer"))), 401,
                "UNAUTHENTICATED");
        assertProblem(api.delete(INVITATIONS + "/" + id, null), 401, "UNAUTHENTICATED");
        assertThat(ids(api.get(INVITATIONS, admin.accessToken()))).contains(id);
    }

    @Test
    void anotherTenantsInvitationsAreNotFound() {
        TenantRef a = fixtures.tenant();
        Session adminA = fixtures.userIn(a, "tenant_admin");
        TenantRef b = fixtures.tenant();
        Session adminB = fixtures.userIn(b, "tenant_admin");
        UUID inA = id(invite(adminA, email(), "member"));
        UUID inB = id(invite(adminB, email(), "member"));

        assertThat(ids(api.get(INVITATIONS, adminB.accessToken()))).contains(inB).doesNotContain(inA);
        assertProblem(api.delete(INVITATIONS + "/" + inA, adminB.accessToken()), 404, "INVITATION_NOT_FOUND");
        assertProblem(api.delete(INVITATIONS + "/" + UUID.randomUUID(), adminB.accessToken()), 404,
                "INVITATION_NOT_FOUND");
        assertThat(ids(api.get(INVITATIONS, adminA.accessToken()))).contains(inA);
    }

    @Test
    void listsPendingInvitationsInPages() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        List<UUID> created = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            created.add(id(invite(admin, email(), "viewer")));
        }
        Api.Response first = api.get(INVITATIONS + "?limit=2", admin.accessToken());
        assertThat(ids(first)).containsExactlyElementsOf(created.subList(0, 2));
        Api.Response second = api.get(INVITATIONS + "?limit=2&cursor=" + first.json().path("next_cursor").asString(),
                admin.accessToken());
        assertThat(ids(second)).containsExactly(created.get(2));
        assertThat(second.json().path("next_cursor").isNull()).isTrue();
        assertProblem(api.get(INVITATIONS + "?limit=0", admin.accessToken()), 400, "VALIDATION_FAILED");
        assertProblem(api.get(INVITATIONS + "?cursor=not*a*cursor", admin.accessToken()), 400, "VALIDATION_FAILED");
    }

    // --- bad input ----------------------------------------------------------------------------------------

    @Test
    void createRejectsBadInputWithoutInvitingAnyone() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String e = email();
        record Case(String body, String code, List<String> fields) {
        }
        List<Case> cases = List.of(
                new Case("{\"email\": \"" + e + "\", \"roles\": [\"member\"]", "MALFORMED_JSON", List.of()),
                new Case("not json", "MALFORMED_JSON", List.of()),
                new Case(Api.json(obj("email", e, "roles", List.of("member"), "tenant_id", UUID.randomUUID())),
                        "UNKNOWN_FIELD", List.of("tenant_id")),
                new Case(Api.json(obj("email", e, "roles", List.of("member"), "token", "x")), "UNKNOWN_FIELD",
                        List.of("token")),
                new Case(Api.json(obj("email", 5, "roles", List.of("member"))), "INVALID_TYPE", List.of("email")),
                new Case(Api.json(obj("email", e, "roles", "member")), "INVALID_TYPE", List.of("roles")),
                new Case(Api.json(obj("email", e, "roles", List.of(1))), "INVALID_TYPE", List.of("roles[0]")),
                new Case("[]", "INVALID_TYPE", List.of("$")),
                new Case("{}", "VALIDATION_FAILED", List.of("email", "roles")),
                new Case(Api.json(obj("email", e)), "VALIDATION_FAILED", List.of("roles")),
                new Case(Api.json(obj("email", "not-an-email", "roles", List.of("member"))), "VALIDATION_FAILED",
                        List.of("email")),
                new Case(Api.json(obj("email", "a".repeat(320) + "@example.com", "roles", List.of("member"))),
                        "VALIDATION_FAILED", List.of("email")),
                new Case(Api.json(obj("email", e, "roles", List.of())), "VALIDATION_FAILED", List.of("roles")),
                new Case(Api.json(obj("email", e, "roles", Collections.nCopies(21, "member"))), "VALIDATION_FAILED",
                        List.of("roles")),
                new Case(Api.json(obj("email", e, "roles", List.of("x".repeat(65)))), "VALIDATION_FAILED",
                        List.of("roles[0]")));
        for (Case c : cases) {
            Api.Response response = api.post(INVITATIONS, admin.accessToken(), c.body());
            assertProblem(response, 400, c.code());
            assertThat(errorFields(response).stream().distinct()).as(c.body())
                    .containsExactlyInAnyOrderElementsOf(c.fields());
        }
        assertProblem(api.send("POST", INVITATIONS, admin.accessToken(), "", Map.of("Content-Type",
                "application/json")), 400, "MISSING_BODY");
        assertProblem(api.send("POST", INVITATIONS, admin.accessToken(), "email=x", Map.of("Content-Type",
                "application/x-www-form-urlencoded")), 415, "UNSUPPORTED_MEDIA_TYPE");
        assertProblem(api.delete(INVITATIONS + "/not-a-uuid", admin.accessToken()), 400, "VALIDATION_FAILED");
        assertThat(ids(api.get(INVITATIONS, admin.accessToken()))).isEmpty();
        Mailbox.assertNoMoreThan(e, 0);
    }

    @Test
    void acceptRejectsBadInputAndLeavesTheInvitationPending() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String email = email();
        UUID id = id(invite(admin, email, "member"));
        String path = accept(Mailbox.awaitMessage(email, 1).token());
        record Case(String body, String code, List<String> fields) {
        }
        List<Case> cases = List.of(
                new Case("{\"full_name\": \"X\", \"password\": ", "MALFORMED_JSON", List.of()),
                new Case(Api.json(obj("full_name", "X", "password", NEW_PASSWORD, "email", "me@example.com")),
                        "UNKNOWN_FIELD", List.of("email")),
                new Case(Api.json(obj("full_name", "X", "password", NEW_PASSWORD, "roles", List.of("tenant_admin"))),
                        "UNKNOWN_FIELD", List.of("roles")),
                new Case(Api.json(obj("full_name", 5, "password", NEW_PASSWORD)), "INVALID_TYPE",
                        List.of("full_name")),
                new Case(Api.json(obj("full_name", "X", "password", 123456789012345L)), "INVALID_TYPE",
                        List.of("password")),
                new Case("{}", "VALIDATION_FAILED", List.of("password")),
                new Case(Api.json(obj("password", NEW_PASSWORD)), "VALIDATION_FAILED", List.of("full_name")),
                new Case(Api.json(obj("full_name", "   ", "password", NEW_PASSWORD)), "VALIDATION_FAILED",
                        List.of("full_name")),
                new Case(Api.json(obj("full_name", "n".repeat(201), "password", NEW_PASSWORD)), "VALIDATION_FAILED",
                        List.of("full_name")),
                new Case(Api.json(obj("full_name", "X", "password", "too-short")), "VALIDATION_FAILED",
                        List.of("password")),
                new Case(Api.json(obj("full_name", "X", "password", "p".repeat(1025))), "VALIDATION_FAILED",
                        List.of("password")),
                new Case(Api.json(obj("full_name", "X", "password", "my " + email.substring(0, email.indexOf('@'))
                        + " passphrase")), "PASSWORD_TOO_COMMON", List.of("password")),
                new Case(Api.json(obj("full_name", "X", "password", "password1234")), "PASSWORD_TOO_COMMON",
                        List.of("password")),
                new Case(Api.json(obj("full_name", "Nul\u0000Byte", "password", NEW_PASSWORD)), "INVALID_VALUE",
                        List.of()));
        for (Case c : cases) {
            Api.Response response = api.post(path, null, c.body());
            assertProblem(response, 400, c.code());
            assertThat(errorFields(response).stream().distinct()).as(c.body())
                    .containsExactlyInAnyOrderElementsOf(c.fields());
        }
        assertThat(ids(api.get(INVITATIONS, admin.accessToken()))).as("still pending").contains(id);
        assertThat(api.post(path, null, newAccount()).status()).isEqualTo(200);
    }

    private Api.Response invite(Session by, String email, String... roles) {
        return api.post(INVITATIONS, by.accessToken(), obj("email", email, "roles", List.of(roles)));
    }

    private static UUID id(Api.Response created) {
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return UUID.fromString(created.json().path("id").asString());
    }

    private static String accept(String token) {
        return INVITATIONS + "/" + token + "/accept";
    }

    private static Map<String, Object> newAccount() {
        return obj("full_name", "Invited Person", "password", NEW_PASSWORD);
    }

    private static String email() {
        return Fixtures.unique("invitee") + "@example.com";
    }
}
