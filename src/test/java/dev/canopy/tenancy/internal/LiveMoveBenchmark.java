package dev.canopy.tenancy.internal;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import dev.canopy.audit.internal.AuditTestSupport;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;
import tools.jackson.databind.JsonNode;

/**
 * A live move of a pooled tenant with 1,000,000 audit events into a schema of its own while a member keeps creating
 * roles; reports the write-blocking window (goal: under 2 s), the whole move, and the slowest write during it. Not part
 * of the normal build: {@code ./mvnw -B -ntp -q verify -Dtest=LiveMoveBenchmark -DexcludedTestGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false -Dschema-tier.skip=true}; figures in
 * {@code target/surefire-reports/dev.canopy.tenancy.internal.LiveMoveBenchmark-output.txt}.
 */
@Tag("benchmark")
class LiveMoveBenchmark extends ApiTest {

    private static final int EVENTS = 1_000_000;

    @Autowired
    ApplicationContext context;

    @Test
    void aMillionAuditEventsMoveWithAShortWindow() throws Exception {
        Session admin = fixtures.platformAdmin();
        Api.Response created = api.post("/api/v1/tenants", admin.accessToken(), obj("name", "Big", "slug",
                dev.canopy.support.Fixtures.unique("big"), "placement", obj("tier", "pool")));
        TenantRef tenant = new TenantRef(java.util.UUID.fromString(created.json().path("id").asString()),
                created.json().path("slug").asString(), created.json());
        Session member = fixtures.userIn(tenant, "tenant_admin");
        long seeding = System.nanoTime();
        new AuditTestSupport(context).seed(tenant.id(), EVENTS, Instant.now().minus(Duration.ofDays(30)), "seed.big");
        System.out.printf("seeded %,d audit events in %.1f s%n", EVENTS, (System.nanoTime() - seeding) / 1e9);

        long[] slowest = new long[1];
        int[] writes = new int[1];
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = Thread.ofVirtual().start(() -> {
            while (!stop.get()) {
                long start = System.nanoTime();
                Api.Response role = api.post("/api/v1/roles", member.accessToken(), obj("name", "Role " + writes[0],
                        "permissions", List.of("users:list")));
                slowest[0] = Math.max(slowest[0], System.nanoTime() - start);
                assertThat(role.status()).as(role.toString()).isEqualTo(201);
                writes[0]++;
            }
        });
        long moving = System.nanoTime();
        Api.Response started = api.post("/api/v1/admin/tenants/" + tenant.id() + "/move", admin.accessToken(),
                obj("tier", "schema"));
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        JsonNode move;
        do {
            Thread.sleep(200);
            move = api.get(started.header("Location"), admin.accessToken()).json();
        }
        while (move.path("status").asString().equals("copying") || move.path("status").asString().equals("switching"));
        double seconds = (System.nanoTime() - moving) / 1e9;
        stop.set(true);
        writer.join();
        assertThat(move.path("status").asString()).as(move.toString()).isEqualTo("done");
        System.out.printf("moved %,d rows in %.1f s; write-blocking window %d ms; %d writes meanwhile, slowest %.0f ms%n",
                move.path("rows_copied").asLong(), seconds, move.path("write_blocked_ms").asInt(), writes[0],
                slowest[0] / 1e6);
    }
}
