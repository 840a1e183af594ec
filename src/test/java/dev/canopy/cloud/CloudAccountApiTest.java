package dev.canopy.cloud;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static dev.canopy.support.ApiAssertions.errorFields;
import static dev.canopy.support.ApiAssertions.ids;
import static dev.canopy.support.DatabaseAssertions.assertRefusedByRowSecurity;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiAssertions.BadInput;
import dev.canopy.support.ApiTest;
import dev.canopy.support.SecretLogCapture;
import dev.canopy.support.AuditLog;
import dev.canopy.support.CloudProviders;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/** Cloud accounts over real HTTP: CRUD, write-only credentials, provider validation, permissions, isolation. */
@ExtendWith(SecretLogCapture.class)
class CloudAccountApiTest extends ApiTest {

    static final String ACCOUNTS = "/api/v1/cloud-accounts";
    static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TenantTransactions scopes;

    static Map<String, Object> aws(String name) {
        return obj("name", name, "provider", "aws", "settings", obj("region", "eu-west-1"), "auth_type",
                "access_keys", "credentials", obj("access_key_id", "AKIAIOSFODNN7EXAMPLE", "secret_access_key",
                        SECRET_KEY), "environments", List.of("production", "staging"), "tags",
                obj("team", "platform"));
    }

    @Test
    void anAccountIsCreatedReadListedUpdatedAndDeletedWithoutItsCredentialsEverShown() {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");

        Api.Response created = api.post(ACCOUNTS, admin.accessToken(), aws("prod aws"));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode account = created.json();
        String id = account.path("id").asString();
        assertThat(created.header("Location")).isEqualTo(ACCOUNTS + "/" + id);
        assertThat(Set.copyOf(account.propertyNames())).isEqualTo(Set.of("id", "name", "provider", "settings",
                "auth_type", "credentials", "environments", "tags", "last_test", "created_at", "updated_at",
                "version"));
        assertThat(account.path("credentials").path("configured").asBoolean()).isTrue();
        assertThat(account.path("credentials").path("hint").asString()).isEqualTo("access key AKIA…MPLE");
        assertThat(account.path("settings").path("region").asString()).isEqualTo("eu-west-1");
        assertThat(account.path("environments").toString()).isEqualTo("[\"production\",\"staging\"]");
        assertThat(account.path("last_test").isNull()).isTrue();
        assertThat(created.text()).doesNotContain(SECRET_KEY).doesNotContain("AKIAIOSFODNN7EXAMPLE");

        Api.Response read = api.get(ACCOUNTS + "/" + id, admin.accessToken());
        assertThat(read.json()).isEqualTo(account);
        assertThat(ids(api.get(ACCOUNTS, admin.accessToken()))).containsExactly(UUID.fromString(id));
        assertThat(ids(api.get(ACCOUNTS + "?provider=azure", admin.accessToken()))).isEmpty();
        assertProblem(api.get(ACCOUNTS + "?provider=oracle", admin.accessToken()), 400, "VALIDATION_FAILED");

        Api.Response renamed = api.patch(ACCOUNTS + "/" + id, admin.accessToken(), obj("name", "prod aws (eu)",
                "tags", obj("team", "infra"), "version", 0));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(renamed.json().path("version").asLong()).isEqualTo(1);
        assertThat(renamed.json().path("credentials")).isEqualTo(account.path("credentials"));
        assertProblem(api.patch(ACCOUNTS + "/" + id, admin.accessToken(), obj("name", "stale", "version", 0)), 409,
                "VERSION_CONFLICT");

        Api.Response rekeyed = api.patch(ACCOUNTS + "/" + id, admin.accessToken(), obj("credentials",
                obj("access_key_id", "AKIAI44QH8DHBEXAMPLE", "secret_access_key", SECRET_KEY.replace('w', 'x')),
                "version", 1));
        assertThat(rekeyed.status()).as(rekeyed.toString()).isEqualTo(200);
        assertThat(rekeyed.json().path("credentials").path("hint").asString()).isEqualTo("access key AKIA…MPLE");
        // switching to a role needs the role's credentials
        assertThat(errorFields(api.patch(ACCOUNTS + "/" + id, admin.accessToken(), obj("auth_type", "role_arn",
                "version", 2)))).containsExactly("credentials");

        assertProblem(api.post(ACCOUNTS, admin.accessToken(), aws("PROD AWS (EU)")), 409, "CLOUD_ACCOUNT_NAME_TAKEN");
        assertThat(api.delete(ACCOUNTS + "/" + id, admin.accessToken()).status()).isEqualTo(204);
        assertProblem(api.get(ACCOUNTS + "/" + id, admin.accessToken()), 404, "CLOUD_ACCOUNT_NOT_FOUND");
        assertProblem(api.delete(ACCOUNTS + "/" + id, admin.accessToken()), 404, "CLOUD_ACCOUNT_NOT_FOUND");
    }

