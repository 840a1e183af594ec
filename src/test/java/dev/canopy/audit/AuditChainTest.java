package dev.canopy.audit;

import static dev.canopy.support.Api.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.canopy.audit.internal.AuditChain;
import dev.canopy.audit.internal.AuditLog;
import dev.canopy.audit.internal.ChainedEvent;
import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.support.Api;
import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures;
import dev.canopy.support.Fixtures.Session;
import dev.canopy.support.Fixtures.TenantRef;

/**
 * The integrity of the stored log: the runtime role can only append and read, each tenant's chain
 * links and hashes hold after real traffic and under concurrent appends, a tampered row is the one
 * that no longer verifies, and appends to different tenants do not wait for each other.
 */
class AuditChainTest extends ApiTest {

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private TenantTransactions scopes;

    @Autowired
    private AuditChain chain;

    @Autowired
    private PlatformTransactionManager transactionManager;

    @Autowired
    private DataSource dataSource;

    private AuditLog log;
    private TransactionTemplate transactions;

    @BeforeEach
    void setUp() {
        log = new AuditLog(jdbc, scopes, dataSource);
        transactions = new TransactionTemplate(transactionManager);
    }

    // ---------------------------------------------------------------- grants

    @Test
    void theRuntimeRoleCannotRewriteOrEraseHistoryEvenInItsOwnScope() {
        TenantRef tenant = fixtures.tenant();
        fixtures.userIn(tenant, "member");
        assertThat(log.chain(tenant.id())).as("the tenant has events to rewrite").isNotEmpty();

        assertPermissionDenied(() -> scopes.inTenant(tenant.id(), () -> jdbc
                .sql("update tenant.audit_events set action = 'user.nothing_happened' where tenant_id = ?")
                .param(tenant.id()).update()));
        assertPermissionDenied(() -> scopes.inTenant(tenant.id(), () -> jdbc
                .sql("delete from tenant.audit_events where tenant_id = ?").param(tenant.id()).update()));
        assertPermissionDenied(() -> scopes.inTenant(tenant.id(), () -> jdbc
                .sql("truncate tenant.audit_events").update()));
        assertPermissionDenied(() -> jdbc.sql("delete from tenant.audit_events").update());

        assertThat(log.chain(tenant.id())).extracting(ChainedEvent::action).doesNotContain("user.nothing_happened");
    }

    @Test
    void noEventCanBeInsertedIntoAnotherTenantsChain() {
        TenantRef a = fixtures.tenant();
        TenantRef b = fixtures.tenant();
        fixtures.userIn(b, "member");
        List<ChainedEvent> before = log.chain(b.id());
        ChainedEvent last = before.getLast();

        assertPermissionDenied(() -> scopes.inTenant(a.id(), () -> insertRaw(b.id(), last.seq() + 1, last.hash())));
        assertPermissionDenied(() -> transactions.execute(status -> insertRaw(b.id(), last.seq() + 1, last.hash())));
        assertPermissionDenied(() -> insertRaw(b.id(), last.seq() + 1, last.hash()));

        assertThat(log.chain(b.id())).hasSameSizeAs(before);
    }

    @Test
    void theSearchWordsOfATenantAreItsOwnAndAsAppendOnlyAsItsEvents() {
        TenantRef a = fixtures.tenant();
        TenantRef b = fixtures.tenant();
        fixtures.userIn(a, "member");
        fixtures.userIn(b, "member");
        String countOwn = "select count(*) from tenant.audit_terms where tenant_id = ?";
        long ownWords = scopes.inTenant(b.id(), () -> jdbc.sql(countOwn).param(b.id()).query(Long.class).single());
        assertThat(ownWords).as("appends add their words").isPositive();

        assertThat(scopes.inTenant(a.id(), () -> jdbc.sql(countOwn).param(b.id()).query(Long.class).single()))
                .as("another tenant's words are invisible").isZero();
        assertThat(jdbc.sql(countOwn).param(b.id()).query(Long.class).single()).as("outside any tenant").isZero();
        assertPermissionDenied(() -> scopes.inTenant(a.id(), () -> jdbc
                .sql("insert into tenant.audit_terms (tenant_id, term, seq) values (?, 'planted', 1)")
                .param(b.id()).update()));
        assertPermissionDenied(() -> scopes.inTenant(b.id(), () -> jdbc
                .sql("update tenant.audit_terms set term = 'rewritten' where tenant_id = ?").param(b.id()).update()));
        assertPermissionDenied(() -> scopes.inTenant(b.id(), () -> jdbc
                .sql("delete from tenant.audit_terms where tenant_id = ?").param(b.id()).update()));

        assertThat(scopes.inTenant(b.id(), () -> jdbc.sql(countOwn).param(b.id()).query(Long.class).single()))
                .isEqualTo(ownWords);
    }

