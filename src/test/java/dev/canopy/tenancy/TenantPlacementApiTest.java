package dev.canopy.tenancy;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.platform.db.DatabaseEndpoint;
import dev.canopy.platform.db.TenantSchemas;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.DatabaseAssertions;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import dev.canopy.support.SecondPostgres;
import tools.jackson.databind.JsonNode;

/**
 * Tenants placed at creation: the pool by default, a schema of their own on request, with their data in that schema
 * only; placements that name an unknown region, another region's server, a full server or a tier not built are
 * refused, and a creation that fails leaves no schema behind.
 */
class TenantPlacementApiTest extends ApiTest {

    @Autowired
    DatabaseEndpoint endpoint;

    @Autowired
    TenantSchemas schemas;

    @Autowired
    TransactionTemplate transactions;

    private JdbcClient owner() {
        return JdbcClient.create(new DriverManagerDataSource(endpoint.url(), endpoint.ownerUser(),
                endpoint.ownerPassword()));
    }

    private Api.Response create(Session by, Map<String, Object> placement) {
        String slug = Fixtures.unique("p");
        return api.post("/api/v1/tenants", by.accessToken(), obj("name", "Placed " + slug, "slug", slug,
                "placement", placement));
    }

    private TenantRef schemaTenant(Session admin) {
        Api.Response created = create(admin, obj("tier", "schema"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new TenantRef(UUID.fromString(created.json().path("id").asString()),
                created.json().path("slug").asString(), created.json());
    }

    @Value("${canopy.placement.default-tier}")
    String defaultTier;

    @Test
    void aTenantGetsTheDefaultTierInTheDefaultRegionUnlessItsCreationChoosesOtherwise() {
        assertThat(fixtures.tenant().json().path("placement").path("tier").asString()).isEqualTo(defaultTier);
        Api.Response created = create(fixtures.platformAdmin(), obj("tier", "pool"));
        TenantRef pooled = new TenantRef(UUID.fromString(created.json().path("id").asString()),
                created.json().path("slug").asString(), created.json());

        JsonNode placement = pooled.json().path("placement");
        assertThat(placement.path("tier").asString()).isEqualTo("pool");
        assertThat(placement.path("region").asString()).isEqualTo("us-east");
        String local = api.get("/api/v1/admin/database-servers", fixtures.platformAdmin().accessToken()).json()
                .path("items").valueStream().filter(s -> s.path("name").asString().equals("local")).findFirst()
                .orElseThrow().path("id").asString();
        assertThat(placement.path("server_id").asString()).isEqualTo(local);
        assertThat(owner().sql("select count(*) from pg_namespace where nspname = ?")
                .param(TenantSchemas.schemaOf(pooled.id())).query(Integer.class).single()).isZero();
    }

    @Test
    void aSchemaTenantsDataLivesInItsOwnSchemaAndEverythingTenantScopedWorksThere() {
        Session admin = fixtures.platformAdmin();
        TenantRef tenant = schemaTenant(admin);
        String schema = TenantSchemas.schemaOf(tenant.id());
        assertThat(tenant.json().path("placement").path("tier").asString()).isEqualTo("schema");
        assertThat(api.get("/api/v1/tenants/" + tenant.id(), admin.accessToken()).json().path("placement")
                .path("tier").asString()).isEqualTo("schema");

        Session member = fixtures.userIn(tenant, "tenant_admin");
        Api.Response role = api.post("/api/v1/roles", member.accessToken(), obj("name", "Schema role",
                "permissions", List.of("users:list")));
        assertThat(role.status()).as(role.toString()).isEqualTo(201);
        Api.Response users = api.get("/api/v1/users", member.accessToken());
        assertThat(users.json().path("items").findValuesAsString("email")).as(users.toString())
                .contains(member.email());
        assertThat(api.get("/api/v1/audit-events", member.accessToken()).json().path("items").size()).isPositive();

        JdbcClient owner = owner();
        assertThat(count(schema + ".memberships", tenant.id())).isEqualTo(1);
        assertThat(count(schema + ".roles", tenant.id())).isEqualTo(1);
        assertThat(count(schema + ".audit_events", tenant.id())).isPositive();
        assertThat(count("tenant.memberships", tenant.id())).as("nothing of it in the pool").isZero();
        assertThat(count("tenant.audit_events", tenant.id())).isZero();
        assertThat(owner.sql("select relforcerowsecurity from pg_class where oid = to_regclass(?)")
                .param(schema + ".memberships").query(Boolean.class).single()).as("RLS forced in the schema too")
                .isTrue();

        // another tenant's administrator sees none of it
        Session other = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        assertThat(api.get("/api/v1/users", other.accessToken()).text()).doesNotContain(member.email());
        assertProblem(api.get("/api/v1/roles/" + role.json().path("id").asString(), other.accessToken()), 404,
                "ROLE_NOT_FOUND");
    }

    @Test
    void aMemberOfPooledAndSchemaTenantsSignsIntoEitherAndSwitchesBetweenThem() {
        Session admin = fixtures.platformAdmin();
        TenantRef pooled = fixtures.tenant();
        TenantRef own = schemaTenant(admin);
        Session member = fixtures.userIn(pooled, "viewer");
        fixtures.addUser(own, member.email(), "viewer");

        JsonNode me = api.get("/api/v1/auth/me", member.accessToken()).json();
        assertThat(me.path("memberships").findValuesAsString("id")).contains(pooled.id().toString(),
                own.id().toString());
        Session switched = fixtures.switchTo(member, own.id());
        assertThat(switched.tenantId()).isEqualTo(own.id());
        assertThat(api.get("/api/v1/users", switched.accessToken()).status()).isIn(200, 403);
        assertThat(fixtures.login(member.email(), Fixtures.PASSWORD, own.id()).tenantId()).isEqualTo(own.id());
    }

    @Test
    void theSchemaIsWhatFlywayWouldHaveBuilt() {
        TenantRef tenant = schemaTenant(fixtures.platformAdmin());
        var result = Flyway.configure()
                .dataSource(endpoint.url(), endpoint.ownerUser(), endpoint.ownerPassword())
                .schemas(TenantSchemas.schemaOf(tenant.id()))
                .locations("classpath:db/migration/tenant")
                .placeholders(Map.of("app_role", endpoint.appUser()))
                .outOfOrder(true)
                .load()
                .validateWithResult();
        assertThat(result.validationSuccessful).as(String.valueOf(result.errorDetails)).isTrue();
    }

    @Test
    void aCreationThatRollsBackLeavesNoSchemaBehind() {
        UUID id = dev.canopy.platform.Ids.newId();
        Api.Response taken = create(fixtures.platformAdmin(), obj("tier", "schema"));
        String slug = taken.json().path("slug").asString();
        Api.Response again = api.post("/api/v1/tenants", fixtures.platformAdmin().accessToken(), obj("name", "Again",
                "slug", slug, "placement", obj("tier", "schema")));
        assertProblem(again, 409, "SLUG_TAKEN");
        assertThat(owner().sql("select count(*) from pg_namespace n where nspname like 't\\_%' and not exists ("
                + "select from platform.tenants t where n.nspname = 't_' || replace(t.id::text, '-', ''))")
                .query(Integer.class).single()).as("no schema without its tenant").isZero();

        transactions.executeWithoutResult(status -> {
            schemas.build(id);
            status.setRollbackOnly();
        });
        assertThat(owner().sql("select count(*) from pg_namespace where nspname = ?")
                .param(TenantSchemas.schemaOf(id)).query(Integer.class).single()).isZero();
    }

    @Test
    void placementsThatCannotBeHonouredAreRefused() {
        Session admin = fixtures.platformAdmin();
        assertProblem(create(admin, obj("tier", "cluster")), 400, "VALIDATION_FAILED");
        assertProblem(create(admin, obj("tier", 5)), 400, "INVALID_TYPE");
        assertProblem(create(admin, obj("tier", "schema", "colour", "red")), 400, "UNKNOWN_FIELD");
        assertProblem(create(admin, obj("region", "mars")), 422, "REGION_UNKNOWN");
        assertProblem(create(admin, obj("region", "r".repeat(101))), 400, "VALIDATION_FAILED");
        assertProblem(create(admin, obj("tier", "database")), 422, "TIER_NOT_AVAILABLE");
        assertProblem(create(admin, obj("server_id", UUID.randomUUID().toString())), 422, "DATABASE_SERVER_UNKNOWN");
        assertProblem(create(admin, obj("server_id", "not-a-uuid")), 400, "INVALID_TYPE");
        assertProblem(create(admin, obj("region", "eu-west")), 422, "REGION_MISMATCH");

        String full = euServer(admin, 0);
        assertProblem(create(admin, obj("region", "eu-west", "server_id", full)), 409, "DATABASE_SERVER_FULL");
        String roomy = euServer(admin, 10);
        assertProblem(create(admin, obj("region", "us-east", "server_id", roomy)), 422, "REGION_MISMATCH");
        assertProblem(create(admin, obj("tier", "schema", "region", "eu-west", "server_id", roomy)), 422,
                "TIER_NOT_AVAILABLE");

        Session mspAdmin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String slug = Fixtures.unique("c");
        assertProblem(api.post("/api/v1/tenants", mspAdmin.accessToken(), obj("name", "Client", "slug", slug,
                "placement", obj("tier", "schema"))), 403, "FORBIDDEN");
        assertThat(api.get("/api/v1/tenants?search=" + slug, admin.accessToken()).json().path("items").size())
                .as("nothing half-created").isZero();
    }

    private String euServer(Session admin, int capacity) {
        SecondPostgres.execute(
                "do $$ begin if not exists (select from pg_roles where rolname = 'placement_owner') then "
                        + "create role placement_owner login createdb password 'owner-pw'; end if; end $$",
                "do $$ begin if not exists (select from pg_roles where rolname = 'placement_app') then "
                        + "create role placement_app login nosuperuser nobypassrls password 'app-pw'; end if; end $$");
        Api.Response server = api.post("/api/v1/admin/database-servers", admin.accessToken(), obj("name",
                "eu-" + UUID.randomUUID().toString().substring(0, 8), "region", "eu-west", "jdbc_url",
                SecondPostgres.url(), "owner_user", "placement_owner", "owner_password", "owner-pw", "runtime_user",
                "placement_app", "runtime_password", "app-pw", "capacity", capacity));
        assertThat(server.status()).as(server.toString()).isEqualTo(201);
        return server.json().path("id").asString();
    }

    private int count(String table, UUID tenantId) {
        return DatabaseAssertions.countAsOwner(endpoint, table, tenantId);
    }
}