    @Test
    void credentialsAreSealedInTheDatabaseAndAbsentFromAuditRecords() {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        Api.Response created = api.post(ACCOUNTS, admin.accessToken(), aws("sealed"));
        UUID id = UUID.fromString(created.json().path("id").asString());

        String row = scopes.inTenant(admin.tenantId(), () -> jdbc.sql(
                "select row_to_json(c)::text from cloud_accounts c where id = ?").param(id).query(String.class)
                .single());
        byte[] sealed = scopes.inTenant(admin.tenantId(), () -> jdbc.sql(
                "select sealed_credentials from cloud_accounts where id = ?").param(id).query(byte[].class)
                .single());
        assertThat(row).doesNotContain(SECRET_KEY);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain(SECRET_KEY)
                .doesNotContain("AKIAIOSFODNN7EXAMPLE");

        List<AuditLog.Event> events = AuditLog.ofRequest(scopes, jdbc, admin.tenantId(),
                created.header("X-Request-Id"));
        assertThat(events).extracting(AuditLog.Event::action).containsExactly("cloud_account.created");
        assertThat(events.getFirst().resourceId()).isEqualTo(id.toString());
        assertThat(events.getFirst().details()).doesNotContain(SECRET_KEY).doesNotContain("AKIAIOSFODNN7EXAMPLE");

        Api.Response updated = api.patch(ACCOUNTS + "/" + id, admin.accessToken(), obj("credentials",
                obj("access_key_id", "AKIAIOSFODNN7EXAMPLE", "secret_access_key", SECRET_KEY), "version", 0));
        List<AuditLog.Event> updates = AuditLog.ofRequest(scopes, jdbc, admin.tenantId(),
                updated.header("X-Request-Id"));
        assertThat(updates).extracting(AuditLog.Event::action).containsExactly("cloud_account.updated");
        assertThat(updates.getFirst().details()).doesNotContain(SECRET_KEY).contains("\"replaced\": [\"credentials\"]");
    }

    @Test
    void eachProviderNamesTheFieldsThatAreWrong() {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        assertEachRejected(body -> api.send("POST", ACCOUNTS, admin.accessToken(), body, Map.of()), List.of(
                new BadInput(Api.json(obj("name", "a", "provider", "aws", "settings", obj("region", "Mars-1"),
                        "auth_type", "access_keys", "credentials", obj("access_key_id", "AKIA123", "secret_access_key",
                                "short", "password", "x"))), "VALIDATION_FAILED",
                        List.of("settings.region", "credentials.password", "credentials.access_key_id",
                                "credentials.secret_access_key")),
                new BadInput(Api.json(obj("name", "a", "provider", "aws", "settings", obj("region", "us-east-1"),
                        "auth_type", "role_arn", "credentials", obj("role_arn", "arn:aws:iam::12:role/x"))),
                        "VALIDATION_FAILED", List.of("credentials.role_arn")),
                new BadInput(Api.json(obj("name", "a", "provider", "aws", "settings", obj("region", "us-east-1"),
                        "auth_type", "service_principal", "credentials", obj())), "VALIDATION_FAILED",
                        List.of("auth_type")),
                new BadInput(Api.json(obj("name", "a", "provider", "azure", "settings", obj("subscription_id", "x"),
                        "auth_type", "service_principal", "credentials", obj("tenant_id", "not a tenant",
                                "client_id", "00000000-0000-0000-0000-00000000000g"))), "VALIDATION_FAILED",
                        List.of("settings.subscription_id", "credentials.tenant_id", "credentials.client_id",
                                "credentials.client_secret")),
                new BadInput(Api.json(obj("name", "a", "provider", "gcp", "settings", obj("project_id", "P"),
                        "auth_type", "service_account_key", "credentials", obj("service_account_json",
                                obj("type", "user", "client_email", "x", "private_key", "nope")))),
                        "VALIDATION_FAILED", List.of("settings.project_id", "credentials.service_account_json.type",
                                "credentials.service_account_json.client_email",
                                "credentials.service_account_json.private_key")),
                new BadInput(Api.json(obj("name", "a", "provider", "gcp", "settings", obj("project_id", "my-project"),
                        "auth_type", "service_account_key", "credentials", obj("service_account_json", "{not json"))),
                        "VALIDATION_FAILED", List.of("credentials.service_account_json")),
                new BadInput(Api.json(obj("name", "a", "provider", "kubernetes", "settings", obj("namespace", "A_B"),
                        "auth_type", "token", "credentials", obj("token", "abc", "ca_cert", "not pem"))),
                        "VALIDATION_FAILED", List.of("settings.namespace", "credentials.ca_cert",
                                "settings.api_server")),
                new BadInput(Api.json(obj("name", "a", "provider", "kubernetes", "settings", obj(),
                        "auth_type", "kubeconfig", "credentials", obj("kubeconfig", CloudAccountConnectionTest.kubeconfig(
                                "http://127.0.0.1:1", "    exec:\n      command: /bin/sh\n      apiVersion: "
                                        + "client.authentication.k8s.io/v1\n")))),
                        "VALIDATION_FAILED", List.of("credentials.kubeconfig")),
                new BadInput(Api.json(obj("name", "a", "provider", "kubernetes", "settings", obj(),
                        "auth_type", "kubeconfig", "credentials", obj("kubeconfig", "- just\n- a list"))),
                        "VALIDATION_FAILED", List.of("credentials.kubeconfig")),
                new BadInput(Api.json(obj("name", " ", "provider", "oracle")), "VALIDATION_FAILED",
                        List.of("name", "provider")),
                new BadInput(Api.json(obj("provider", "aws")), "VALIDATION_FAILED",
                        List.of("name", "settings.region", "auth_type")),
                new BadInput(Api.json(obj("name", "a", "provider", "aws", "settings", obj("region", 5),
                        "auth_type", "access_keys", "credentials", obj("access_key_id", List.of("AKIA"),
                                "secret_access_key", SECRET_KEY), "environments", List.of("Prod!"))),
                        "VALIDATION_FAILED", List.of("settings.region", "credentials.access_key_id",
                                "environments[0]"))));
    }