    // ---------------------------------------------------------------- integrity after real traffic

    @Test
    void afterRealTrafficEveryChainLinksAndEveryHashVerifies() {
        Session admin = fixtures.platformAdmin();
        TenantRef tenant = fixtures.tenant();
        Session tenantAdmin = fixtures.userIn(tenant, "tenant_admin");
        Session viewer = fixtures.userIn(tenant, "viewer");
        for (int i = 0; i < 5; i++) {
            String email = Fixtures.unique("traffic") + "@example.com";
            Api.Response added = api.post("/api/v1/users", tenantAdmin.accessToken(), obj("email", email,
                    "full_name", "Traffic " + i + " \u00e9\u4e2d\ud83c\udf32 \"quoted\" \\ back", "password",
                    Fixtures.PASSWORD, "roles", List.of("member")));
            assertThat(added.status()).as(added.toString()).isEqualTo(201);
            String id = added.json().path("id").asString();
            Api.Response renamed = api.patch("/api/v1/users/" + id, tenantAdmin.accessToken(),
                    obj("full_name", "Renamed " + i, "version", added.json().path("version").asLong()));
            assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
            assertThat(api.patch("/api/v1/users/" + id, tenantAdmin.accessToken(),
                    obj("full_name", "Stale", "version", 0)).status()).isEqualTo(409);
            assertThat(api.post("/api/v1/users", viewer.accessToken(), obj("email", email, "full_name", "x",
                    "roles", List.of("member"))).status()).isEqualTo(403);
            assertThat(api.get("/api/v1/roles", viewer.accessToken()).status()).isEqualTo(403);
            // a body the handler refuses is recorded as sent: numbers in any notation, text jsonb cannot hold
            assertThat(api.post("/api/v1/users", tenantAdmin.accessToken(), "{\"email\": 12, \"rate\": 1.50,"
                    + " \"big\": 1e2, \"tiny\": 1E-7, \"float\": 1.5E+3, \"huge\": 123456789012345678901234567890,"
                    + " \"text\": \"nul \\u0000, escaped \\\\u0000, lone \\ud800, pair \\ud83c\\udf32\","
                    + " \"nul \\u0000 key\": [1e-3, null, \"\\udc00\"]}").status())
                    .isEqualTo(400);
            fixtures.login(email, Fixtures.PASSWORD, tenant.id());
            assertThat(api.post("/api/v1/auth/login", null, obj("email", email, "password", "wrong-" + i))
                    .status()).isEqualTo(401);
            assertThat(api.delete("/api/v1/users/" + id, tenantAdmin.accessToken()).status()).isEqualTo(204);
        }
        fixtures.tenant(tenantAdmin, tenant.id());
        fixtures.switchTo(admin, tenant.id());

        List<ChainedEvent> events = log.chain(tenant.id());
        assertThat(events.size()).isGreaterThan(40);
        assertChainValid(tenant.id(), events);
        List<ChainedEvent> odd = events.stream()
                .filter(e -> "INVALID_TYPE".equals(AuditLog.details(e).path("error_code").asString())).toList();
        assertThat(odd).as("records of the odd bodies").hasSize(5);
        var body = AuditLog.details(odd.getFirst()).path("request");
        assertThat(odd.getFirst().details()).as("as jsonb keeps them")
                .contains("\"big\": 100,", "\"tiny\": 0.0000001", "\"float\": 1500", "\"rate\": 1.50");
        assertThat(body.path("text").asString())
                .isEqualTo("nul \\u0000, escaped \\u0000, lone \uFFFD, pair \ud83c\udf32");
        assertThat(events).extracting(ChainedEvent::action).contains("user.added", "user.updated", "user.removed",
                "auth.login", "access.denied", "tenant.created", "auth.tenant_switched");
        assertChainValid(AuditRecord.PLATFORM, log.chain(AuditRecord.PLATFORM));
        assertChainValid(admin.tenantId(), log.chain(admin.tenantId()));
    }

