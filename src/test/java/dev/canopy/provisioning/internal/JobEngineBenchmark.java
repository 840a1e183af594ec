package dev.canopy.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.canopy.platform.db.ChangeBroadcast;
import dev.canopy.platform.db.IndependentTransaction;
import dev.canopy.support.ApiTest;

/**
 * The job engine with no-op jobs on the embedded PostgreSQL, 4 workers, beside db-scheduler (kagkarlsson) running
 * the same no-op tasks on the same database with 4 threads: throughput of 20,000 due jobs, and the latency from the
 * start of an enqueue (its transaction included) to the job's start for jobs enqueued one transaction each at a steady rate. Goals: at least
 * 1,000 jobs/s; p50 under 20 ms and p99 under 100 ms. Not part of the normal build: {@code ./mvnw test
 * -Dtest=JobEngineBenchmark -DexcludedTestGroups=none -Dsurefire.failIfNoSpecifiedTests=false}; the figures are
 * in {@code target/surefire-reports/dev.canopy.provisioning.internal.JobEngineBenchmark-output.txt}.
 */
@Tag("benchmark")
class JobEngineBenchmark extends ApiTest {

    private static final int JOBS = 20_000;
    private static final int TIMED = 2_000;
    private static final int RATE_PER_SECOND = 250;

    @Autowired
    JobQueue queue;

    @Autowired
    IndependentTransaction transactions;

    @Autowired
    ChangeBroadcast changes;

    @Autowired
    JobEngine appEngine;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    HikariDataSource dataSource;

    @Test
    void noOpJobsThroughCanopyAndDbScheduler() throws Exception {
        appEngine.stop(); // the benchmark's own engines only
        try {
            UUID tenant = fixtures.tenant().id();
            canopy(tenant);
            dbScheduler();
        }
        finally {
            appEngine.start();
        }
    }

    private void canopy(UUID tenant) throws Exception {
        Map<UUID, Long> enqueued = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        var done = new CountDownLatch[] {new CountDownLatch(JOBS)};
        JobHandler noop = new JobHandler() {
            @Override
            public String kind() {
                return Job.RUN;
            }

            @Override
            public Outcome attempt(Job job, JobLease lease) {
                Long at = enqueued.get(job.subjectId());
                if (at != null) {
                    latencies.add(System.nanoTime() - at);
                }
                done[0].countDown();
                return new Outcome.Done();
            }

            @Override
            public void exhausted(Job job, String error) {
            }
        };
        var settings = new JobSettings(true, 4, Duration.ofSeconds(30), Duration.ofSeconds(10), 3,
                Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(30));
        var engine = new JobEngine(queue, transactions, settings, List.of(noop), changes);

        jdbc.sql("""
                insert into platform.provisioning_jobs (id, tenant_id, kind, subject_id, max_attempts)
                select gen_random_uuid(), ?, 'run', gen_random_uuid(), 3 from generate_series(1, ?)
                """).params(tenant, JOBS).update();
        long start = System.nanoTime();
        engine.start();
        assertThat(done[0].await(5, TimeUnit.MINUTES)).isTrue();
        double seconds = (System.nanoTime() - start) / 1e9;
        report("Canopy job engine", JOBS / seconds);

        done[0] = new CountDownLatch(TIMED);
        steady(id -> {
            enqueued.put(id, System.nanoTime());
            transactions.run(() -> queue.schedule(tenant, Job.RUN, id, Instant.now(), 3));
        });
        assertThat(done[0].await(2, TimeUnit.MINUTES)).isTrue();
        engine.stop();
        latencies("Canopy job engine", latencies);
    }

    private void dbScheduler() throws Exception {
        String url = dataSource.getJdbcUrl();
        try (Connection owner = DriverManager.getConnection(url, "canopy_owner", "");
                Statement ddl = owner.createStatement()) {
            ddl.execute("create schema if not exists bench");
            ddl.execute("drop table if exists bench.scheduled_tasks");
            // db-scheduler's PostgreSQL table, as its documentation gives it
            ddl.execute("""
                    create table bench.scheduled_tasks (
                        task_name text not null, task_instance text not null, task_data bytea,
                        execution_time timestamp with time zone not null, picked boolean not null, picked_by text,
                        last_success timestamp with time zone, last_failure timestamp with time zone,
                        consecutive_failures int, last_heartbeat timestamp with time zone, version bigint not null,
                        priority smallint, primary key (task_name, task_instance))
                    """);
            ddl.execute("create index execution_time_idx on bench.scheduled_tasks (execution_time)");
            ddl.execute("create index last_heartbeat_idx on bench.scheduled_tasks (last_heartbeat)");
            ddl.execute("create index priority_execution_time_idx on bench.scheduled_tasks (priority desc, execution_time asc)");
        }
        var config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("canopy_owner");
        config.setPassword("");
        config.setMaximumPoolSize(10);
        try (var pool = new HikariDataSource(config)) {
            Map<String, Long> enqueued = new ConcurrentHashMap<>();
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            var done = new CountDownLatch[] {new CountDownLatch(JOBS)};
            OneTimeTask<Void> task = Tasks.oneTime("noop").execute((instance, context) -> {
                Long at = enqueued.get(instance.getId());
                if (at != null) {
                    latencies.add(System.nanoTime() - at);
                }
                done[0].countDown();
            });
            try (var sql = pool.getConnection(); var insert = sql.createStatement()) {
                insert.executeUpdate("insert into bench.scheduled_tasks (task_name, task_instance, execution_time, "
                        + "picked, version, priority) select 'noop', 'bulk-' || i, now(), false, 1, 0 "
                        + "from generate_series(1, " + JOBS + ") i");
            }
            Scheduler scheduler = Scheduler.create(pool, task).tableName("bench.scheduled_tasks").threads(4)
                    .pollUsingLockAndFetch(0.5, 1.0).enableImmediateExecution().build();
            long start = System.nanoTime();
            scheduler.start();
            assertThat(done[0].await(5, TimeUnit.MINUTES)).isTrue();
            double seconds = (System.nanoTime() - start) / 1e9;
            report("db-scheduler 16.7.1 (lock-and-fetch, immediate execution)", JOBS / seconds);

            done[0] = new CountDownLatch(TIMED);
            steady(id -> {
                enqueued.put(id.toString(), System.nanoTime());
                scheduler.schedule(task.instance(id.toString()), Instant.now());
            });
            assertThat(done[0].await(2, TimeUnit.MINUTES)).isTrue();
            scheduler.stop();
            latencies("db-scheduler 16.7.1 (lock-and-fetch, immediate execution)", latencies);
        }
    }

    /** Enqueues {@link #TIMED} jobs, one transaction each, at {@link #RATE_PER_SECOND}. */
    private static void steady(Consumer<UUID> enqueue) {
        long interval = 1_000_000_000L / RATE_PER_SECOND;
        long next = System.nanoTime();
        for (int i = 0; i < TIMED; i++) {
            while (System.nanoTime() < next) {
                Thread.onSpinWait();
            }
            enqueue.accept(UUID.randomUUID());
            next += interval;
        }
    }

    private static void report(String engine, double perSecond) {
        System.out.printf("%s: %,d due no-op jobs claimed and completed at %,.0f jobs/s%n", engine, JOBS, perSecond);
    }

    private static void latencies(String engine, List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        System.out.printf("%s: enqueue to start over %,d jobs at %d/s: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                engine, sorted.size(), RATE_PER_SECOND, sorted.get(sorted.size() / 2) / 1e6,
                sorted.get((int) (sorted.size() * 0.99)) / 1e6, sorted.getLast() / 1e6);
    }
}