    @Test
    void badRequestsAreRefusedWithAStableCode() {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String id = api.post(ACCOUNTS, admin.accessToken(), aws("target")).json().path("id").asString();
        Map<String, Object> valid = aws("x");
        assertEachRejected(body -> api.send("POST", ACCOUNTS, admin.accessToken(), body, Map.of()), List.of(
                new BadInput("{\"name\": \"x\"", "MALFORMED_JSON", List.of()),
                new BadInput("[]", "INVALID_TYPE", List.of()),
                new BadInput(Api.json(Map.of("name", "x", "owner", "me")), "UNKNOWN_FIELD", List.of("owner")),
                new BadInput(Api.json(Map.of("name", 5)), "INVALID_TYPE", List.of("name")),
                new BadInput(Api.json(Map.of("name", "x", "settings", "eu-west-1")), "INVALID_TYPE",
                        List.of("settings")),
                new BadInput(Api.json(Map.of("name", "x", "environments", "prod")), "INVALID_TYPE",
                        List.of("environments")),
                new BadInput(Api.json(Map.of("name", "x", "tags", Map.of("a", 1))), "INVALID_TYPE",
                        List.of("tags.a")),
                new BadInput(Api.json(withName(valid, "n".repeat(101))), "VALIDATION_FAILED", List.of("name"))));
        assertEachRejected(body -> api.send("PATCH", ACCOUNTS + "/" + id, admin.accessToken(), body, Map.of()),
                List.of(new BadInput("{", "MALFORMED_JSON", List.of()),
                        new BadInput(Api.json(obj("provider", "azure", "version", 0)), "UNKNOWN_FIELD",
                                List.of("provider")),
                        new BadInput(Api.json(obj("name", "y")), "VALIDATION_FAILED", List.of("version")),
                        new BadInput(Api.json(obj("name", "y", "version", "0")), "INVALID_TYPE", List.of("version")),
                        new BadInput(Api.json(obj("settings", obj("region", "nowhere"), "version", 0)),
                                "VALIDATION_FAILED", List.of("settings.region"))));
        Api.Response huge = api.post(ACCOUNTS, admin.accessToken(), withName(valid, "x".repeat(70_000)));
        assertThat(huge.status()).as(huge.toString()).isEqualTo(413);
        Api.Response notAnId = api.get(ACCOUNTS + "/not-a-uuid", admin.accessToken());
        assertThat(notAnId.status()).as(notAnId.toString()).isEqualTo(400);
        assertThat(notAnId.code()).isNotBlank();
        assertProblem(api.get(ACCOUNTS + "?limit=0", admin.accessToken()), 400, "VALIDATION_FAILED");
    }

