package dev.canopy.audit;

import static dev.canopy.audit.AuditSearchTest.EVENTS;
import static dev.canopy.audit.AuditSearchTest.query;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import dev.canopy.audit.internal.AuditTestSupport;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;

/**
 * Latency of filtered audit searches over 1,000,000 events in one tenant, over HTTP (goal: p95 under
 * 100 ms). Not part of the normal build; run it with
 * {@code ./mvnw -o test -Dtest=AuditSearchBenchmark -DexcludedTestGroups=none} and read the table in
 * {@code target/surefire-reports/dev.canopy.audit.AuditSearchBenchmark-output.txt}.
 * The rows are generated in one {@code INSERT ... SELECT generate_series} as the owner; their hash chain
 * is not valid, which a search does not care about.
 */
@Tag("benchmark")
class AuditSearchBenchmark extends ApiTest {

    private static final int EVENTS_IN_TENANT = 1_000_000;
    private static final int USERS = 200;
    private static final int ROUNDS = 20;
    private static final String[] ACTIONS = { "auth.login", "auth.login_failed", "auth.refreshed", "auth.logout",
            "auth.tenant_switched", "user.added", "user.updated", "user.removed", "tenant.updated",
            "deployment.created", "deployment.updated", "deployment.deleted", "environment.created",
            "environment.updated", "template.published", "cloud_account.linked", "secret.read", "role.updated",
            "access.denied", "audit.verified" };

    @Autowired
    private ApplicationContext context;

