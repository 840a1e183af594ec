package dev.canopy.tenancy.internal;

import static dev.canopy.support.Api.obj;
import static dev.canopy.support.ApiAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.audit.internal.AuditTestSupport;
import dev.canopy.platform.db.DatabaseEndpoint;
import dev.canopy.platform.db.TenantSchemas;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.DatabaseAssertions;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/**
 * Live moves between the pool and a schema of the tenant's own, while its members keep writing: nothing written
 * during the move is lost, the counts and the audit chain agree, the switch blocks writes briefly, and the source
 * goes once its keeping time is over. Moves that cannot be made are refused.
 */
class TenantMoveApiTest extends ApiTest {

    @Autowired
    ApplicationContext context;

    @Autowired
    DatabaseEndpoint endpoint;

    @Autowired
    JdbcClient jdbc;

    private Api.Response move(Session admin, UUID tenant, Map<String, Object> body) {
        return api.post("/api/v1/admin/tenants/" + tenant + "/move", admin.accessToken(), body);
    }

    private JsonNode awaitMove(Session admin, UUID tenant, Api.Response started) {
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String location = started.header("Location");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            JsonNode move = api.get(location, admin.accessToken()).json();
            if (!move.path("status").asString().equals("copying") && !move.path("status").asString()
                    .equals("switching")) {
                return move;
            }
            sleep(100);
        }
        throw new AssertionError("the move of " + tenant + " did not finish");
    }

    @Test
    void aTenantMovesIntoItsOwnSchemaAndBackWhileItsMembersKeepWritingAndLosesNothing() throws Exception {
        Session admin = fixtures.platformAdmin();
        TenantRef tenant = fixtures.tenant();
        String from = tenant.json().path("placement").path("tier").asString();
        String to = from.equals("pool") ? "schema" : "pool";
        Session member = fixtures.userIn(tenant, "tenant_admin");
        new AuditTestSupport(context).seed(tenant.id(), 20_000, Instant.now().minusSeconds(3600), "seed.moved");

        var written = new ConcurrentLinkedQueue<String>();
        var failures = new ConcurrentLinkedQueue<String>();
        var stop = new AtomicBoolean();
        var counter = new AtomicInteger();
        Thread writer = Thread.ofVirtual().start(() -> {
            // at most 150, so that one page of the role list shows them all
            while (!stop.get() && written.size() < 150) {
                Api.Response created = api.post("/api/v1/roles", member.accessToken(), obj("name",
                        "Role " + counter.incrementAndGet(), "permissions", List.of("users:list")));
                if (created.status() == 201) {
                    written.add(created.json().path("id").asString());
                }
                else {
                    failures.add(created.toString());
                }
                Api.Response read = api.get("/api/v1/users", member.accessToken());
                if (read.status() != 200) {
                    failures.add(read.toString());
                }
                sleep(20);
            }
        });
        sleep(300);
        JsonNode there = awaitMove(admin, tenant.id(), move(admin, tenant.id(), obj("tier", to)));
        sleep(300);
        stop.set(true);
        writer.join();

        assertThat(there.path("status").asString()).as(there.toString()).isEqualTo("done");
        assertThat(there.path("from_tier").asString()).isEqualTo(from);
        assertThat(there.path("write_blocked_ms").asInt()).as("the write-blocking window").isLessThan(2000);
        assertThat(there.path("tables").path("audit_events").asLong()).isGreaterThan(20_000);
        assertThat(failures).as("requests during the move").isEmpty();
        assertThat(written).hasSizeGreaterThan(3);
        assertThat(api.get("/api/v1/tenants/" + tenant.id(), admin.accessToken()).json().path("placement")
                .path("tier").asString()).isEqualTo(to);
        List<String> roles = api.get("/api/v1/roles?limit=200", member.accessToken()).json().path("items")
                .findValuesAsString("id");
        assertThat(roles).as("every role written during the move").containsAll(written);
        assertThat(api.post("/api/v1/audit-events/verify", member.accessToken(), null).json().path("valid")
                .asBoolean()).as("the audit chain after the move").isTrue();
        assertThat(fixtures.login(member.email(), Fixtures.PASSWORD, tenant.id()).tenantId()).isEqualTo(tenant.id());
        String source = from.equals("pool") ? "tenant" : TenantSchemas.schemaOf(tenant.id());
        assertThat(count(source, "roles", tenant.id())).as("the source kept for now").isPositive();

        JsonNode back = awaitMove(admin, tenant.id(), move(admin, tenant.id(), obj("tier", from)));
        assertThat(back.path("status").asString()).as(back.toString()).isEqualTo("done");
        assertThat(api.get("/api/v1/roles?limit=200", member.accessToken()).json().path("items")
                .findValuesAsString("id")).containsAll(written);
        assertThat(api.post("/api/v1/audit-events/verify", member.accessToken(), null).json().path("valid")
                .asBoolean()).isTrue();

        // once kept long enough, the source of the first move goes (the second move's source is the first's target)
        jdbc.sql("update platform.tenant_moves set keep_source_until = now() where tenant_id = ?").param(tenant.id())
                .update();
        context.getBean(LiveMoves.class).dropKeptSources();
        String target = to.equals("pool") ? "tenant" : TenantSchemas.schemaOf(tenant.id());
        if (target.equals("tenant")) {
            assertThat(count("tenant", "roles", tenant.id())).as("pool rows of a tenant now in its schema").isZero();
        }
        else {
            assertThat(jdbc.sql("select count(*) from pg_namespace where nspname = ?").param(target)
                    .query(Integer.class).single()).as("the schema of a tenant back in the pool").isZero();
        }
        assertThat(api.get("/api/v1/roles?limit=200", member.accessToken()).json().path("items")
                .findValuesAsString("id")).containsAll(written);
    }

    @Test
    void movesThatCannotBeMadeAreRefused() {
        Session admin = fixtures.platformAdmin();
        TenantRef tenant = fixtures.tenant();
        String tier = tenant.json().path("placement").path("tier").asString();
        UUID id = tenant.id();
        assertProblem(move(admin, id, obj("tier", tier)), 409, "ALREADY_IN_TIER");
        assertProblem(move(admin, id, obj("tier", "database")), 422, "TIER_NOT_AVAILABLE");
        String other = tier.equals("pool") ? "schema" : "pool";
        assertProblem(move(admin, id, obj("tier", other, "region", "eu-west")), 422, "REGION_CHANGE_NOT_ALLOWED");
        assertProblem(move(admin, id, obj("tier", other, "region", "eu-west", "allow_region_change", true)), 422,
                "REGION_MISMATCH");
        assertProblem(move(admin, id, obj("tier", other, "region", "mars", "allow_region_change", true)), 422,
                "REGION_UNKNOWN");
        assertProblem(move(admin, UUID.randomUUID(), obj("tier", other)), 404, "TENANT_NOT_FOUND");
        assertProblem(move(admin, id, obj()), 400, "VALIDATION_FAILED");
        assertProblem(move(admin, id, obj("tier", "cluster")), 400, "VALIDATION_FAILED");
        assertProblem(move(admin, id, obj("tier", 5)), 400, "INVALID_TYPE");
        assertProblem(move(admin, id, obj("tier", other, "colour", "red")), 400, "UNKNOWN_FIELD");
        assertProblem(api.post("/api/v1/admin/tenants/" + id + "/move", admin.accessToken(), "{\"tier\":"), 400,
                "MALFORMED_JSON");
        Session member = fixtures.userIn(tenant, "tenant_admin");
        assertProblem(move(member, id, obj("tier", other)), 403, "FORBIDDEN");
        assertProblem(api.get("/api/v1/admin/tenants/" + id + "/moves/" + UUID.randomUUID(), admin.accessToken()), 404,
                "MOVE_NOT_FOUND");

        new AuditTestSupport(context).seed(id, 20_000, Instant.now().minusSeconds(3600), "seed.busy");
        Api.Response first = move(admin, id, obj("tier", other));
        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        assertProblem(move(admin, id, obj("tier", other)), 409, "MOVE_IN_PROGRESS");
        assertThat(awaitMove(admin, id, first).path("status").asString()).isEqualTo("done");
        assertThat(api.get("/api/v1/admin/tenants/" + id + "/moves", admin.accessToken()).json().path("items")
                .size()).isEqualTo(1);
    }

    private int count(String schema, String table, UUID tenantId) {
        return DatabaseAssertions.countAsOwner(endpoint, schema + "." + table, tenantId);
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
