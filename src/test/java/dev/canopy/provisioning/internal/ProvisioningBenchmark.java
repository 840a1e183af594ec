package dev.canopy.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.provisioning.Provisioning;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Over HTTP on the running application: the deployment list of a tenant with 100,000 deployments, 50 a page, with
 * tag and other filters (goal p95 &lt; 50 ms); and one run's log written at 10,000 lines/s for ten seconds while an
 * SSE reader follows it (goals: every line stored, reader lag p99 &lt; 250 ms). Not part of the normal build:
 * {@code ./mvnw test -Dtest=ProvisioningBenchmark -DexcludedTestGroups=none -Dsurefire.failIfNoSpecifiedTests=false};
 * the figures are in {@code target/surefire-reports/dev.canopy.provisioning.internal.ProvisioningBenchmark-output.txt}.
 */
@Tag("benchmark")
class ProvisioningBenchmark extends ApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int DEPLOYMENTS = 100_000;
    private static final int ROUNDS = 60;
    private static final int LINES_PER_SECOND = 10_000;
    private static final int SECONDS = 10;

    @TempDir
    Path target;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TenantTransactions scopes;

    @Autowired
    RunLogs logs;

    @Autowired
    ChangeBroadcast changes;

    @Test
    void listingOneHundredThousandDeployments() {
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        UUID tenant = admin.tenantId();
        String development = new Provisioning(api).environment(admin, "development");
        scopes.inTenant(tenant, () -> jdbc.sql("""
                insert into deployments (tenant_id, id, name, template_owner_id, template_id, template_name,
                       driver, template_version, template_digest, environment_id, owner_id, owner_email, inputs,
                       sealed_inputs, tags, status)
                select :tenant, gen_random_uuid(), 'deployment-' || i, :tenant, gen_random_uuid(),
                       (array['web app','database','queue','cache'])[1 + i % 4], 'ansible', '1.0.0', repeat('a', 64),
                       cast(:environment as uuid), gen_random_uuid(), 'owner' || (i % 500) || '@example.com', '{}',
                       '\\x00', jsonb_build_object('team', 'team-' || (i % 100), 'tier',
                           (array['web','db','queue','cache'])[1 + i % 4], 'serial', 's-' || i),
                       (array['active','active','active','failed','destroyed'])[1 + i % 5]
                  from generate_series(1, :n) i
                """).param("tenant", tenant).param("environment", development).param("n", DEPLOYMENTS).update());
        scopes.inTenant(tenant, () -> jdbc.sql("""
                insert into deployment_tags (tenant_id, deployment_id, key, value)
                select d.tenant_id, d.id, t.key, t.value from deployments d
                 cross join lateral jsonb_each_text(d.tags) t where d.tenant_id = ?
                """).param(tenant).update());
        jdbc.sql("analyze deployments").update();
        jdbc.sql("analyze deployment_tags").update();

        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("first page, no filter", "");
        kinds.put("tag team=team-7 (1 in 100)", "?tag=team=team-7");
        kinds.put("tag tier=web (1 in 4)", "?tag=tier=web");
        kinds.put("tag serial=s-77777 (1 row)", "?tag=serial=s-77777");
        kinds.put("two tags, team and tier", "?tag=team=team-8&tag=tier=db");
        kinds.put("status failed and environment", "?status=failed&environment_id=" + development);
        kinds.put("search \"deployment-4242\"", "?search=deployment-4242");
        List<Long> all = new ArrayList<>();
        System.out.printf("Deployment list, %,d deployments in the tenant, 50 a page, %d rounds each%n",
                DEPLOYMENTS, ROUNDS);
        kinds.forEach((kind, query) -> {
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < ROUNDS + 5; i++) {
                long start = System.nanoTime();
                Api.Response page = api.get("/api/v1/deployments" + query, admin.accessToken());
                long took = System.nanoTime() - start;
                assertThat(page.status()).as(page.toString()).isEqualTo(200);
                if (i >= 5) {
                    times.add(took);
                }
            }
            all.addAll(times);
            Collections.sort(times);
            System.out.printf("  %-36s p50 %5.1f ms  p95 %5.1f ms%n", kind, times.get(times.size() / 2) / 1e6,
                    times.get((int) (times.size() * 0.95)) / 1e6);
        });
        Collections.sort(all);
        System.out.printf("  %-36s p50 %5.1f ms  p95 %5.1f ms%n", "all of them", all.get(all.size() / 2) / 1e6,
                all.get((int) (all.size() * 0.95)) / 1e6);
    }

    @Test
    void tenThousandLogLinesASecondWhileAReaderFollows() throws Exception {
        var provisioning = new Provisioning(api);
        Session admin = fixtures.userIn(fixtures.tenant(), "tenant_admin");
        String template = provisioning.template(admin, Provisioning.FILES_PLAYBOOK, null);
        // a run waiting for approval in production: no driver writes to its log meanwhile
        String run = provisioning.deploy(admin, template, provisioning.environment(admin, "production"), target,
                Map.of()).json().path("run").path("id").asString();
        provisioning.await(admin, run, "awaiting_approval");
        UUID tenant = admin.tenantId();
        UUID runId = UUID.fromString(run);
        long before = scopes.inTenant(tenant, () -> logs.lastSeq(tenant, runId));

        List<Long> lags = Collections.synchronizedList(new ArrayList<>());
        var request = HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/runs/" + run + "/logs/stream?after="
                + before)).header("Authorization", "Bearer " + admin.accessToken()).timeout(Duration.ofMinutes(2))
                .build();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines()).body()
                        .takeWhile(line -> !line.startsWith("event:end")).forEach(line -> {
                            if (line.startsWith("data:") && line.contains("\"seq\"")) {
                                JsonNode event = JSON.readTree(line.substring(5));
                                Instant at = Instant.parse(event.path("at").asString());
                                lags.add(Duration.between(at, Instant.now()).toNanos());
                            }
                        });
            }
            catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        int total = LINES_PER_SECOND * SECONDS;
        long interval = 1_000_000_000L / LINES_PER_SECOND;
        long start = System.nanoTime();
        try (var writer = new RunLogWriter(tenant, runId, new Redactor(List.of()), logs, scopes, changes)) {
            // ten lines each millisecond, sleeping in between: a spinning writer would take one of the two cores
            long next = start;
            for (int i = 1; i <= total; i++) {
                writer.line("stdout", "info", "TASK [step " + i + "] ok: [localhost] changed=false");
                next += interval;
                if (i % 10 == 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long stored = scopes.inTenant(tenant, () -> jdbc.sql("select count(*) from run_logs where tenant_id = ? "
                + "and run_id = ? and seq > ?").params(tenant, runId, before).query(Long.class).single());
        api.post("/api/v1/runs/" + run + "/cancel", admin.accessToken(), null);
        reader.join(Duration.ofMinutes(1));
        List<Long> sorted = new ArrayList<>(lags);
        Collections.sort(sorted);
        System.out.printf("Run log: %,d lines written in %.2f s (%,.0f lines/s), %,d stored, %,d read over SSE%n",
                total, seconds, total / seconds, stored, sorted.size());
        System.out.printf("  reader lag (line written to line received): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6,
                sorted.getLast() / 1e6);
        assertThat(stored).as("no line lost").isEqualTo(total);
        assertThat(sorted).as("every line read").hasSize(total);
    }
}
