package dev.canopy.tenancy;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertEachRejected;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.canopy.platform.db.DatabaseEndpoint;
import dev.canopy.platform.db.TenantSchemas;
import dev.canopy.support.Api;
import dev.canopy.support.ApiAssertions.BadInput;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/**
 * Tenant schemas behind the latest tenant migration: the status shows them, their tenants wait (503), a dry run
 * reports what would run and changes nothing, an apply job migrates them in one transaction each; a schema that
 * fails is reported with its error and stops only itself; two jobs over the same schema apply each version once.
 */
class MigrationsApiTest extends ApiTest {

    static final String MIGRATIONS = "/api/v1/admin/migrations";
    /** The migration the tests undo on a schema (a trigger only, easy to take back out). */
    static final String LATEST = "25";

    @Autowired
    DatabaseEndpoint endpoint;

    @Autowired
    TenantSchemas schemas;

    private JdbcClient owner() {
        return JdbcClient.create(new DriverManagerDataSource(endpoint.url(), endpoint.ownerUser(),
                endpoint.ownerPassword()));
    }

    private TenantRef schemaTenant(Session admin) {
        String slug = Fixtures.unique("m");
        Api.Response created = api.post("/api/v1/tenants", admin.accessToken(), obj("name", "Migrated " + slug,
                "slug", slug, "placement", obj("tier", "schema")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new TenantRef(UUID.fromString(created.json().path("id").asString()), slug, created.json());
    }

    /** Undoes V25 on the tenant's schema as an older Canopy would have left it: version 24. */
    private void behind(TenantRef tenant) {
        String schema = TenantSchemas.schemaOf(tenant.id());
        owner().sql("drop trigger memberships_located on " + schema + ".memberships").update();
        forgetV25(tenant);
    }

    /** V25 forgotten but its trigger left in place, as a hand-made object would be: V25 then fails on it. */
    private void broken(TenantRef tenant) {
        forgetV25(tenant);
    }

    private void forgetV25(TenantRef tenant) {
        String schema = TenantSchemas.schemaOf(tenant.id());
        JdbcClient owner = owner();
        owner.sql("delete from " + schema + ".flyway_schema_history where version = '25'").update();
        owner.sql("update platform.tenant_schemas set version = '24' where tenant_id = ?").param(tenant.id())
                .update();
    }

    private int historyRows(TenantRef tenant, String version) {
        return owner().sql("select count(*) from " + TenantSchemas.schemaOf(tenant.id())
                + ".flyway_schema_history where version = ?").param(version).query(Integer.class).single();
    }

    private JsonNode schemaInStatus(Session admin, TenantRef tenant, String state) {
        String cursor = null;
        do {
            Api.Response status = api.get(MIGRATIONS + "/status?limit=200&state=" + state
                    + (cursor == null ? "" : "&cursor=" + cursor), admin.accessToken());
            assertThat(status.status()).as(status.toString()).isEqualTo(200);
            for (JsonNode item : status.json().path("items")) {
                if (item.path("tenant_id").asString().equals(tenant.id().toString())) {
                    return item;
                }
            }
            cursor = status.json().path("next_cursor").isNull() ? null
                    : status.json().path("next_cursor").asString();
        }
        while (cursor != null);
        return null;
    }

    private Api.Response apply(Session admin, Map<String, Object> body) {
        return api.post(MIGRATIONS + "/apply", admin.accessToken(), body);
    }

    private JsonNode finished(Session admin, Api.Response started) {
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String location = started.header("Location");
        assertThat(location).isEqualTo(MIGRATIONS + "/jobs/" + started.json().path("id").asString());
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            JsonNode job = api.get(location, admin.accessToken()).json();
            if (!job.path("status").asString().equals("running")) {
                return job;
            }
            sleep(100);
        }
        throw new AssertionError("the job " + location + " did not finish within 60 s");
    }

    private static JsonNode item(JsonNode job, TenantRef tenant) {
        for (JsonNode item : job.path("items")) {
            if (item.path("tenant_id").asString().equals(tenant.id().toString())) {
                return item;
            }
        }
        throw new AssertionError("no item for " + tenant.id() + " in " + job);
    }

    @Test
    void aSchemaBehindIsShownItsTenantWaitsADryRunChangesNothingAndAnApplyBringsItBack() {
        Session admin = fixtures.platformAdmin();
        TenantRef tenant = schemaTenant(admin);
        Session member = fixtures.userIn(tenant, "tenant_admin");

        JsonNode status = api.get(MIGRATIONS + "/status", admin.accessToken()).json();
        String latest = status.path("latest_version").asString();
        assertThat(latest).isEqualTo(status.path("pool").path("version").asString());
        assertThat(status.path("platform").path("pending").asInt()).isZero();
        assertThat(status.path("platform").path("version").asString()).isNotBlank();
        assertThat(status.path("pool").path("pending").asInt()).isZero();
        JsonNode local = status.path("servers").valueStream().filter(s -> s.path("name").asString().equals("local"))
                .findFirst().orElseThrow();
        assertThat(local.path("tenant_schemas").asInt()).isPositive();
        JsonNode current = schemaInStatus(admin, tenant, "current");
        assertThat(current).as("a new schema tenant is current").isNotNull();
        assertThat(current.path("version").asString()).isEqualTo(latest);
        assertThat(current.path("pending").asInt()).isZero();
        assertThat(current.path("failed").isNull()).isTrue();
        assertThat(current.path("schema").asString()).isEqualTo(TenantSchemas.schemaOf(tenant.id()));

        behind(tenant);

        JsonNode late = schemaInStatus(admin, tenant, "behind");
        assertThat(late).isNotNull();
        assertThat(late.path("version").asString()).isEqualTo("24");
        assertThat(late.path("pending").asInt()).isPositive();
        assertThat(schemaInStatus(admin, tenant, "current")).isNull();
        int behindOnLocal = api.get(MIGRATIONS + "/status", admin.accessToken()).json().path("servers").valueStream()
                .filter(s -> s.path("name").asString().equals("local")).findFirst().orElseThrow().path("behind")
                .asInt();
        assertThat(behindOnLocal).isPositive();
        Api.Response waits = api.get("/api/v1/users", member.accessToken());
        assertThat(waits.status()).as(waits.toString()).isEqualTo(503);
        assertThat(waits.code()).isEqualTo("TENANT_MIGRATING");
        assertThat(waits.header("Content-Type")).startsWith("application/problem+json");
        assertThat(Integer.parseInt(waits.header("Retry-After"))).isPositive();

        JsonNode dry = finished(admin, apply(admin, obj("scope", "tenant", "ids", List.of(tenant.id()), "dry_run",
                true)));
        assertThat(dry.path("status").asString()).as(dry.toString()).isEqualTo("succeeded");
        assertThat(dry.path("dry_run").asBoolean()).isTrue();
        assertThat(dry.path("total").asInt()).isEqualTo(1);
        JsonNode planned = item(dry, tenant);
        assertThat(planned.path("status").asString()).isEqualTo("planned");
        assertThat(planned.path("would_apply").valueStream().map(JsonNode::asString)).containsExactly(LATEST);
        assertThat(planned.path("applied").size()).isZero();
        assertThat(historyRows(tenant, LATEST)).as("a dry run applies nothing").isZero();
        assertThat(schemaInStatus(admin, tenant, "behind")).isNotNull();
        assertThat(api.get("/api/v1/users", member.accessToken()).code()).isEqualTo("TENANT_MIGRATING");

        JsonNode job = finished(admin, apply(admin, obj("scope", "tenant", "ids", List.of(tenant.id()),
                "batch_size", 1, "max_parallel", 1)));
        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("succeeded");
        assertThat(job.path("batch_size").asInt()).isEqualTo(1);
        assertThat(job.path("max_parallel").asInt()).isEqualTo(1);
        assertThat(job.path("done").asInt()).isEqualTo(1);
        assertThat(job.path("failed").asInt()).isZero();
        assertThat(job.path("finished_at").asString()).isNotBlank();
        JsonNode migrated = item(job, tenant);
        assertThat(migrated.path("status").asString()).isEqualTo("succeeded");
        assertThat(migrated.path("from_version").asString()).isNotBlank();
        assertThat(migrated.path("to_version").asString()).isEqualTo(latest);
        assertThat(migrated.path("applied").valueStream().map(JsonNode::asString)).containsExactly(LATEST);
        assertThat(migrated.path("error").isNull()).isTrue();

        assertThat(historyRows(tenant, LATEST)).isEqualTo(1);
        assertThat(owner().sql("select count(*) from pg_trigger where tgname = 'memberships_located' "
                + "and tgrelid = to_regclass(?)").param(TenantSchemas.schemaOf(tenant.id()) + ".memberships")
                .query(Integer.class).single()).as("V25 ran again").isEqualTo(1);
        assertThat(schemaInStatus(admin, tenant, "current")).isNotNull();
        Api.Response works = api.get("/api/v1/users", member.accessToken());
        assertThat(works.status()).as(works.toString()).isEqualTo(200);
        assertThat(works.json().path("items").findValuesAsString("email")).contains(member.email());
    }

    @Test
    void aSchemaThatFailsIsReportedWithItsErrorAndTheOthersInTheJobAreMigrated() {
        Session admin = fixtures.platformAdmin();
        TenantRef fine = schemaTenant(admin);
        TenantRef bad = schemaTenant(admin);
        behind(fine);
        broken(bad);

        JsonNode job = finished(admin, apply(admin, obj("scope", "tenant", "ids", List.of(bad.id(), fine.id()),
                "batch_size", 1, "max_parallel", 2)));

        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("partially_failed");
        assertThat(job.path("total").asInt()).isEqualTo(2);
        assertThat(job.path("done").asInt()).isEqualTo(2);
        assertThat(job.path("failed").asInt()).isEqualTo(1);
        assertThat(item(job, fine).path("status").asString()).isEqualTo("succeeded");
        assertThat(item(job, fine).path("applied").valueStream().map(JsonNode::asString)).containsExactly(LATEST);
        JsonNode failed = item(job, bad);
        assertThat(failed.path("status").asString()).isEqualTo("failed");
        assertThat(failed.path("error").asString()).contains("V25").contains("memberships_located")
                .contains("already exists");
        assertThat(failed.path("to_version").isNull()).isTrue();
        assertThat(historyRows(fine, LATEST)).isEqualTo(1);
        assertThat(historyRows(bad, LATEST)).as("rolled back").isZero();

        JsonNode recorded = schemaInStatus(admin, bad, "failed");
        assertThat(recorded).isNotNull();
        assertThat(recorded.path("version").asString()).isEqualTo("24");
        assertThat(recorded.path("failed").asString()).contains("memberships_located");
        assertThat(schemaInStatus(admin, fine, "current")).isNotNull();
        assertThat(schemaInStatus(admin, fine, "failed")).isNull();

        // repaired by hand, it migrates and its failure is cleared (and it leaves no broken schema to later tests)
        owner().sql("drop trigger memberships_located on " + TenantSchemas.schemaOf(bad.id()) + ".memberships")
                .update();
        JsonNode again = finished(admin, apply(admin, obj("scope", "tenant", "ids", List.of(bad.id()))));
        assertThat(again.path("status").asString()).as(again.toString()).isEqualTo("succeeded");
        assertThat(schemaInStatus(admin, bad, "failed")).isNull();
        assertThat(schemaInStatus(admin, bad, "current").path("failed").isNull()).isTrue();
    }

    @Test
    void twoJobsOverTheSameSchemaAtOnceApplyEachVersionOnce() throws Exception {
        Session admin = fixtures.platformAdmin();
        TenantRef tenant = schemaTenant(admin);
        behind(tenant);
        var start = new CyclicBarrier(2);
        Map<String, Object> body = obj("scope", "tenant", "ids", List.of(tenant.id()), "max_parallel", 1);
        var first = CompletableFuture.supplyAsync(() -> {
            await(start);
            return apply(admin, body);
        });
        var second = CompletableFuture.supplyAsync(() -> {
            await(start);
            return apply(admin, body);
        });
        JsonNode one = finished(admin, first.get());
        JsonNode two = finished(admin, second.get());

        assertThat(one.path("status").asString()).as(one.toString()).isEqualTo("succeeded");
        assertThat(two.path("status").asString()).as(two.toString()).isEqualTo("succeeded");
        assertThat(historyRows(tenant, LATEST)).isEqualTo(1);
        List<String> applied = List.of(item(one, tenant), item(two, tenant)).stream()
                .flatMap(i -> i.path("applied").valueStream().map(JsonNode::asString)).toList();
        assertThat(applied).as("one job applied V25, the other found it applied").containsExactly(LATEST);
        assertThat(owner().sql("select count(*) from (select version from " + TenantSchemas.schemaOf(tenant.id())
                + ".flyway_schema_history where version is not null group by version having count(*) > 1) twice")
                .query(Integer.class).single()).isZero();
    }

    @Test
    void aServerScopeMigratesTheSchemasOnThatServer() {
        Session admin = fixtures.platformAdmin();
        TenantRef tenant = schemaTenant(admin);
        behind(tenant);
        String local = api.get(MIGRATIONS + "/status?limit=1", admin.accessToken()).json().path("servers")
                .valueStream().filter(s -> s.path("name").asString().equals("local")).findFirst().orElseThrow()
                .path("id").asString();

        JsonNode dry = finished(admin, apply(admin, obj("scope", "server", "ids", List.of(local), "dry_run", true,
                "batch_size", 1000, "max_parallel", 4)));

        assertThat(dry.path("status").asString()).as(dry.toString()).isIn("succeeded");
        assertThat(dry.path("total").asInt()).isPositive();
        assertThat(item(dry, tenant).path("would_apply").valueStream().map(JsonNode::asString))
                .containsExactly(LATEST);
        assertThat(historyRows(tenant, LATEST)).isZero();
        String key = Fixtures.unique("k");
        Map<String, Object> body = obj("scope", "tenant", "ids", List.of(tenant.id()));
        Api.Response started = api.send("POST", MIGRATIONS + "/apply", admin.accessToken(), Api.json(body),
                Map.of("Idempotency-Key", key));
        JsonNode job = finished(admin, started);
        assertThat(job.path("status").asString()).isEqualTo("succeeded");
        Api.Response repeated = api.send("POST", MIGRATIONS + "/apply", admin.accessToken(), Api.json(body),
                Map.of("Idempotency-Key", key));
        assertThat(repeated.status()).isEqualTo(202);
        assertThat(repeated.json().path("id").asString()).as("the same job").isEqualTo(job.path("id").asString());
        assertProblem(api.send("POST", MIGRATIONS + "/apply", admin.accessToken(), Api.json(obj("scope", "tenant",
                "ids", List.of(tenant.id()), "dry_run", true)), Map.of("Idempotency-Key", key)), 422,
                "IDEMPOTENCY_KEY_REUSED");
        assertProblem(api.send("POST", MIGRATIONS + "/apply", admin.accessToken(), Api.json(body),
                Map.of("Idempotency-Key", "has space")), 400, "IDEMPOTENCY_KEY_INVALID");
    }

    @Test
    void badInputIsRefusedWithStableCodes() {
        Session admin = fixtures.platformAdmin();
        String some = UUID.randomUUID().toString();
        assertEachRejected(body -> api.send("POST", MIGRATIONS + "/apply", admin.accessToken(), body, Map.of()),
                List.of(
                        new BadInput("{", "MALFORMED_JSON", List.of()),
                        new BadInput(Api.json(obj("scope", "all", "colour", "blue")), "UNKNOWN_FIELD", List.of()),
                        new BadInput(Api.json(obj("scope", "all", "batch_size", "many")), "INVALID_TYPE", List.of()),
                        new BadInput(Api.json(obj("scope", "all", "max_parallel", 1.5)), "INVALID_TYPE", List.of()),
                        new BadInput(Api.json(obj("scope", "all", "dry_run", "perhaps")), "INVALID_TYPE", List.of()),
                        new BadInput(Api.json(obj("scope", "tenant", "ids", List.of("not-a-uuid"))), "INVALID_TYPE",
                                List.of()),
                        new BadInput(Api.json(obj("scope", List.of("all"))), "INVALID_TYPE", List.of()),
                        new BadInput(Api.json(obj()), "VALIDATION_FAILED", List.of("scope")),
                        new BadInput(Api.json(obj("scope", "planet")), "VALIDATION_FAILED", List.of("scope")),
                        new BadInput(Api.json(obj("scope", "all", "batch_size", 0)), "VALIDATION_FAILED",
                                List.of("batch_size")),
                        new BadInput(Api.json(obj("scope", "all", "batch_size", 1001)), "VALIDATION_FAILED",
                                List.of("batch_size")),
                        new BadInput(Api.json(obj("scope", "all", "max_parallel", 0)), "VALIDATION_FAILED",
                                List.of("max_parallel")),
                        new BadInput(Api.json(obj("scope", "all", "max_parallel", 9)), "VALIDATION_FAILED",
                                List.of("max_parallel")),
                        new BadInput(Api.json(obj("scope", "server")), "VALIDATION_FAILED", List.of("ids")),
                        new BadInput(Api.json(obj("scope", "tenant", "ids", List.of())), "VALIDATION_FAILED",
                                List.of("ids")),
                        new BadInput(Api.json(obj("scope", "all", "ids", List.of(some))), "VALIDATION_FAILED",
                                List.of("ids"))));

        assertProblem(apply(admin, obj("scope", "tenant", "ids", List.of(some))), 422, "TENANT_UNKNOWN");
        assertProblem(apply(admin, obj("scope", "server", "ids", List.of(some))), 422, "DATABASE_SERVER_UNKNOWN");
        // pooled whatever the default tier (the schema-tier run of the tests makes schema tenants by default)
        Api.Response pooled = api.post("/api/v1/tenants", admin.accessToken(), obj("name", "Pooled", "slug",
                dev.canopy.support.Fixtures.unique("pooled"), "placement", obj("tier", "pool")));
        assertThat(pooled.status()).as(pooled.toString()).isEqualTo(201);
        assertProblem(apply(admin, obj("scope", "tenant", "ids", List.of(pooled.json().path("id").asString()))), 422,
                "TENANT_NOT_SCHEMA_TIER");
        assertProblem(api.get(MIGRATIONS + "/status?state=sideways", admin.accessToken()), 400,
                "VALIDATION_FAILED");
        assertProblem(api.get(MIGRATIONS + "/status?limit=201", admin.accessToken()), 400, "VALIDATION_FAILED");
        assertProblem(api.get(MIGRATIONS + "/status?cursor=nonsense", admin.accessToken()), 400,
                "VALIDATION_FAILED");
        assertProblem(api.get(MIGRATIONS + "/jobs/" + some, admin.accessToken()), 404, "MIGRATION_JOB_NOT_FOUND");
        assertProblem(api.get(MIGRATIONS + "/jobs/not-a-uuid", admin.accessToken()), 400, "VALIDATION_FAILED");

        Session member = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        assertProblem(api.get(MIGRATIONS + "/status", member.accessToken()), 403, "FORBIDDEN");
        assertProblem(apply(member, obj("scope", "all", "dry_run", true)), 403, "FORBIDDEN");
        assertProblem(api.get(MIGRATIONS + "/jobs/" + some, member.accessToken()), 403, "FORBIDDEN");
    }

    @Test
    void statusPagesThroughTheTenantSchemas() {
        Session admin = fixtures.platformAdmin();
        schemaTenant(admin);
        schemaTenant(admin);
        Api.Response first = api.get(MIGRATIONS + "/status?limit=1", admin.accessToken());
        assertThat(first.json().path("items").size()).isEqualTo(1);
        String cursor = first.json().path("next_cursor").asString();
        assertThat(cursor).isNotBlank();
        Api.Response second = api.get(MIGRATIONS + "/status?limit=1&cursor=" + cursor, admin.accessToken());
        assertThat(second.json().path("items").get(0).path("tenant_id").asString())
                .isGreaterThan(first.json().path("items").get(0).path("tenant_id").asString());
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