    @Test
    void filteredSearchesOverAMillionEvents() throws SQLException {
        TenantRef tenant = fixtures.tenant();
        Session admin = fixtures.userIn(tenant, "tenant_admin");
        var support = new AuditTestSupport(context);
        Instant start = Instant.now().minus(300, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

        long generating = System.nanoTime();
        support.asOwner(statement -> {
            try {
                statement.execute("select set_config('canopy.tenant_id', '" + tenant.id() + "', true)");
                // 1,000,000 events after the tenant's own few, spread over 300 days, 200 users, 20 actions
                statement.execute("""
                        insert into audit_events (tenant_id, seq, id, occurred_at, actor_type, actor_id,
                            actor_email, action, resource_type, resource_id, status, http_status, ip, user_agent,
                            request_id, details, prev_hash, hash)
                        select '%1$s', h.seq + i, gen_random_uuid(),
                               timestamptz '%2$s' + (i * interval '25920 milliseconds'),
                               'user', ('00000000-0000-4000-8000-' || lpad(to_hex(i %% %3$d), 12, '0'))::uuid,
                               'user' || (i %% %3$d) || '@bench.example',
                               (array[%4$s])[1 + (i * 7 + i / 13) %% 20],
                               (array['user','tenant','deployment','environment','template'])[1 + i %% 5],
                               'r-' || (i %% 10000),
                               case when i %% 20 = 0 then 'failure' else 'success' end,
                               case when i %% 20 = 0 then 403 else 200 end,
                               '10.0.' || (i %% 250) || '.' || (i %% 200), 'bench/1.0', 'bench-req-' || i,
                               jsonb_build_object('request', jsonb_build_object('name', 'item ' || (i %% 5000),
                                   'note', (array['alpha','bravo','charlie','delta','echo','foxtrot','golf',
                                   'hotel','india','juliet'])[1 + i %% 10] || ' ' || 'w' || (i %% 1000))),
                               '\\x00', '\\x00'
                          from generate_series(1, %5$d) i,
                               (select seq from platform.audit_chain_heads where tenant_id = '%1$s') h
                        """.formatted(tenant.id(), start, USERS, actionsArray(), EVENTS_IN_TENANT));
                // their words, as AuditChain.append adds them
                statement.execute("""
                        insert into audit_terms (tenant_id, term, seq)
                        select e.tenant_id, t.term, e.seq
                          from audit_events e,
                               unnest(tsvector_to_array(to_tsvector('simple', e.action || ' ' || e.details::text)))
                                   as t(term)
                         where e.tenant_id = '%1$s' and e.seq > (select seq from platform.audit_chain_heads
                                                                  where tenant_id = '%1$s')
                        """.formatted(tenant.id()));
                statement.execute("update platform.audit_chain_heads set seq = seq + " + EVENTS_IN_TENANT
                        + " where tenant_id = '" + tenant.id() + "'");
                statement.execute("analyze audit_events");
                statement.execute("analyze audit_terms");
            }
            catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        System.out.printf("Generated %,d events in %d s%n", EVENTS_IN_TENANT,
                (System.nanoTime() - generating) / 1_000_000_000);

        var random = new Random(42);
        Map<String, Supplier<Map<String, String>>> kinds = new LinkedHashMap<>();
        kinds.put("newest 50, no filter", Map::of);
        kinds.put("action prefix (auth.)", () -> Map.of("action", "auth."));
        kinds.put("action exact", () -> Map.of("action", ACTIONS[random.nextInt(ACTIONS.length)]));
        kinds.put("user_id", () -> Map.of("user_id", user(random.nextInt(USERS))));
        kinds.put("resource_type + resource_id", () -> Map.of("resource_type", "deployment", "resource_id",
                "r-" + (5 * random.nextInt(2000) + 2)));
        kinds.put("status=failure", () -> Map.of("status", "failure"));
        kinds.put("from/to: one day", () -> {
            Instant day = start.plus(1 + random.nextInt(290), ChronoUnit.DAYS);
            return Map.of("from", day.toString(), "to", day.plus(1, ChronoUnit.DAYS).toString());
        });
        kinds.put("request_id", () -> Map.of("request_id", "bench-req-" + (1 + random.nextInt(EVENTS_IN_TENANT))));
        kinds.put("search: common word", () -> Map.of("search", "charlie"));
        kinds.put("search: rare words", () -> Map.of("search", "item " + random.nextInt(5000)));
        kinds.put("user_id + action + from", () -> Map.of("user_id", user(random.nextInt(USERS)), "action",
                "deployment.", "from", start.plus(100, ChronoUnit.DAYS).toString()));
        kinds.put("status + action + to", () -> Map.of("status", "failure", "action", "user.", "to",
                start.plus(150, ChronoUnit.DAYS).toString()));

        // warm up: connections, JIT, caches
        for (int i = 0; i < 2; i++) {
            kinds.values().forEach(k -> assertThat(api.get(EVENTS + query(k.get()), admin.accessToken()).status())
                    .isEqualTo(200));
        }

        Map<String, List<Double>> byKind = new LinkedHashMap<>();
        List<Double> all = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (var kind : kinds.entrySet()) {
                Map<String, String> filter = kind.getValue().get();
                long t0 = System.nanoTime();
                Api.Response page = api.get(EVENTS + query(filter), admin.accessToken());
                double millis = (System.nanoTime() - t0) / 1e6;
                assertThat(page.status()).as(page.toString()).isEqualTo(200);
                assertThat(page.json().path("items").size()).as(kind.getKey() + " " + filter).isPositive();
                byKind.computeIfAbsent(kind.getKey(), k -> new ArrayList<>()).add(millis);
                all.add(millis);
            }
        }
        // the floor: an authenticated request that does almost nothing
        for (int i = 0; i < ROUNDS; i++) {
            long t0 = System.nanoTime();
            assertThat(api.get("/api/v1/auth/me", admin.accessToken()).status()).isEqualTo(200);
            byKind.computeIfAbsent("(baseline: GET /api/v1/auth/me)", k -> new ArrayList<>())
                    .add((System.nanoTime() - t0) / 1e6);
        }
        // a deep page: the fifth page of a common filter
        String cursor = null;
        for (int i = 0; i < 5; i++) {
            Api.Response page = api.get(EVENTS + query(cursor == null ? Map.of("action", "auth.")
                    : Map.of("action", "auth.", "cursor", cursor)), admin.accessToken());
            cursor = page.json().path("next_cursor").asString();
        }
        for (int i = 0; i < ROUNDS; i++) {
            long t0 = System.nanoTime();
            assertThat(api.get(EVENTS + query(Map.of("action", "auth.", "cursor", cursor)), admin.accessToken())
                    .status()).isEqualTo(200);
            double millis = (System.nanoTime() - t0) / 1e6;
            byKind.computeIfAbsent("6th page of action prefix", k -> new ArrayList<>()).add(millis);
            all.add(millis);
        }

        if (Boolean.getBoolean("explain")) {
            kinds.forEach((kind, filter) -> System.out.println("\n## " + kind + "\n" + support.explainPage(tenant.id(),
                    filter.get())));
        }

        var report = new StringBuilder("\n| filter | p50 ms | p95 ms | max ms |\n|---|---|---|---|\n");
        byKind.forEach((kind, times) -> report.append(String.format("| %s | %.1f | %.1f | %.1f |%n", kind,
                percentile(times, 50), percentile(times, 95), percentile(times, 100))));
        report.append(String.format("| **all %d searches** | **%.1f** | **%.1f** | %.1f |%n", all.size(),
                percentile(all, 50), percentile(all, 95), percentile(all, 100)));
        System.out.println(report);
    }

    private static String user(int n) {
        return "00000000-0000-4000-8000-" + String.format("%012x", n);
    }

    private static String actionsArray() {
        var text = new StringBuilder();
        for (String action : ACTIONS) {
            text.append(text.isEmpty() ? "" : ",").append('\'').append(action).append('\'');
        }
        return text.toString();
    }

    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
}