    @Test
    void anotherTenantsAccountsAreNotFound() {
        Session a = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        Session b = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String inA = api.post(ACCOUNTS, a.accessToken(), aws("mine")).json().path("id").asString();

        assertProblem(api.get(ACCOUNTS + "/" + inA, b.accessToken()), 404, "CLOUD_ACCOUNT_NOT_FOUND");
        assertProblem(api.patch(ACCOUNTS + "/" + inA, b.accessToken(), obj("name", "theirs", "version", 0)), 404,
                "CLOUD_ACCOUNT_NOT_FOUND");
        assertProblem(api.post(ACCOUNTS + "/" + inA + "/test", b.accessToken(), null), 404,
                "CLOUD_ACCOUNT_NOT_FOUND");
        assertProblem(api.delete(ACCOUNTS + "/" + inA, b.accessToken()), 404, "CLOUD_ACCOUNT_NOT_FOUND");
        assertThat(ids(api.get(ACCOUNTS, b.accessToken()))).isEmpty();
        // the same name is free in another tenant
        assertThat(api.post(ACCOUNTS, b.accessToken(), aws("mine")).status()).isEqualTo(201);
        assertThat(api.get(ACCOUNTS + "/" + inA, a.accessToken()).json().path("name").asString()).isEqualTo("mine");
    }

    @Test
    void rowLevelSecurityKeepsAccountsInTheirTenant() {
        Session a = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        Session b = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        UUID inA = UUID.fromString(api.post(ACCOUNTS, a.accessToken(), aws("rls")).json().path("id").asString());

        assertThat(jdbc.sql("select count(*) from cloud_accounts").query(Integer.class).single()).isZero();
        scopes.inTenant(b.tenantId(), () -> {
            assertThat(jdbc.sql("select count(*) from cloud_accounts where id = ?").param(inA)
                    .query(Integer.class).single()).isZero();
            assertThat(jdbc.sql("update cloud_accounts set name = 'stolen' where id = ?").param(inA).update())
                    .isZero();
            assertThat(jdbc.sql("delete from cloud_accounts where id = ?").param(inA).update()).isZero();
        });
        assertRefusedByRowSecurity(() -> scopes.inTenant(b.tenantId(), () -> jdbc.sql("""
                insert into cloud_accounts (tenant_id, id, name, provider, auth_type, sealed_credentials,
                       credentials_hint) values (?, ?, 'x', 'aws', 'access_keys', '\\x00', 'x')
                """).params(a.tenantId(), UUID.randomUUID()).update()));
        assertThat(api.get(ACCOUNTS + "/" + inA, a.accessToken()).json().path("name").asString()).isEqualTo("rls");
    }

    @Test
    void viewersReadMembersTestAdministratorsManage() {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        Session member = fixtures.userIn(tenant, "member");
        Session viewer = fixtures.userIn(tenant, "viewer");
        String id = api.post(ACCOUNTS, admin.accessToken(), aws("shared")).json().path("id").asString();

        assertThat(api.get(ACCOUNTS, viewer.accessToken()).status()).isEqualTo(200);
        assertThat(api.get(ACCOUNTS + "/" + id, viewer.accessToken()).status()).isEqualTo(200);
        assertProblem(api.post(ACCOUNTS + "/" + id + "/test", viewer.accessToken(), null), 403, "FORBIDDEN");
        assertProblem(api.post(ACCOUNTS, member.accessToken(), aws("x")), 403, "FORBIDDEN");
        assertProblem(api.patch(ACCOUNTS + "/" + id, member.accessToken(), obj("name", "y", "version", 0)), 403,
                "FORBIDDEN");
        assertProblem(api.delete(ACCOUNTS + "/" + id, member.accessToken()), 403, "FORBIDDEN");
        assertThat(api.post(ACCOUNTS + "/" + id + "/test", member.accessToken(), null).status()).isEqualTo(200);
        assertThat(api.get(ACCOUNTS, null).status()).isEqualTo(401);
    }

    private static Map<String, Object> withName(Map<String, Object> body, String name) {
        var copy = new java.util.LinkedHashMap<>(body);
        copy.put("name", name);
        return copy;
    }

    static String unique(String prefix) {
        return Fixtures.unique(prefix);
    }

    static CloudProviders providers() {
        return CloudProviders.instance();
    }
}
