package dev.canopy.audit;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.audit.internal.AuditChain;
import dev.canopy.audit.internal.AuditLog;
import dev.canopy.audit.internal.ChainedEvent;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;

/**
 * Appends per second through the real write path, for {@code docs/benchmarks.md}. Not part of the
 * default build (tag {@code benchmark}); run it with
 * {@code ./mvnw -o test -Dtest=AuditAppendBenchmark -DexcludedTestGroups=none}. Figures are printed
 * and written to {@code target/benchmarks/audit-appends.txt}; every chain written is verified afterwards.
 */
@Tag("benchmark")
class AuditAppendBenchmark extends ApiTest {

    private static final int RUNS = 3;
    private static final int WARM_UP = 5_000;
    private static final int APPENDS = 10_000;
    private static final int HTTP_REQUESTS = 2_000;
    private static final List<String> RESULTS = new ArrayList<>();

    @Autowired
    private AuditChain chain;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private PlatformTransactionManager transactionManager;

    @Autowired
    private DataSource dataSource;

    private TransactionTemplate transactions;
    private AuditLog log;

    @BeforeEach
    void setUp() {
        transactions = new TransactionTemplate(transactionManager);
        log = new AuditLog(jdbc, scopes, dataSource);
    }

    @Test
    void appendsThroughTheChain() {
        UUID warm = fixtures.tenant().id();
        appendConcurrently(List.of(warm, warm), WARM_UP);

        for (int threads : new int[] { 1, 4, 8 }) {
            UUID shared = fixtures.tenant().id();
            List<UUID> oneTenant = Collections.nCopies(threads, shared);
            measure("AuditChain.append, a transaction each, " + threads + " thread(s), one tenant", APPENDS,
                    () -> appendConcurrently(oneTenant, APPENDS));
            verify(shared);
        }
        for (int threads : new int[] { 2, 4, 8 }) {
            List<UUID> ownTenants = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ownTenants.add(fixtures.tenant().id());
            }
            measure("AuditChain.append, a transaction each, " + threads + " threads, a tenant each", APPENDS,
                    () -> appendConcurrently(ownTenants, APPENDS));
            ownTenants.forEach(this::verify);
        }
    }

    @Test
    void mutatingRequestsOverHttp() {
        TenantRef tenant = fixtures.tenant();
        int threads = 4;
        List<Session> users = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            users.add(fixtures.userIn(tenant, "member"));
        }
        long[] versions = new long[threads];
        IntConsumer[] callers = new IntConsumer[threads];
        for (int t = 0; t < threads; t++) {
            int thread = t;
            callers[t] = i -> {
                Api.Response response = api.patch("/api/v1/auth/me", users.get(thread).accessToken(),
                        obj("full_name", "Benchmark " + i, "version", versions[thread]));
                assertThat(response.status()).as(response.toString()).isEqualTo(200);
                versions[thread]++;
            };
        }
        run(callers, HTTP_REQUESTS / 4);
        measure("PATCH /api/v1/auth/me over HTTP (request transaction, change, record), " + threads
                + " clients, one tenant", HTTP_REQUESTS, () -> run(callers, HTTP_REQUESTS));
        verify(tenant.id());
    }

    @AfterAll
    static void write() throws IOException {
        Path file = Path.of("target/benchmarks/audit-appends.txt");
        Files.createDirectories(file.getParent());
        Files.write(file, RESULTS);
    }

    private long appendConcurrently(List<UUID> tenantPerThread, int total) {
        IntConsumer[] callers = new IntConsumer[tenantPerThread.size()];
        for (int t = 0; t < callers.length; t++) {
            UUID tenant = tenantPerThread.get(t);
            callers[t] = i -> transactions.executeWithoutResult(status -> chain.append(record(tenant, i)));
        }
        return run(callers, total);
    }

    /** Runs {@code total} calls spread over one thread per caller; returns the wall time in nanoseconds. */
    private static long run(IntConsumer[] callers, int total) {
        int perThread = total / callers.length;
        ExecutorService pool = Executors.newFixedThreadPool(callers.length);
        var start = new CountDownLatch(1);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (IntConsumer caller : callers) {
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        caller.accept(i);
                    }
                    return null;
                }));
            }
            long started = System.nanoTime();
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get(10, TimeUnit.MINUTES);
            }
            return System.nanoTime() - started;
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
        finally {
            pool.shutdownNow();
        }
    }

    private static AuditRecord record(UUID tenant, int i) {
        var details = new LinkedHashMap<String, Object>();
        details.put("request", Map.of("email", "someone-" + i + "@example.com", "full_name", "Someone " + i,
                "password", "never-stored", "roles", List.of("member")));
        return new AuditRecord(tenant, Instant.now(),
                new Actor.UserActor(UUID.fromString("01a20000-0000-7000-8000-000000000001"), "admin@example.com"),
                "user.added", "user", Ids.newId().toString(), true, 201, "127.0.0.1", "benchmark/1.0",
                Ids.newId().toString(), details);
    }

    private void verify(UUID tenant) {
        List<ChainedEvent> events = log.chain(tenant);
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).seq()).isEqualTo(i + 1L);
            assertThat(events.get(i).prevHash()).isEqualTo(i == 0 ? AuditLog.genesis() : events.get(i - 1).hash());
        }
        assertThat(events).allMatch(AuditLog::intact);
    }

    /** Runs a measurement {@value #RUNS} times; reports the median rate, every run's and the load average. */
    private static void measure(String what, int count, LongSupplier nanos) {
        String load = loadAverage();
        List<Double> rates = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            rates.add(count / (nanos.getAsLong() / 1e9));
        }
        List<Double> sorted = rates.stream().sorted().toList();
        String line = "%-96s median %,6.0f /s  (runs: %s; %,d each; load average before: %s)".formatted(what,
                sorted.get(sorted.size() / 2), String.join(", ", rates.stream().map("%,.0f"::formatted).toList()),
                count, load);
        System.out.println(line);
        RESULTS.add(line);
    }

    private static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
        }
        catch (IOException e) {
            return "?";
        }
    }
}
