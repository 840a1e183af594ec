package dev.canopy.tenancy;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.canopy.support.Api;
import dev.canopy.support.ApiAssertions.BadInput;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.SecondPostgres;
import tools.jackson.databind.JsonNode;

/**
 * The database registry against a second PostgreSQL server: a server is registered only when both roles sign in
 * and the runtime role cannot bypass row-level security; passwords never come back; health is checked again.
 */
class DatabaseServersApiTest extends ApiTest {

    static final String SERVERS = "/api/v1/admin/database-servers";

    @BeforeAll
    static void roles() {
        SecondPostgres.execute(
                "do $$ begin if not exists (select from pg_roles where rolname = 'placement_owner') then "
                        + "create role placement_owner login createdb password 'owner-pw'; end if; end $$",
                "do $$ begin if not exists (select from pg_roles where rolname = 'placement_app') then "
                        + "create role placement_app login nosuperuser nobypassrls password 'app-pw'; end if; end $$");
    }

    private static Map<String, Object> server(String name, String runtimeUser, String runtimePassword) {
        return obj("name", name, "region", "eu-west", "jdbc_url", SecondPostgres.url(), "owner_user",
                "placement_owner", "owner_password", "owner-pw", "runtime_user", runtimeUser, "runtime_password",
                runtimePassword, "capacity", 50);
    }

    private static String name() {
        return "eu-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aServerIsRegisteredWhenBothRolesSignInAndItsPasswordsNeverComeBack() {
        Session admin = fixtures.platformAdmin();
        String name = name();

        Api.Response created = api.post(SERVERS, admin.accessToken(), server(name, "placement_app", "app-pw"));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode json = created.json();
        assertThat(json.path("name").asString()).isEqualTo(name);
        assertThat(json.path("region").asString()).isEqualTo("eu-west");
        assertThat(json.path("role").asString()).isEqualTo("primary");
        assertThat(json.path("capacity").asInt()).isEqualTo(50);
        assertThat(json.path("health").path("status").asString()).isEqualTo("healthy");
        assertThat(json.path("health").path("server_version").asString()).startsWith("17");
        assertThat(created.text()).doesNotContain("owner-pw").doesNotContain("app-pw").doesNotContain("password");
        assertThat(created.header("Location")).endsWith(SERVERS + "/" + json.path("id").asString());

        JsonNode list = api.get(SERVERS, admin.accessToken()).json().path("items");
        assertThat(list.findValuesAsString("name")).contains("local", name);
        JsonNode local = find(list, "local");
        assertThat(local.path("health").path("status").asString()).as("the control plane's own server").isEqualTo(
                "healthy");
        assertThat(api.get(SERVERS, admin.accessToken()).text()).doesNotContain("owner-pw");

        JsonNode regions = api.get("/api/v1/admin/regions", admin.accessToken()).json().path("items");
        assertThat(regions.findValuesAsString("key")).containsExactly("us-east", "eu-west");
        assertThat(local.path("region").asString()).isEqualTo("us-east");

        Session member = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        assertProblem(api.get(SERVERS, member.accessToken()), 403, "FORBIDDEN");
        assertProblem(api.post(SERVERS, member.accessToken(), server(name(), "placement_app", "app-pw")), 403,
                "FORBIDDEN");
    }

    @Test
    void unusableServersAreRefusedAndNothingIsWritten() {
        Session admin = fixtures.platformAdmin();
        String wrongPassword = name();
        assertProblem(api.post(SERVERS, admin.accessToken(), server(wrongPassword, "placement_app", "wrong")), 422,
                "DATABASE_CREDENTIALS_INVALID");
        String bypasses = name();
        assertProblem(api.post(SERVERS, admin.accessToken(), server(bypasses, SecondPostgres.SUPERUSER,
                SecondPostgres.SUPERUSER_PASSWORD)), 422, "RUNTIME_ROLE_BYPASSES_RLS");
        String unreachable = name();
        Map<String, Object> nowhere = new java.util.HashMap<>(server(unreachable, "placement_app", "app-pw"));
        nowhere.put("jdbc_url", "jdbc:postgresql://localhost:1/postgres");
        assertProblem(api.post(SERVERS, admin.accessToken(), nowhere), 422, "DATABASE_SERVER_UNREACHABLE");
        String elsewhere = name();
        Map<String, Object> unknownRegion = new java.util.HashMap<>(server(elsewhere, "placement_app", "app-pw"));
        unknownRegion.put("region", "mars-north");
        assertProblem(api.post(SERVERS, admin.accessToken(), unknownRegion), 422, "REGION_UNKNOWN");
        assertProblem(api.post(SERVERS, admin.accessToken(), server("local", "placement_app", "app-pw")), 409,
                "DATABASE_SERVER_NAME_TAKEN");

        assertThat(api.get(SERVERS, admin.accessToken()).json().path("items").findValuesAsString("name"))
                .doesNotContain(wrongPassword, bypasses, unreachable, elsewhere);
    }