    @Test
    void contentThatLooksLikeTheSequenceNumberIsHashedLikeAnyOther() {
        UUID tenant = fixtures.tenant().id();
        String mimic = "\",\"seq\":" + Long.MIN_VALUE + ",\"x\":\"";
        List<ChainedEvent> appended = transactions.execute(status -> List.of(
                chain.append(new AuditRecord(tenant, Instant.now(), new Actor.SystemActor(mimic), "test.mimic", mimic,
                        mimic, false, 599, mimic, mimic, mimic, Map.of("seq", Long.MIN_VALUE, "n", mimic))),
                chain.append(record(tenant, "test.after_mimic", Map.of("seq", List.of(Long.MIN_VALUE, mimic))))));

        List<ChainedEvent> stored = log.chain(tenant);
        assertThat(stored).extracting(ChainedEvent::id).containsExactly(appended.get(0).id(), appended.get(1).id());
        assertThat(stored.getFirst().userAgent()).isEqualTo(mimic);
        assertChainValid(tenant, stored);
    }

    // ---------------------------------------------------------------- tampering

    @Test
    void tamperingWithARowThroughTheOwnerRoleBreaksExactlyThatRowsHash() throws SQLException {
        TenantRef tenant = fixtures.tenant();
        for (int i = 0; i < 3; i++) {
            fixtures.userIn(tenant, "member");
        }
        List<ChainedEvent> before = log.chain(tenant.id());
        assertThat(before).hasSizeGreaterThanOrEqualTo(6);
        assertChainValid(tenant.id(), before);
        ChainedEvent victim = before.get(before.size() / 2);

        try (Connection owner = AuditLog.owner(dataSource)) {
            owner.setAutoCommit(false);
            try (var statement = owner.createStatement()) {
                // forced row-level security applies to the owner too: lift it for this transaction only
                statement.execute("alter table tenant.audit_events no force row level security");
            }
            try (PreparedStatement update = owner.prepareStatement("""
                    update tenant.audit_events set actor_email = 'someone-else@example.com',
                        details = details || '{"rewritten": true}'
                    where tenant_id = ? and seq = ?
                    """)) {
                update.setObject(1, tenant.id());
                update.setLong(2, victim.seq());
                assertThat(update.executeUpdate()).isEqualTo(1);
            }
            try (var statement = owner.createStatement()) {
                statement.execute("alter table tenant.audit_events force row level security");
            }
            owner.commit();
        }

        List<ChainedEvent> after = log.chain(tenant.id());
        assertThat(after).hasSameSizeAs(before);
        assertThat(after).filteredOn(e -> !AuditLog.intact(e)).extracting(ChainedEvent::id)
                .containsExactly(victim.id());
        assertLinked(after);
        assertThat(forcedRowSecurity()).as("row-level security forced again").isTrue();
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void concurrentAppendsFromEightThreadsInTwoTenantsKeepBothChainsValid() throws Exception {
        TenantRef a = fixtures.tenant();
        TenantRef b = fixtures.tenant();
        int perThread = 200;
        int before = log.chain(a.id()).size() + log.chain(b.id()).size();
        var start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                UUID tenant = t % 2 == 0 ? a.id() : b.id();
                int thread = t;
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        int n = i;
                        // mostly one event per transaction, sometimes two: both must stay contiguous
                        transactions.executeWithoutResult(status -> {
                            chain.append(record(tenant, "test.concurrent", Map.of("thread", thread, "n", n)));
                            if (n % 10 == 0) {
                                chain.append(record(tenant, "test.concurrent_pair", Map.of("thread", thread)));
                            }
                        });
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get(120, TimeUnit.SECONDS);
            }
        }
        finally {
            pool.shutdownNow();
        }

