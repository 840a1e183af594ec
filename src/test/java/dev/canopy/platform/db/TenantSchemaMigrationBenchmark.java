package dev.canopy.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
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
 * 1,000 tenant schemas migrated by our one-transaction-per-schema migrator: from empty to the latest tenant migration,
 * and from the previous version (what an upgrade of Canopy does) at 2 and 4 schemas at once; beside them Flyway run
 * once per schema (its own connection, history lock and transaction per script) over a sample, extrapolated. Goal
 * (issue 18): 1,000 tenant schemas in under 60 s. Its schemas are dropped afterwards.
 * <p>
 * {@code ./mvnw -B -ntp verify -Dschema-tier.skip=true -Dtest=TenantSchemaMigrationBenchmark
 * -DexcludedTestGroups=none -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dbenchmark.schemas},
 * {@code -Dbenchmark.flyway-sample} change the counts); the figures go to the test's output file.
 */
@Tag("benchmark")
class TenantSchemaMigrationBenchmark extends ApiTest {

    private static final int SCHEMAS = Integer.getInteger("benchmark.schemas", 1000);
    private static final int FLYWAY_SAMPLE = Integer.getInteger("benchmark.flyway-sample", 50);
    private static final int FROM_EMPTY_AT_4 = Integer.getInteger("benchmark.from-empty-at-4", 250);

    @Autowired
    TenantSchemas schemas;

    @Autowired
    DatabaseEndpoint endpoint;

    private final List<String> made = new ArrayList<>();

    @Test
    void thousandSchemasFromEmptyAndFromThePreviousVersion() throws Exception {
        TenantSchemaMigrator migrator = schemas.migrator();
        String latest = migrator.latestVersion();
        int scripts = migrator.pending(java.util.Set.of()).size();
        var figures = new StringBuilder("\n=== tenant schema migrations to V" + latest + " (" + scripts
                + " scripts from empty) ===\n");

        List<String> names = names("bench_m_", SCHEMAS);
        run(names, 4, name -> schemas.inOwnerTransaction(c -> migrator.createEmpty(c, name)));
        double fromEmpty = timed(names, 2, name -> schemas.inOwnerTransaction(c -> {
            assertThat(migrator.migrate(c, name).applied()).hasSize(scripts);
        }));
        figures.append(line("migrator, from empty, max_parallel 2", SCHEMAS, fromEmpty));
        for (int parallel : new int[] { 2, 4 }) {
            run(names, 4, this::backToPrevious);
            double upgrade = timed(names, parallel, name -> schemas.inOwnerTransaction(c -> {
                assertThat(migrator.migrate(c, name).applied()).containsExactly(latest);
            }));
            figures.append(line("migrator, V" + previous() + " -> V" + latest + ", max_parallel " + parallel,
                    SCHEMAS, upgrade));
        }
        drop(names);

        List<String> more = names("bench_m4_", FROM_EMPTY_AT_4);
        run(more, 4, name -> schemas.inOwnerTransaction(c -> migrator.createEmpty(c, name)));
        double atFour = timed(more, 4, name -> schemas.inOwnerTransaction(c -> migrator.migrate(c, name)));
        figures.append(line("migrator, from empty, max_parallel 4", FROM_EMPTY_AT_4, atFour));
        drop(more);

        List<String> sample = names("bench_f_", FLYWAY_SAMPLE);
        double flywayFromEmpty = timed(sample, 1, this::flyway);
        figures.append(line("Flyway per schema, from empty, one at a time", FLYWAY_SAMPLE, flywayFromEmpty));
        run(sample, 2, this::backToPrevious);
        double flywayUpgrade = timed(sample, 1, this::flyway);
        figures.append(line("Flyway per schema, V" + previous() + " -> V" + latest + ", one at a time",
                FLYWAY_SAMPLE, flywayUpgrade));
        System.out.println(figures);
    }

    private static String line(String what, int count, double seconds) {
        return printed("%s: %d schemas in %.1f s (%.1f ms a schema; for %d: %.0f s)%n".formatted(what, count, seconds,
                seconds * 1000 / count, SCHEMAS, seconds * SCHEMAS / count));
    }

    /** Each figure as soon as it is known, so a run stopped half-way still says what it measured. */
    private static String printed(String line) {
        System.out.print("benchmark: " + line);
        return line;
    }

    private static String previous() {
        return "24";
    }

    /** Undoes V25 (a trigger, and two functions' search path that it sets again) as a V24 Canopy left it. */
    private void backToPrevious(String schema) throws SQLException {
        schemas.inOwnerTransaction(c -> {
            try (var statement = c.createStatement()) {
                statement.execute("drop trigger memberships_located on " + TenantSchemaMigrator.quote(schema)
                        + ".memberships; delete from " + TenantSchemaMigrator.quote(schema)
                        + ".flyway_schema_history where version = '25'");
            }
        });
    }

    private void flyway(String schema) {
        Flyway.configure()
                .dataSource(endpoint.url(), endpoint.ownerUser(), endpoint.ownerPassword())
                .schemas(schema)
                .locations("classpath:db/migration/tenant")
                .placeholders(Map.of("app_role", endpoint.appUser()))
                .outOfOrder(true)
                .load()
                .migrate();
    }

    private static double timed(List<String> names, int parallel, SchemaWork work) throws Exception {
        long started = System.nanoTime();
        run(names, parallel, work);
        return (System.nanoTime() - started) / 1e9;
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