    @Test
    void badInputIsRefusedWithStableCodes() {
        Session admin = fixtures.platformAdmin();
        Map<String, Object> valid = server(name(), "placement_app", "app-pw");
        assertEachRejected(body -> api.send("POST", SERVERS, admin.accessToken(), body, Map.of()), List.of(
                new BadInput("{", "MALFORMED_JSON", List.of()),
                new BadInput(Api.json(with(valid, "colour", "blue")), "UNKNOWN_FIELD", List.of()),
                new BadInput(Api.json(with(valid, "capacity", "many")), "INVALID_TYPE", List.of()),
                new BadInput(Api.json(obj()), "VALIDATION_FAILED", List.of("name", "jdbc_url", "owner_user",
                        "owner_password", "runtime_user", "runtime_password")),
                new BadInput(Api.json(with(valid, "name", "Not A Name")), "VALIDATION_FAILED", List.of("name")),
                new BadInput(Api.json(with(valid, "jdbc_url", "jdbc:mysql://db/x")), "VALIDATION_FAILED",
                        List.of("jdbc_url")),
                new BadInput(Api.json(with(valid, "jdbc_url", SecondPostgres.url() + "?password=x")),
                        "VALIDATION_FAILED", List.of("jdbc_url")),
                new BadInput(Api.json(with(valid, "jdbc_url", "jdbc:postgresql://" + "h".repeat(600))),
                        "VALIDATION_FAILED", List.of("jdbc_url")),
                new BadInput(Api.json(with(valid, "owner_password", "p".repeat(1001))), "VALIDATION_FAILED",
                        List.of("owner_password")),
                new BadInput(Api.json(with(valid, "runtime_user", "x; drop role y")), "VALIDATION_FAILED",
                        List.of("runtime_user")),
                new BadInput(Api.json(with(valid, "role", "leader")), "VALIDATION_FAILED", List.of("role")),
                new BadInput(Api.json(with(valid, "capacity", -1)), "VALIDATION_FAILED", List.of("capacity"))));
        assertProblem(api.get(SERVERS + "/" + UUID.randomUUID(), admin.accessToken()), 404,
                "DATABASE_SERVER_NOT_FOUND");
        assertProblem(api.get(SERVERS + "/not-a-uuid", admin.accessToken()), 400, "VALIDATION_FAILED");
    }

    @Test
    void changesAreCheckedAndVersionedAndHealthFollowsTheServer() {
        Session admin = fixtures.platformAdmin();
        String role = "placement_app_" + UUID.randomUUID().toString().substring(0, 8).replace('-', '_');
        SecondPostgres.execute("create role " + role + " login nosuperuser nobypassrls password 'first-pw'");
        JsonNode created = api.post(SERVERS, admin.accessToken(), server(name(), role, "first-pw")).json();
        String id = created.path("id").asString();

        Api.Response changed = api.patch(SERVERS + "/" + id, admin.accessToken(), obj("capacity", 80, "version", 0));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().path("capacity").asInt()).isEqualTo(80);
        assertThat(changed.json().path("version").asLong()).isEqualTo(1);
        assertProblem(api.patch(SERVERS + "/" + id, admin.accessToken(), obj("capacity", 90, "version", 0)), 409,
                "VERSION_CONFLICT");
        assertProblem(api.patch(SERVERS + "/" + id, admin.accessToken(), obj("capacity", 90)), 400,
                "VALIDATION_FAILED");
        assertProblem(api.patch(SERVERS + "/" + id, admin.accessToken(), obj("runtime_password", "wrong",
                "version", 1)), 422, "DATABASE_CREDENTIALS_INVALID");
        assertProblem(api.patch(SERVERS + "/" + id, admin.accessToken(), obj("name", "renamed", "version", 1)), 400,
                "VALIDATION_FAILED");

        // the password changes behind Canopy's back: the next check says so; the new one is accepted once checked
        SecondPostgres.execute("alter role " + role + " password 'second-pw'");
        Api.Response checked = api.post(SERVERS + "/" + id + "/check", admin.accessToken(), null);
        assertThat(checked.json().path("health").path("status").asString()).as(checked.toString())
                .isEqualTo("credentials_invalid");
        Api.Response rotated = api.patch(SERVERS + "/" + id, admin.accessToken(), obj("runtime_password",
                "second-pw", "version", 1));
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        assertThat(rotated.json().path("health").path("status").asString()).isEqualTo("healthy");

        SecondPostgres.execute("alter role " + role + " bypassrls");
        assertThat(api.post(SERVERS + "/" + id + "/check", admin.accessToken(), null).json().path("health")
                .path("status").asString()).isEqualTo("rls_bypass");

        assertThat(api.delete(SERVERS + "/" + id, admin.accessToken()).status()).isEqualTo(204);
        assertProblem(api.get(SERVERS + "/" + id, admin.accessToken()), 404, "DATABASE_SERVER_NOT_FOUND");
        String local = find(api.get(SERVERS, admin.accessToken()).json().path("items"), "local").path("id")
                .asString();
        assertProblem(api.delete(SERVERS + "/" + local, admin.accessToken()), 409, "DATABASE_SERVER_IN_USE");
    }

    private static JsonNode find(JsonNode items, String name) {
        for (JsonNode item : items) {
            if (item.path("name").asString().equals(name)) {
                return item;
            }
        }
        throw new AssertionError("no server " + name + " in " + items);
    }

    private static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
        var copy = new java.util.HashMap<>(body);
        copy.put(key, value);
        return copy;
    }
}
