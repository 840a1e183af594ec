package dev.canopy.identity;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.errorFields;
import static dev.canopy.support.ApiAssertions.ids;
import static dev.canopy.support.ApiAssertions.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.identity.internal.ApiKeyDirectory;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.platform.security.CanopyPrincipal;
import dev.canopy.platform.web.ApiException;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.AuditLog;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/api-keys} and {@code Authorization: Bearer cnp_...}: scope, revocation, no escalation. */
class ApiKeyApiTest extends ApiTest {

    private static final String KEYS = "/api/v1/api-keys";
    private static final Set<String> LISTED = Set.of("id", "name", "prefix", "roles", "created_at", "expires_at",
            "last_used_at");

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private ApiKeyDirectory directory;

    @Test
    void theSecretIsShownOnceAndAuthenticatesWithTheKeysRolesOnly() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Instant expires = Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);

        Api.Response created = api.send("POST", KEYS, admin.accessToken(), Api.json(obj("name", " ci deploy ",
                "roles", List.of("viewer"), "expires_at", expires.toString())), Map.of("X-Request-Id",
                        "key-" + admin.userId()));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("Cache-Control")).contains("no-store");
        JsonNode json = created.json();
        String secret = json.path("secret").asString();
        assertThat(secret).matches("cnp_[A-Za-z0-9_-]{43}");
        UUID id = UUID.fromString(json.path("id").asString());
        assertThat(created.header("Location")).endsWith(KEYS + "/" + id);
        assertThat(json.path("name").asString()).isEqualTo("ci deploy");
        assertThat(json.path("prefix").asString()).isEqualTo(secret.substring(4, 12));
        assertThat(strings(json.path("roles"))).containsExactly("viewer");
        assertThat(Instant.parse(json.path("expires_at").asString())).isEqualTo(expires);
        assertThat(json.path("last_used_at").isNull()).isTrue();

        Api.Response listed = api.get(KEYS, admin.accessToken());
        assertThat(listed.text()).doesNotContain(secret).doesNotContain("secret");
        JsonNode item = listed.json().path("items").get(0);
        assertThat(Set.copyOf(item.propertyNames())).isEqualTo(LISTED);
        assertThat(item.path("prefix").asString()).isEqualTo(secret.substring(4, 12));

        // the key's principal: its tenant, the viewer's permissions, nothing more
        Api.Response users = api.get("/api/v1/users", secret);
        assertThat(users.status()).as(users.toString()).isEqualTo(200);
        assertThat(ids(users)).contains(admin.userId());
        assertProblem(api.get("/api/v1/roles", secret), 403, "FORBIDDEN");
        assertProblem(api.post("/api/v1/users", secret, obj("email", Fixtures.unique("k") + "@example.com",
                "full_name", "By Key", "roles", List.of("viewer"))), 403, "FORBIDDEN");
        assertProblem(api.get(KEYS, secret), 403, "FORBIDDEN");
        assertThat(api.get(KEYS, admin.accessToken()).json().path("items").get(0).path("last_used_at").isNull())
                .as("use is recorded").isFalse();

        assertThat(AuditLog.ofRequest(scopes, jdbc, tenant.id(), "key-" + admin.userId())).singleElement()
                .satisfies(e -> {
                    assertThat(e.action()).isEqualTo("api_key.created");
                    assertThat(e.resourceId()).isEqualTo(id.toString());
                    assertThat(e.details()).doesNotContain(secret).doesNotContain(secret.substring(4));
                });
    }

    @Test
    void changesMadeWithAKeyAreAuditedAsTheKey() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String name = Fixtures.unique("automation");
        String secret = secret(createKey(admin, name, "tenant_admin"));
        String email = Fixtures.unique("by-key") + "@example.com";

        Api.Response added = api.send("POST", "/api/v1/users", secret, Api.json(obj("email", email, "full_name",
                "Added By Key", "roles", List.of("viewer"))), Map.of("X-Request-Id", "by-key-" + name));

        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        assertThat(AuditLog.ofRequest(scopes, jdbc, tenant.id(), "by-key-" + name)).singleElement()
                .satisfies(e -> {
                    assertThat(e.action()).isEqualTo("user.added");
                    assertThat(e.actorEmail()).isEqualTo("api-key:" + name);
                    assertThat(e.actorType()).isEqualTo("api_key");
                });
    }

    @Test
    void aKeyActsInItsOwnTenantOnly() {
        TenantRef a = fixtures.tenant();
        Session adminA = fixtures.userIn(a, "tenant_admin");
        TenantRef b = fixtures.tenant();
        Session adminB = fixtures.userIn(b, "tenant_admin");
        String secret = secret(createKey(adminA, "a-key", "tenant_admin"));
        UUID keyOfB = UUID.fromString(createKey(adminB, "b-key", "viewer").json().path("id").asString());
        Api.Response invitationOfB = api.post("/api/v1/invitations", adminB.accessToken(), obj("email",
                Fixtures.unique("b") + "@example.com", "roles", List.of("viewer")));
        UUID inviteOfB = UUID.fromString(invitationOfB.json().path("id").asString());

        assertThat(ids(api.get("/api/v1/users", secret))).contains(adminA.userId()).doesNotContain(adminB.userId());
        assertProblem(api.get("/api/v1/users/" + adminB.userId(), secret), 404, "USER_NOT_FOUND");
        assertProblem(api.patch("/api/v1/users/" + adminB.userId(), secret, obj("roles", List.of("viewer"),
                "version", 0)), 404, "USER_NOT_FOUND");
        assertProblem(api.delete("/api/v1/users/" + adminB.userId(), secret), 404, "USER_NOT_FOUND");
        assertProblem(api.delete(KEYS + "/" + keyOfB, secret), 404, "API_KEY_NOT_FOUND");
        assertProblem(api.delete("/api/v1/invitations/" + inviteOfB, secret), 404, "INVITATION_NOT_FOUND");
        assertThat(ids(api.get(KEYS, secret))).doesNotContain(keyOfB);
        assertThat(ids(api.get(KEYS, adminB.accessToken()))).contains(keyOfB);

        // a key is no person: no profile, no sessions, no tenant switching, no tenant of its own making
        assertProblem(api.get("/api/v1/auth/me", secret), 403, "API_KEY_NOT_ALLOWED");
        assertProblem(api.get("/api/v1/auth/sessions", secret), 403, "API_KEY_NOT_ALLOWED");
        assertProblem(api.post("/api/v1/auth/switch-tenant", secret, obj("tenant_id", b.id().toString())), 403,
                "API_KEY_NOT_ALLOWED");
        assertProblem(api.post("/api/v1/auth/logout-all", secret, null), 403, "API_KEY_NOT_ALLOWED");
        String slug = Fixtures.unique("t");
        assertProblem(api.post("/api/v1/tenants", secret, obj("name", "By Key", "slug", slug)), 403,
                "API_KEY_NOT_ALLOWED");
        assertThat(api.get("/api/v1/users", secret).status()).isEqualTo(200);
    }

    @Test
    void revocationTakesEffectAtOnce() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Api.Response created = createKey(admin, "short-lived", "viewer");
        String secret = secret(created);
        String id = created.json().path("id").asString();
        for (int i = 0; i < 3; i++) {
            assertThat(api.get("/api/v1/users", secret).status()).as("cached after the first use").isEqualTo(200);
        }

        Api.Response revoked = api.delete(KEYS + "/" + id, admin.accessToken());

        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(204);
        assertProblem(api.get("/api/v1/users", secret), 401, "API_KEY_INVALID");
        assertThat(ids(api.get(KEYS, admin.accessToken()))).doesNotContain(UUID.fromString(id));
        assertProblem(api.delete(KEYS + "/" + id, admin.accessToken()), 404, "API_KEY_NOT_FOUND");
        // a revoked key's name can be used again
        assertThat(createKey(admin, "short-lived", "viewer").status()).isEqualTo(201);
    }

    @Test
    void expiredKeysAndKeysOfSuspendedTenantsAreRefused() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Api.Response created = createKey(admin, "expiring", "viewer");
        UUID id = UUID.fromString(created.json().path("id").asString());
        scopes.inTenant(tenant.id(), () -> jdbc.sql("update api_keys set expires_at = now() - interval "
                + "'1 second' where tenant_id = ? and id = ?").params(tenant.id(), id).update());
        assertProblem(api.get("/api/v1/users", secret(created)), 401, "API_KEY_EXPIRED");

        String live = secret(createKey(admin, "live", "viewer"));
        assertThat(api.get("/api/v1/users", live).status()).isEqualTo(200);
        Session platform = fixtures.platformAdmin();
        Api.Response suspended = api.patch("/api/v1/tenants/" + tenant.id(), platform.accessToken(),
                obj("status", "suspended", "version", tenant.json().path("version").asLong()));
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
        assertProblem(api.get("/api/v1/users", live), 403, "TENANT_SUSPENDED");
    }

    @Test
    void aKeyCannotMintAStrongerKey() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        String adminKey = secret(createKey(admin, "admin-key", "tenant_admin"));
        String viewerKey = secret(createKey(admin, "viewer-key", "viewer"));

        assertProblem(api.post(KEYS, viewerKey, obj("name", "escalated", "roles", List.of("tenant_admin"))), 403,
                "FORBIDDEN");
        assertProblem(api.post(KEYS, viewerKey, obj("name", "sideways", "roles", List.of("viewer"))), 403,
                "FORBIDDEN");
        Api.Response derived = api.post(KEYS, adminKey, obj("name", "derived", "roles", List.of("member")));
        assertThat(derived.status()).as(derived.toString()).isEqualTo(201);
        assertProblem(api.get("/api/v1/users/" + UUID.randomUUID(), secret(derived)), 404, "USER_NOT_FOUND");
        assertProblem(api.post(KEYS, secret(derived), obj("name", "again", "roles", List.of("member"))), 403,
                "FORBIDDEN");
        assertProblem(api.post(KEYS, admin.accessToken(), obj("name", "x", "roles", List.of("platform_admin"))),
                400, "UNKNOWN_ROLE");
        assertThat(ids(api.get(KEYS, admin.accessToken()))).hasSize(3);

        // whoever may create keys can give them only permissions it holds (checked whatever the roles)
        var limited = new CanopyPrincipal(UUID.randomUUID(), "api-key:limited", tenant.id(), UUID.randomUUID(),
                Set.of("api_keys:create", "tenants:read", "users:list", "users:read", "cloud_accounts:list",
                        "cloud_accounts:read", "templates:list", "templates:read", "environments:list",
                        "deployments:list", "deployments:read"), false);
        ApiException refused = catchThrowableOfType(ApiException.class,
                () -> directory.create(limited, "stronger", List.of("member"), null));
        assertThat(refused.code()).isEqualTo("PERMISSION_ESCALATION");
        assertThat(refused.getMessage()).contains("roles:list").contains("permissions:list");
        assertThat(directory.create(limited, Fixtures.unique("equal"), List.of("viewer"), null).secret())
                .startsWith("cnp_");
    }

    @Test
    void onlyMembersWithTheKeyPermissionsManageKeys() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session member = fixtures.userIn(tenant, "member");
        UUID id = UUID.fromString(createKey(admin, "managed", "viewer").json().path("id").asString());

        assertProblem(api.get(KEYS, member.accessToken()), 403, "FORBIDDEN");
        assertProblem(api.post(KEYS, member.accessToken(), obj("name", "mine", "roles", List.of("viewer"))), 403,
                "FORBIDDEN");
        assertProblem(api.delete(KEYS + "/" + id, member.accessToken()), 403, "FORBIDDEN");
        assertProblem(api.get(KEYS, null), 401, "UNAUTHENTICATED");
        assertThat(ids(api.get(KEYS, admin.accessToken()))).containsExactly(id);
    }

    @Test
    void badSecretsAreRefusedAsUnauthenticated() {
        for (String bad : List.of("cnp_", "cnp_not-a-key", "cnp_" + "A".repeat(43), "cnp_" + "A".repeat(500))) {
            assertProblem(api.get("/api/v1/users", bad), 401, "API_KEY_INVALID");
        }
        assertProblem(api.get("/api/v1/users", "not-a-jwt"), 401, "TOKEN_INVALID");
    }

    @Test
    void createRejectsBadInputWithoutCreatingAKey() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        record Case(String body, String code, List<String> fields) {
        }
        List<Case> cases = List.of(
                new Case("{\"name\": \"x\", \"roles\": [", "MALFORMED_JSON", List.of()),
                new Case(Api.json(obj("name", "x", "roles", List.of("viewer"), "secret", "cnp_mine")), "UNKNOWN_FIELD",
                        List.of("secret")),
                new Case(Api.json(obj("name", "x", "roles", List.of("viewer"), "tenant_id", UUID.randomUUID())),
                        "UNKNOWN_FIELD", List.of("tenant_id")),
                new Case(Api.json(obj("name", 5, "roles", List.of("viewer"))), "INVALID_TYPE", List.of("name")),
                new Case(Api.json(obj("name", "x", "roles", "viewer")), "INVALID_TYPE", List.of("roles")),
                new Case(Api.json(obj("name", "x", "roles", List.of("viewer"), "expires_at", "tomorrow")),
                        "INVALID_TYPE", List.of("expires_at")),
                new Case(Api.json(obj("name", "x", "roles", List.of("viewer"), "expires_at", true)), "INVALID_TYPE",
                        List.of("expires_at")),
                new Case("{}", "VALIDATION_FAILED", List.of("name", "roles")),
                new Case(Api.json(obj("name", "   ", "roles", List.of("viewer"))), "VALIDATION_FAILED",
                        List.of("name")),
                new Case(Api.json(obj("name", "n".repeat(101), "roles", List.of("viewer"))), "VALIDATION_FAILED",
                        List.of("name")),
                new Case(Api.json(obj("name", "x", "roles", List.of())), "VALIDATION_FAILED", List.of("roles")),
                new Case(Api.json(obj("name", "x", "roles", Collections.nCopies(21, "viewer"))), "VALIDATION_FAILED",
                        List.of("roles")),
                new Case(Api.json(obj("name", "x", "roles", List.of("viewer"), "expires_at",
                        Instant.now().minusSeconds(60).toString())), "VALIDATION_FAILED", List.of("expires_at")),
                new Case(Api.json(obj("name", "x", "roles", List.of("viewer", "owner"))), "UNKNOWN_ROLE",
                        List.of("roles[1]")),
                new Case(Api.json(obj("name", "Nul\u0000Byte", "roles", List.of("viewer"))), "INVALID_VALUE",
                        List.of()));
        for (Case c : cases) {
            Api.Response response = api.post(KEYS, admin.accessToken(), c.body());
            assertProblem(response, 400, c.code());
            assertThat(errorFields(response).stream().distinct()).as(c.body())
                    .containsExactlyInAnyOrderElementsOf(c.fields());
        }
        assertProblem(api.send("POST", KEYS, admin.accessToken(), "", Map.of("Content-Type", "application/json")),
                400, "MISSING_BODY");
        assertProblem(api.delete(KEYS + "/not-a-uuid", admin.accessToken()), 400, "VALIDATION_FAILED");
        assertProblem(api.delete(KEYS + "/" + UUID.randomUUID(), admin.accessToken()), 404, "API_KEY_NOT_FOUND");
        assertThat(ids(api.get(KEYS, admin.accessToken()))).isEmpty();

        assertThat(createKey(admin, "Taken", "viewer").status()).isEqualTo(201);
        assertProblem(createKey(admin, "taken", "viewer"), 409, "API_KEY_NAME_TAKEN");
        assertThat(ids(api.get(KEYS, admin.accessToken()))).hasSize(1);
    }

    private Api.Response createKey(Session by, String name, String... roles) {
        return api.post(KEYS, by.accessToken(), obj("name", name, "roles", List.of(roles)));
    }

    private static String secret(Api.Response created) {
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().path("secret").asString();
    }
}
