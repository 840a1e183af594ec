package dev.canopy.audit.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.zaxxer.hikari.HikariDataSource;

import dev.canopy.audit.AuditRetention;
import dev.canopy.platform.Ids;
import dev.canopy.platform.db.TenantTransactions;
import tools.jackson.databind.JsonNode;

/**
 * What audit tests need from inside the module: fast seeding of valid chained events, the daily jobs,
 * verification of archive files, and SQL as the owner role (the one that could tamper with rows).
 */
public final class AuditTestSupport {

    private static final HexFormat HEX = HexFormat.of();

    private final ApplicationContext context;

    public AuditTestSupport(ApplicationContext context) {
        this.context = context;
    }

    /** A chain verification as the module reports it. */
    public record Result(boolean valid, long checked, @Nullable UUID firstBrokenId) {
    }

    /** An archived segment. */
    public record Archived(long fromSeq, long toSeq, long events, Path file, String sha256) {
    }

    /**
     * Appends {@code count} valid events to the tenant's chain through the runtime role, with the hashes
     * the write path would compute, in batches: 100,000 take seconds rather than minutes.
     */
    public void seed(UUID tenantId, int count, Instant occurredAt, String action) {
        TenantTransactions scopes = context.getBean(TenantTransactions.class);
        JdbcClient jdbc = context.getBean(JdbcClient.class);
        JdbcTemplate template = new JdbcTemplate(context.getBean(DataSource.class));
        AuditChain chain = context.getBean(AuditChain.class);
        scopes.inTenant(tenantId, () -> {
            chain.ensureHead(tenantId);
            Head head = jdbc.sql("select seq, hash from platform.audit_chain_heads where tenant_id = ? for update")
                    .param(tenantId).query(Head.class).single();
            long seq = head.seq();
            byte[] prev = head.hash();
            List<Object[]> batch = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                seq++;
                String details = ChainedEvent.canonicalDetails(Map.of("n", i, "note", "seeded event " + i));
                var event = new ChainedEvent(tenantId, seq, Ids.newId(), ChainedEvent.precision(occurredAt.plusNanos(i * 1000L)),
                        "system", null, "seeder", null, action, "seed", "s-" + (i % 100), i % 10 == 0 ? "failure" : "success",
                        i % 10 == 0 ? 500 : 200, "127.0.0.1", "seeder/1.0", "seed-" + tenantId + "-" + i, details, prev,
                        new byte[0]);
                byte[] hash = event.expectedHash();
                batch.add(new Object[] { tenantId, seq, event.id(), Timestamp.from(event.occurredAt()), event.actorType(),
                        event.actorEmail(), event.action(), event.resourceType(), event.resourceId(), event.status(),
                        event.httpStatus(), event.ip(), event.userAgent(), event.requestId(), details, prev, hash });
                prev = hash;
                if (batch.size() == 2000 || i == count - 1) {
                    template.batchUpdate("""
                            insert into audit_events (tenant_id, seq, id, occurred_at, actor_type, actor_email,
                                action, resource_type, resource_id, status, http_status, ip, user_agent, request_id,
                                details, prev_hash, hash)
                            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as jsonb), ?, ?)
                            """, batch);
                    batch.clear();
                }
            }
            // their search words, as AuditChain.append adds them
            jdbc.sql("""
                    insert into audit_terms (tenant_id, term, seq)
                    select e.tenant_id, t.term, e.seq
                      from audit_events e,
                           unnest(tsvector_to_array(to_tsvector('simple', e.action || ' ' || e.details::text))) as t(term)
                     where e.tenant_id = ? and e.seq > ?
                    """).params(tenantId, head.seq()).update();
            jdbc.sql("update platform.audit_chain_heads set seq = ?, hash = ? where tenant_id = ?")
                    .params(seq, prev, tenantId).update();
        });
    }

    /** Verifies the chain as {@code POST /verify} does, outside any request. */
    public Result verify(UUID tenantId) {
        return result(context.getBean(ChainVerifier.class).verify(tenantId));
    }

    /** Runs the daily verification of every chain. */
    public Map<UUID, Result> verifyAll() {
        var results = new java.util.LinkedHashMap<UUID, Result>();
        context.getBean(AuditJobs.class).verifyAll().forEach((tenant, v) -> results.put(tenant, result(v)));
        return results;
    }

    /** Runs the retention job for one tenant, with its configured retention. */
    public Optional<Archived> archive(UUID tenantId) {
        int days = context.getBean(AuditRetention.class).retentionDays(tenantId);
        return context.getBean(AuditArchiver.class).archiveExpired(tenantId, days).map(this::archived);
    }

    /** Runs the daily retention job over every tenant. */
    public Map<UUID, Archived> archiveAll() {
        var archived = new java.util.LinkedHashMap<UUID, Archived>();
        context.getBean(AuditJobs.class).archiveAll().forEach((tenant, a) -> archived.put(tenant, archived(a)));
        return archived;
    }

    private Archived archived(AuditArchiver.Archive a) {
        return new Archived(a.fromSeq(), a.toSeq(), a.events(), dataDir().resolve(a.file()), a.sha256());
    }

    public Path dataDir() {
        return Path.of(context.getEnvironment().getRequiredProperty("canopy.data-dir"));
    }

    /** Re-verifies an archive file on its own: each line's hash from its content, linked from {@code anchor}. */
    public static long verifyArchiveFile(Path file, byte[] anchor) throws java.io.IOException {
        byte[] prev = anchor;
        long expectedSeq = -1;
        long lines = 0;
        for (String line : Files.readAllLines(file)) {
            JsonNode json = ChainedEvent.CANONICAL.readTree(line);
            JsonNode actor = json.path("actor");
            var event = new ChainedEvent(UUID.fromString(json.path("tenant_id").asString()), json.path("seq").asLong(),
                    UUID.fromString(json.path("id").asString()), Instant.parse(json.path("occurred_at").asString()),
                    actor.path("type").asString(), uuid(actor.path("id")), text(actor.path("email")),
                    uuid(actor.path("via_tenant_id")), json.path("action").asString(), text(json.path("resource_type")),
                    text(json.path("resource_id")), json.path("status").asString(),
                    json.path("http_status").isNull() ? null : json.path("http_status").asInt(), text(json.path("ip")),
                    text(json.path("user_agent")), text(json.path("request_id")),
                    ChainedEvent.CANONICAL.writeValueAsString(json.path("details")), HEX.parseHex(json.path("prev_hash").asString()),
                    HEX.parseHex(json.path("hash").asString()));
            if (expectedSeq >= 0 && event.seq() != expectedSeq) {
                throw new AssertionError("gap before seq " + event.seq());
            }
            if (!java.util.Arrays.equals(event.prevHash(), prev) || !event.intact()) {
                throw new AssertionError("archive line for seq " + event.seq() + " does not verify");
            }
            prev = event.hash();
            expectedSeq = event.seq() + 1;
            lines++;
        }
        return lines;
    }

    /** The query plan, with timings, of one page of the list with the given filters (the API's parameters). */
    public String explainPage(UUID tenantId, Map<String, String> filters) {
        var parser = new AuditFilter.Parser();
        AuditFilter filter = parser.filter(filters.get("user_id"), filters.get("action"), filters.get("resource_type"),
                filters.get("resource_id"), filters.get("status"), filters.get("from"), filters.get("to"),
                filters.get("request_id"), filters.get("search"));
        Long before = parser.cursor(filters.get("cursor"));
        parser.check();
        JdbcClient jdbc = context.getBean(JdbcClient.class);
        return context.getBean(TenantTransactions.class).inTenant(tenantId, () -> {
            jdbc.sql("select set_config('plan_cache_mode', 'force_custom_plan', true)").query((rs, n) -> 1).single();
            var plans = new StringBuilder();
            plans.append(jdbc.sql("select datcollate from pg_database where datname = current_database()")
                    .query(String.class).single()).append('\n');
            for (int variant = 0; variant < 3; variant++) {
                boolean collect = variant > 0;
                if (variant == 2) {
                    jdbc.sql("select set_config('enable_seqscan', 'off', true)").query((rs, n) -> 1).single();
                }
                AuditEvents.Query query = AuditEvents.pageQuery(tenantId, filter,
                        context.getBean(AuditEvents.class).searchTerms(filter), before, 51, collect);
                plans.append(collect ? "-- collected and sorted:\n" : "-- ordered along the chain:\n")
                        .append(String.join("\n", jdbc.sql("explain (analyze, buffers) " + query.sql())
                                .params(query.params()).query((rs, n) -> rs.getString(1)).list()))
                        .append('\n');
            }
            return plans.toString();
        });
    }

    /** Runs statements as the owner role (as a database administrator could), row-level security lifted. */
    public void asOwner(Consumer<Statement> work) {
        String url = ((HikariDataSource) context.getBean(DataSource.class)).getJdbcUrl();
        try (Connection connection = DriverManager.getConnection(url, "canopy_owner", "")) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("alter table tenant.audit_events no force row level security");
                work.accept(statement);
                statement.execute("alter table tenant.audit_events force row level security");
            }
            connection.commit();
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs one statement naming audit tables unqualified as the owner role, row-level security lifted, in the pool and
     * in every tenant schema (the tests' tenants may live in either); answers the rows changed in all.
     */
    public int ownerUpdate(String sql) {
        int[] count = new int[1];
        asOwner(statement -> {
            try {
                var schemas = new java.util.ArrayList<String>(List.of("tenant"));
                try (var rs = statement.executeQuery("select schema_name from platform.tenant_schemas")) {
                    while (rs.next()) {
                        schemas.add(rs.getString(1));
                    }
                }
                for (String schema : schemas) {
                    statement.execute("set local search_path = " + schema);
                    statement.execute("alter table audit_events no force row level security");
                    count[0] += statement.executeUpdate(sql);
                    statement.execute("alter table audit_events force row level security");
                }
            }
            catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        return count[0];
    }

    private static Result result(ChainVerifier.Verification v) {
        return new Result(v.valid(), v.checked(), v.firstBrokenId());
    }

    private static @Nullable UUID uuid(JsonNode node) {
        return node.isNull() || node.isMissingNode() ? null : UUID.fromString(node.asString());
    }

    private static @Nullable String text(JsonNode node) {
        return node.isNull() || node.isMissingNode() ? null : node.asString();
    }

    /** A chain head as the seeding starts from it. */
    record Head(long seq, byte[] hash) {
    }
}
