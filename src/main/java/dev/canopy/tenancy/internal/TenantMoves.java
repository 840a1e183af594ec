package dev.canopy.tenancy.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import tools.jackson.databind.json.JsonMapper;

/** SQL for {@code platform.tenant_moves}: one row per live move, its progress and what it left behind. */
@Repository
class TenantMoves {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A move as recorded. */
    record Move(UUID id, UUID tenantId, String fromTier, String toTier, String status, long rowsCopied, String tables,
            @Nullable Integer writeBlockedMs, @Nullable String error, @Nullable UUID requestedBy, Instant startedAt,
            @Nullable Instant finishedAt, @Nullable String sourceSchema, @Nullable Instant keepSourceUntil,
            @Nullable Instant sourceDroppedAt) {
    }

    private final JdbcClient jdbc;

    TenantMoves(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void start(UUID id, UUID tenantId, String fromTier, String toTier, @Nullable UUID requestedBy) {
        jdbc.sql("""
                insert into platform.tenant_moves (id, tenant_id, from_tier, to_tier, status, requested_by)
                values (?, ?, ?, ?, 'copying', ?)
                """).params(id, tenantId, fromTier, toTier, requestedBy).update();
    }

    void progress(UUID id, long rowsCopied) {
        jdbc.sql("update platform.tenant_moves set rows_copied = ? where id = ?").params(rowsCopied, id).update();
    }

    void finished(UUID id, long rowsCopied, Map<String, Long> tables, long blockedMillis, String sourceSchema,
            Instant keepSourceUntil) {
        jdbc.sql("""
                update platform.tenant_moves
                   set status = 'done', rows_copied = ?, tables = cast(? as jsonb), write_blocked_ms = ?,
                       source_schema = ?, keep_source_until = ?, finished_at = now()
                 where id = ?
                """).params(rowsCopied, JSON.writeValueAsString(tables), (int) blockedMillis, sourceSchema,
                java.sql.Timestamp.from(keepSourceUntil), id).update();
    }

    void failed(UUID id, String error) {
        jdbc.sql("update platform.tenant_moves set status = 'failed', error = ?, finished_at = now() where id = ?")
                .params(error.length() > 2000 ? error.substring(0, 2000) : error, id).update();
    }

    boolean running(UUID tenantId) {
        return jdbc.sql("select count(*) from platform.tenant_moves where tenant_id = ? and status in ('copying', "
                + "'switching')").param(tenantId).query(Integer.class).single() > 0;
    }

    /** The tenants being moved now. */
    java.util.Set<UUID> runningTenants() {
        return java.util.Set.copyOf(jdbc.sql("select tenant_id from platform.tenant_moves where status in "
                + "('copying', 'switching')").query(UUID.class).list());
    }

    Optional<Move> find(UUID tenantId, UUID id) {
        return jdbc.sql("select * from platform.tenant_moves where tenant_id = ? and id = ?").params(tenantId, id)
                .query(Move.class).optional();
    }

    List<Move> ofTenant(UUID tenantId) {
        return jdbc.sql("select * from platform.tenant_moves where tenant_id = ? order by started_at desc limit 50")
                .param(tenantId).query(Move.class).list();
    }

    /** Finished moves whose source may go now. */
    List<Move> sourcesDue() {
        return jdbc.sql("""
                select * from platform.tenant_moves
                 where status = 'done' and source_dropped_at is null and keep_source_until <= now()
                 order by keep_source_until limit 20
                """).query(Move.class).list();
    }

    void sourceDropped(UUID id) {
        jdbc.sql("update platform.tenant_moves set source_dropped_at = now() where id = ?").param(id).update();
    }
}
