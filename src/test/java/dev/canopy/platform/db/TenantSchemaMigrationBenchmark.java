package dev.canopy.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.canopy.support.ApiTest;

/**
 * 1,000 tenant schemas from empty to the latest tenant migration: our one-transaction-per-schema migrator at 2 and
 * 4 schemas at once, beside Flyway run once per schema (its own connection, history lock and transaction per script)
 * over a sample. Goal (issue 18): 1,000 tenant schemas in under 60 s. Its schemas are dropped afterwards.
 * <p>
 * {@code ./mvnw -B -ntp verify -Dschema-tier.skip=true -Dtest=TenantSchemaMigrationBenchmark
 * -DexcludedTestGroups=none -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dbenchmark.schemas},
 * {@code -Dbenchmark.flyway-sample} change the counts); the figures go to the test's output file.
 */
@Tag("benchmark")
class TenantSchemaMigrationBenchmark extends ApiTest {

    private static final int SCHEMAS = Integer.getInteger("benchmark.schemas", 1000);
    private static final int FLYWAY_SAMPLE = Integer.getInteger("benchmark.flyway-sample", 100);

    @Autowired
    TenantSchemas schemas;

    @Autowired
    DatabaseEndpoint endpoint;

    private final List<String> made = new ArrayList<>();

    @Test
    void thousandSchemasFromEmptyToLatest() throws Exception {
        TenantSchemaMigrator migrator = schemas.migrator();
        int scripts = migrator.pending(java.util.Set.of()).size();
        var figures = new StringBuilder("\n=== tenant schema migrations: " + SCHEMAS + " schemas from empty to V"
                + migrator.latestVersion() + " (" + scripts + " scripts each) ===\n");
        for (int parallel : new int[] { 2, 4 }) {
            List<String> names = names("bench_m" + parallel + "_", SCHEMAS);
            run(names, 4, name -> schemas.inOwnerTransaction(c -> migrator.createEmpty(c, name)));
            long started = System.nanoTime();
            run(names, parallel, name -> schemas.inOwnerTransaction(c -> {
                int ran = migrator.migrate(c, name).applied().size();
                assertThat(ran).isEqualTo(scripts);
            }));
            double seconds = (System.nanoTime() - started) / 1e9;
            figures.append("migrator, max_parallel %d: %d schemas in %.1f s (%.1f ms a schema, %.0f schemas/s)%n"
                    .formatted(parallel, SCHEMAS, seconds, seconds * 1000 / SCHEMAS, SCHEMAS / seconds));
            drop(names);
        }
        List<String> sample = names("bench_f_", FLYWAY_SAMPLE);
        long started = System.nanoTime();
        for (String name : sample) {
            Flyway.configure()
                    .dataSource(endpoint.url(), endpoint.ownerUser(), endpoint.ownerPassword())
                    .schemas(name)
                    .locations("classpath:db/migration/tenant")
                    .placeholders(Map.of("app_role", endpoint.appUser()))
                    .outOfOrder(true)
                    .load()
                    .migrate();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        figures.append(("Flyway per schema, one at a time: %d schemas in %.1f s (%.1f ms a schema); "
                + "extrapolated to %d: %.0f s%n").formatted(FLYWAY_SAMPLE, seconds, seconds * 1000 / FLYWAY_SAMPLE,
                        SCHEMAS, seconds * SCHEMAS / FLYWAY_SAMPLE));
        System.out.println(figures);
    }

    private interface SchemaWork {
        void run(String schema) throws Exception;
    }

    private List<String> names(String prefix, int count) {
        List<String> names = IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
        made.addAll(names);
        return names;
    }

    private static void run(List<String> names, int parallel, SchemaWork work) throws Exception {
        try (ExecutorService threads = Executors.newFixedThreadPool(parallel, Thread.ofVirtual().factory())) {
            List<Future<?>> all = new ArrayList<>();
            for (String name : names) {
                all.add(threads.submit(() -> {
                    work.run(name);
                    return null;
                }));
            }
            for (Future<?> each : all) {
                each.get();
            }
        }
    }

    private void drop(List<String> names) throws Exception {
        run(names, 2, name -> schemas.inOwnerTransaction(c -> {
            try (var statement = c.createStatement()) {
                statement.execute("drop schema if exists " + TenantSchemaMigrator.quote(name) + " cascade");
            }
        }));
        made.removeAll(names);
    }

    @AfterEach
    void dropWhatWasMade() throws Exception {
        drop(List.copyOf(made));
    }
}