        List<ChainedEvent> chainA = log.chain(a.id());
        List<ChainedEvent> chainB = log.chain(b.id());
        int appendedPerTenant = 4 * (perThread + perThread / 10);
        assertThat(chainA.size() + chainB.size()).isEqualTo(before + 2 * appendedPerTenant);
        for (var entry : Map.of(a.id(), chainA, b.id(), chainB).entrySet()) {
            assertThat(entry.getValue()).filteredOn(e -> e.action().startsWith("test.concurrent"))
                    .hasSize(appendedPerTenant);
            assertChainValid(entry.getKey(), entry.getValue());
        }
    }

    @Test
    void anAppendToOneTenantDoesNotWaitForAnotherTenantsOpenAppend() throws Exception {
        TenantRef a = fixtures.tenant();
        TenantRef b = fixtures.tenant();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        TransactionStatus holding = transactionManager.getTransaction(new DefaultTransactionDefinition());
        try {
            chain.append(record(a.id(), "test.holding", Map.of()));

            // B's append completes while A's head is locked by the open transaction
            Future<ChainedEvent> forB = pool.submit(() -> transactions
                    .execute(status -> chain.append(record(b.id(), "test.independent", Map.of()))));
            assertThat(forB.get(10, TimeUnit.SECONDS).tenantId()).isEqualTo(b.id());

            // ... whereas a second append to A really waits for it: the lock is there
            Future<ChainedEvent> forA = pool.submit(() -> transactions
                    .execute(status -> chain.append(record(a.id(), "test.waiting", Map.of()))));
            assertThat(catchThrowable(() -> forA.get(1500, TimeUnit.MILLISECONDS)))
                    .isInstanceOf(TimeoutException.class);
            transactionManager.commit(holding);
            ChainedEvent waited = forA.get(10, TimeUnit.SECONDS);

            List<ChainedEvent> chainA = log.chain(a.id());
            assertThat(chainA.getLast().id()).isEqualTo(waited.id());
            assertThat(chainA.get(chainA.size() - 2).action()).isEqualTo("test.holding");
            assertChainValid(a.id(), chainA);
            assertChainValid(b.id(), log.chain(b.id()));
        }
        finally {
            if (!holding.isCompleted()) {
                transactionManager.rollback(holding);
            }
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- helpers

    static AuditRecord record(UUID tenant, String action, Map<String, Object> details) {
        return new AuditRecord(tenant, Instant.now(), new Actor.SystemActor("audit-chain-test"), action, "test",
                null, true, null, null, null, null, details);
    }

    /** Gapless from 1, each event linked to its predecessor's hash, each hash as recomputed, the head at the end. */
    void assertChainValid(UUID tenant, List<ChainedEvent> events) {
        assertThat(events).as("chain of %s", tenant).isNotEmpty();
        assertLinked(events);
        assertThat(events).as("events of %s whose hash does not verify", tenant)
                .filteredOn(e -> !AuditLog.intact(e)).isEmpty();
        Map<String, Object> head = log.head(tenant);
        assertThat(head).as("head of %s", tenant).isNotNull();
        assertThat(((Number) head.get("seq")).longValue()).isEqualTo(events.getLast().seq());
        assertThat(HexFormat.of().formatHex((byte[]) head.get("hash")))
                .isEqualTo(HexFormat.of().formatHex(events.getLast().hash()));
    }

    static void assertLinked(List<ChainedEvent> events) {
        for (int i = 0; i < events.size(); i++) {
            ChainedEvent event = events.get(i);
            assertThat(event.seq()).as("seq at position %d", i).isEqualTo(i + 1L);
            byte[] previous = i == 0 ? AuditLog.genesis() : events.get(i - 1).hash();
            assertThat(HexFormat.of().formatHex(event.prevHash())).as("prev_hash of seq %d", event.seq())
                    .isEqualTo(HexFormat.of().formatHex(previous));
        }
    }

    private int insertRaw(UUID tenant, long seq, byte[] prevHash) {
        return jdbc.sql("""
                insert into tenant.audit_events (tenant_id, seq, id, occurred_at, actor_type, action, status,
                    prev_hash, hash)
                values (?, ?, ?, now(), 'system', 'test.forged', 'success', ?, ?)
                """).params(tenant, seq, UUID.randomUUID(), prevHash, new byte[32]).update();
    }

    private boolean forcedRowSecurity() {
        return jdbc.sql("select relforcerowsecurity from pg_class where oid = 'tenant.audit_events'::regclass")
                .query(Boolean.class).single();
    }

    static void assertPermissionDenied(Runnable action) {
        Throwable thrown = catchThrowable(action::run);
        assertThat(thrown).as("expected a refusal").isNotNull();
        Throwable cause = thrown;
        while (cause != null && !(cause instanceof SQLException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("SQL cause of %s", thrown).isInstanceOf(SQLException.class);
        assertThat(((SQLException) cause).getSQLState()).as(cause.getMessage()).isEqualTo("42501");
    }

    static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
