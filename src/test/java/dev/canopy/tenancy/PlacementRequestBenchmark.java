package dev.canopy.tenancy;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantSchemas;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;

/**
 * A tenant-scoped request (GET /api/v1/users, 4 clients at once) with 10,000 tenants in the pool and no schemas,
 * then again once 1,000 tenants have schemas of their own, for a pooled tenant and a schema tenant. Goal: p95 at
 * most 10 % above the pool-only figure. Not part of the normal build: {@code ./mvnw -B -ntp -q verify
 * -Dtest=PlacementRequestBenchmark -DexcludedTestGroups=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dschema-tier.skip=true}; figures in
 * {@code target/surefire-reports/dev.canopy.tenancy.PlacementRequestBenchmark-output.txt}.
 */
@Tag("benchmark")
class PlacementRequestBenchmark extends ApiTest {

    private static final int POOLED = 10_000;
    /** 1,000 as the goal says; {@code -Dbenchmark.schemas} for a quicker run (building a schema takes about 1 s). */
    private static final int SCHEMAS = Integer.getInteger("benchmark.schemas", 1_000);
    private static final int CLIENTS = 4;
    private static final int REQUESTS = 4_000;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TenantSchemas schemas;

    @Autowired
    TransactionTemplate transactions;

    @Test
    void aTenantScopedRequestCostsTheSameWithAThousandSchemasBeside() throws Exception {
        Session admin = fixtures.platformAdmin();
        seedPooled(POOLED);
        Session pooled = fixtures.userIn(created(admin, "pool"), "tenant_admin");

        measure("pool only, pooled tenant", pooled);
        long started = System.nanoTime();
        seedSchemas(SCHEMAS);
        System.out.printf("built %d tenant schemas in %.1f s%n", SCHEMAS, (System.nanoTime() - started) / 1e9);
        Session own = fixtures.userIn(created(admin, "schema"), "tenant_admin");

        measure("with schemas, pooled tenant", pooled);
        measure("with schemas, schema tenant", own);
    }

    private TenantRef created(Session admin, String tier) {
        String slug = Fixtures.unique("bench");
        Api.Response response = api.post("/api/v1/tenants", admin.accessToken(), obj("name", "Bench " + slug, "slug",
                slug, "placement", obj("tier", tier)));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return new TenantRef(UUID.fromString(response.json().path("id").asString()), slug, response.json());
    }

    private void seedPooled(int count) {
        String prefix = Fixtures.unique("pooled");
        jdbc.sql("""
                insert into platform.tenants (id, name, slug)
                select gen_random_uuid(), 'Pooled ' || n, :prefix || '-' || n from generate_series(1, :count) n
                """).param("prefix", prefix).param("count", count).update();
    }

    private void seedSchemas(int count) throws Exception {
        String prefix = Fixtures.unique("own");
        try (ExecutorService builders = Executors.newFixedThreadPool(4)) {
            var built = new ArrayList<Future<?>>();
            for (int i = 0; i < count; i++) {
                String slug = prefix + "-" + i;
                built.add(builders.submit(() -> transactions.executeWithoutResult(status -> {
                    UUID id = Ids.newId();
                    schemas.build(id);
                    jdbc.sql("insert into platform.tenants (id, name, slug, tier) values (?, ?, ?, 'schema')")
                            .params(id, "Own " + slug, slug).update();
                    schemas.route(id);
                })));
            }
            for (Future<?> f : built) {
                f.get();
            }
        }
    }

    private void measure(String label, Session session) throws Exception {
        run(session, 400); // warm-up: plans, pools, JIT
        long[] latencies = run(session, REQUESTS);
        Arrays.sort(latencies);
        System.out.printf("%s: %d requests, %d clients: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms%n", label, REQUESTS,
                CLIENTS, latencies[latencies.length / 2] / 1e6, latencies[(int) (latencies.length * 0.95)] / 1e6,
                latencies[(int) (latencies.length * 0.99)] / 1e6);
    }

    private long[] run(Session session, int requests) throws Exception {
        try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
            List<Future<long[]>> parts = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                parts.add(clients.submit(() -> {
                    long[] mine = new long[requests / CLIENTS];
                    for (int i = 0; i < mine.length; i++) {
                        long start = System.nanoTime();
                        Api.Response response = api.get("/api/v1/users?limit=50", session.accessToken());
                        mine[i] = System.nanoTime() - start;
                        if (response.status() != 200) {
                            throw new AssertionError(response.toString());
                        }
                    }
                    return mine;
                }));
            }
            long[] all = new long[0];
            for (Future<long[]> part : parts) {
                long[] mine = part.get();
                long[] joined = Arrays.copyOf(all, all.length + mine.length);
                System.arraycopy(mine, 0, joined, all.length, mine.length);
                all = joined;
            }
            return all;
        }
    }
}
