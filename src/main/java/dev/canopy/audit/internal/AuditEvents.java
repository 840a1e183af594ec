package dev.canopy.audit.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * SQL over {@code audit_events} for reading: the filtered list, streams for export, verification
 * and archiving, and the chain's head and archive anchor. Every method runs inside a tenant scope
 * ({@link dev.canopy.platform.db.TenantTransactions}); the tenant is also named in the SQL so that the
 * planner sees it.
 */
@Repository
class AuditEvents {

    /** Rows streamed per round trip: bounded memory whatever the number of events. */
    static final int FETCH_SIZE = 1000;

    private static final String COLUMNS = """
            tenant_id, seq, id, occurred_at, actor_type, actor_id, actor_email, actor_via_tenant_id, action,
            resource_type, resource_id, status, http_status, ip, user_agent, request_id, details::text as details,
            prev_hash, hash
            """;

    /** Below this many expected matches, a page is collected and sorted rather than met along the chain. */
    static final long COLLECT_BELOW = 30_000;

    private static final JsonMapper PLANS = JsonMapper.builder().build();

    private final JdbcClient jdbc;

    AuditEvents(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The chain's head as of now: its last position and hash (an empty chain when it has none). */
    record Head(long seq, byte[] hash) {
    }

    /** Where the kept chain starts: the last archived position and its hash (nothing archived: 0, genesis). */
    record Anchor(long seq, byte[] hash) {

        static final Anchor NONE = new Anchor(0, ChainedEvent.GENESIS);
    }

    /** One page of matching events, newest first, before the given position. */
    List<ChainedEvent> page(UUID tenantId, AuditFilter filter, @Nullable Long before, int limit) {
        customPlans();
        List<String> terms = searchTerms(filter);
        Query query = pageQuery(tenantId, filter, terms, before, limit, false);
        if (!filter.equals(AuditFilter.NONE) && walksTheChainForFew(plan(query))) {
            Query collecting = pageQuery(tenantId, filter, terms, before, limit, true);
            if (!scansTheTable(plan(collecting))) {
                query = collecting;
            }
        }
        return jdbc.sql(query.sql().toString()).params(query.params()).query((rs, n) -> event(rs)).list();
    }

    /**
     * The SQL and parameters of {@link #page}. {@code collect} orders by an expression rather than the
     * column, so the matches are found through the filters' indexes and sorted, instead of met while
     * walking the chain backwards from its head.
     */
    static Query pageQuery(UUID tenantId, AuditFilter filter, List<String> searchTerms, @Nullable Long before,
            int limit, boolean collect) {
        var query = where(tenantId, filter, searchTerms);
        if (before != null) {
            query.sql.append(" and seq < :before");
            query.params.put("before", before);
        }
        query.sql.append(collect ? " order by seq + 0 desc limit :limit" : " order by seq desc limit :limit");
        query.params.put("limit", limit);
        return query;
    }

    private JsonNode plan(Query query) {
        String plan = jdbc.sql("explain (format json) " + query.sql()).params(query.params()).query(String.class)
                .single();
        return PLANS.readTree(plan).path(0).path("Plan");
    }

    /**
     * Whether the planner means to walk the chain backwards from its head, filtering, although it expects
     * few matches. It costs that walk as if the matches were spread evenly along the chain; but a time
     * window or an old resource keeps them together, possibly far from the head, and the walk then reads
     * most of the tenant's events (hundreds of milliseconds at a million). Fewer than
     * {@value #COLLECT_BELOW} matches are cheaper to collect through an index and sort, if an index
     * serves the filters. The planner's own estimates decide.
     */
    private static boolean walksTheChainForFew(JsonNode node) {
        if ("audit_events_pkey".equals(node.path("Index Name").asString(null)) && node.has("Filter")
                && node.path("Plan Rows").asLong() < COLLECT_BELOW) {
            return true;
        }
        for (JsonNode child : node.path("Plans")) {
            if (walksTheChainForFew(child)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the plan reads the whole table (no index serves the filters, e.g. full-text search alone). */
    private static boolean scansTheTable(JsonNode node) {
        if (node.path("Node Type").asString("").endsWith("Seq Scan")) {
            return true;
        }
        for (JsonNode child : node.path("Plans")) {
            if (scansTheTable(child)) {
                return true;
            }
        }
        return false;
    }

    /** Streams every matching event in chain order to the consumer, {@value #FETCH_SIZE} rows at a time. */
    void stream(UUID tenantId, AuditFilter filter, Consumer<ChainedEvent> consumer) {
        var query = where(tenantId, filter, searchTerms(filter));
        query.sql.append(" order by seq");
        customPlans();
        jdbc.sql(query.sql.toString()).params(query.params).withFetchSize(FETCH_SIZE)
                .query((RowCallbackHandler) rs -> consumer.accept(event(rs)));
    }

    /**
     * Streams the events from {@code fromSeq} to {@code toSeq} in chain order; the reader returns false
     * to stop early.
     */
    void streamRange(UUID tenantId, long fromSeq, long toSeq, EventReader reader) {
        jdbc.sql("select " + COLUMNS + """
                  from audit_events
                 where tenant_id = :tenant and seq between :from and :to
                 order by seq
                """)
                .param("tenant", tenantId)
                .param("from", fromSeq)
                .param("to", toSeq)
                .withFetchSize(FETCH_SIZE)
                .query((ResultSetExtractor<Boolean>) rs -> {
                    while (rs.next()) {
                        if (!reader.next(event(rs))) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    interface EventReader {

        /** Takes the next event; false stops the stream. */
        boolean next(ChainedEvent event);
    }

    Head head(UUID tenantId) {
        return jdbc.sql("select seq, hash from platform.audit_chain_heads where tenant_id = ?")
                .param(tenantId)
                .query((rs, n) -> new Head(rs.getLong("seq"), rs.getBytes("hash")))
                .optional()
                .orElse(new Head(0, ChainedEvent.GENESIS));
    }

    Anchor anchor(UUID tenantId) {
        return jdbc.sql("""
                select to_seq, anchor_hash from audit_archives where tenant_id = ? order by to_seq desc limit 1
                """)
                .param(tenantId)
                .query((rs, n) -> new Anchor(rs.getLong("to_seq"), rs.getBytes("anchor_hash")))
                .optional()
                .orElse(Anchor.NONE);
    }

    /** The retention of the chains that have a head, by tenant. */
    Map<UUID, Integer> chains() {
        var chains = new LinkedHashMap<UUID, Integer>();
        jdbc.sql("select tenant_id, retention_days from platform.audit_chain_heads order by tenant_id")
                .query(rs -> {
                    chains.put(rs.getObject("tenant_id", UUID.class), rs.getInt("retention_days"));
                });
        return chains;
    }

    /** The position of the first kept event that is not older than the cutoff, if any. */
    Optional<Long> firstSeqAtOrAfter(UUID tenantId, long after, OffsetDateTime cutoff) {
        // walks the kept chain from its start, so this stops at the first young event
        return jdbc.sql("""
                select seq from audit_events
                 where tenant_id = :tenant and seq > :after and occurred_at >= :cutoff
                 order by seq limit 1
                """)
                .param("tenant", tenantId)
                .param("after", after)
                .param("cutoff", cutoff)
                .query(Long.class)
                .optional();
    }

    Optional<Long> lastSeq(UUID tenantId) {
        return jdbc.sql("select max(seq) from audit_events where tenant_id = ?")
                .param(tenantId)
                .query(Long.class)
                .optional();
    }

    /** Takes the tenant's archiving lock for the rest of the transaction; false when another job holds it. */
    boolean tryLockArchiving(UUID tenantId) {
        return jdbc.sql("select pg_try_advisory_xact_lock(hashtext('canopy.audit.archive'), hashtext(?))")
                .param(tenantId.toString())
                .query(Boolean.class)
                .single();
    }

    void insertArchive(UUID tenantId, long fromSeq, long toSeq, byte[] anchorHash, String file, String sha256) {
        jdbc.sql("""
                insert into audit_archives (tenant_id, from_seq, to_seq, anchor_hash, file, file_sha256)
                values (:tenant, :from, :to, :anchor, :file, :sha256)
                """)
                .param("tenant", tenantId)
                .param("from", fromSeq)
                .param("to", toSeq)
                .param("anchor", anchorHash)
                .param("file", file)
                .param("sha256", sha256)
                .update();
    }

    long prune(UUID tenantId, long toSeq) {
        return jdbc.sql("select prune_archived_audit_events(?, ?)")
                .params(tenantId, toSeq)
                .query(Long.class)
                .single();
    }

    /**
     * Each statement is planned for its actual filter values: a cached generic plan cannot use the
     * prefix index for {@code action like :prefix} nor judge how selective a filter is.
     */
    private void customPlans() {
        jdbc.sql("select set_config('plan_cache_mode', 'force_custom_plan', true)").query((rs, n) -> 1).single();
    }

    /** The words of the filter's {@code search} as the events' words were found: by PostgreSQL's parser. */
    List<String> searchTerms(AuditFilter filter) {
        if (filter.search() == null) {
            return List.of();
        }
        return jdbc.sql("select unnest(tsvector_to_array(to_tsvector('simple', ?)))")
                .param(filter.search())
                .query(String.class)
                .list();
    }

    private static Query where(UUID tenantId, AuditFilter f, List<String> searchTerms) {
        var query = new Query(new StringBuilder("select " + COLUMNS + " from audit_events where tenant_id = :tenant"),
                new LinkedHashMap<>());
        query.params.put("tenant", tenantId);
        query.add(f.userId(), "actor_id = :userId", "userId");
        if (f.actionPrefix() != null) {
            // a byte-order range rather than LIKE: the planner may use an index for a condition on a table
            // with row-level security only if its operators are leakproof, which ~>=~ and ~<~ are and LIKE is not
            query.add(f.actionPrefix(), "action ~>=~ :actionFrom", "actionFrom");
            query.add(prefixEnd(f.actionPrefix()), "action ~<~ :actionTo", "actionTo");
        }
        query.add(f.resourceType(), "resource_type = :resourceType", "resourceType");
        query.add(f.resourceId(), "resource_id = :resourceId", "resourceId");
        query.add(f.status(), "status = :status", "status");
        query.add(f.from() == null ? null : Timestamp.from(f.from()), "occurred_at >= :from", "from");
        query.add(f.to() == null ? null : Timestamp.from(f.to()), "occurred_at < :to", "to");
        query.add(f.requestId(), "request_id = :requestId", "requestId");
        if (f.search() != null) {
            // every word of the search, looked up with leakproof equality (see migration V12)
            if (searchTerms.isEmpty()) {
                query.sql.append(" and false"); // no word in it, as plainto_tsquery would find none
            }
            for (int i = 0; i < searchTerms.size(); i++) {
                query.sql.append(" and exists (select 1 from audit_terms t where t.tenant_id = :tenant"
                        + " and t.term = :term" + i + " and t.seq = audit_events.seq)");
                query.params.put("term" + i, searchTerms.get(i));
            }
        }
        return query;
    }

    /**
     * The least text greater, in byte order, than every text starting with the prefix: the prefix with its
     * last character replaced by the next one (UTF-8 byte order is code point order). Null when there is
     * none (the prefix is all U+10FFFF).
     */
    static @Nullable String prefixEnd(String prefix) {
        int end = prefix.length();
        while (end > 0) {
            int last = prefix.codePointBefore(end);
            int start = end - Character.charCount(last);
            if (last < Character.MAX_CODE_POINT) {
                int next = last + 1 == Character.MIN_SURROGATE ? Character.MAX_SURROGATE + 1 : last + 1;
                return prefix.substring(0, start) + Character.toString(next);
            }
            end = start;
        }
        return null;
    }

    record Query(StringBuilder sql, Map<String, Object> params) {

        void add(@Nullable Object value, String condition, String name) {
            if (value != null) {
                sql.append(" and ").append(condition);
                params.put(name, value);
            }
        }
    }

    static ChainedEvent event(ResultSet rs) throws SQLException {
        return new ChainedEvent(rs.getObject("tenant_id", UUID.class), rs.getLong("seq"), rs.getObject("id", UUID.class),
                rs.getObject("occurred_at", OffsetDateTime.class).toInstant(), rs.getString("actor_type"),
                rs.getObject("actor_id", UUID.class), rs.getString("actor_email"),
                rs.getObject("actor_via_tenant_id", UUID.class), rs.getString("action"), rs.getString("resource_type"),
                rs.getString("resource_id"), rs.getString("status"), (Integer) rs.getObject("http_status"),
                rs.getString("ip"), rs.getString("user_agent"), rs.getString("request_id"), rs.getString("details"),
                rs.getBytes("prev_hash"), rs.getBytes("hash"));
    }
}
