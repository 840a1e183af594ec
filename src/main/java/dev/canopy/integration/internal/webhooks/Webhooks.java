package dev.canopy.integration.internal.webhooks;

import java.sql.Array;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code webhooks}: tenant data, so every call runs inside the tenant's scope. */
@Repository
class Webhooks {

    static final String TABLE = "tenant.webhooks";

    private static final RowMapper<Webhook> WEBHOOK = (rs, n) -> new Webhook(rs.getObject("tenant_id", UUID.class),
            rs.getObject("id", UUID.class), rs.getString("url"), rs.getString("description"),
            strings(rs.getArray("event_types")), rs.getBytes("sealed_secret"), rs.getBoolean("enabled"),
            rs.getObject("created_by", UUID.class), rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("updated_at").toInstant(), rs.getLong("version"));

    private final JdbcClient jdbc;

    Webhooks(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Webhook w) {
        jdbc.sql("""
                insert into webhooks (tenant_id, id, url, description, event_types, sealed_secret, enabled,
                       created_by)
                values (:tenant, :id, :url, :description, :types, :sealed, :enabled, :createdBy)
                """)
                .param("tenant", w.tenantId()).param("id", w.id()).param("url", w.url())
                .param("description", w.description()).param("types", w.eventTypes().toArray(String[]::new))
                .param("sealed", w.sealedSecret()).param("enabled", w.enabled()).param("createdBy", w.createdBy())
                .update();
    }

    Optional<Webhook> find(UUID tenantId, UUID id) {
        return jdbc.sql("select * from webhooks where tenant_id = ? and id = ?").params(tenantId, id)
                .query(WEBHOOK).optional();
    }

    /** The tenant's webhooks in id order after the cursor. */
    List<Webhook> list(UUID tenantId, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select * from webhooks
                 where tenant_id = :tenant and (cast(:after as uuid) is null or id > :after)
                 order by id limit :limit
                """)
                .param("tenant", tenantId).param("after", after).param("limit", limit).query(WEBHOOK).list();
    }

    /** Writes an update if the row is still at {@code expectedVersion}; false when someone changed it first. */
    boolean update(Webhook w, long expectedVersion) {
        return jdbc.sql("""
                update webhooks
                   set url = :url, description = :description, event_types = :types, sealed_secret = :sealed,
                       enabled = :enabled, updated_at = now(), version = version + 1
                 where tenant_id = :tenant and id = :id and version = :version
                """)
                .param("tenant", w.tenantId()).param("id", w.id()).param("url", w.url())
                .param("description", w.description()).param("types", w.eventTypes().toArray(String[]::new))
                .param("sealed", w.sealedSecret()).param("enabled", w.enabled()).param("version", expectedVersion)
                .update() == 1;
    }

    boolean delete(UUID tenantId, UUID id) {
        return jdbc.sql("delete from webhooks where tenant_id = ? and id = ?").params(tenantId, id)
                .update() == 1;
    }

    /** Sealed secrets of the tenant after a record id, for re-encryption. */
    List<Object[]> sealedAfter(UUID tenantId, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select id, sealed_secret from webhooks
                 where tenant_id = :tenant and (cast(:after as uuid) is null or id > :after) order by id limit :limit
                """).param("tenant", tenantId).param("after", after).param("limit", limit)
                .query((rs, n) -> new Object[] { rs.getObject(1, UUID.class), rs.getBytes(2) }).list();
    }

    boolean replaceSealed(UUID tenantId, UUID id, byte[] current, byte[] resealed) {
        return jdbc.sql("""
                update webhooks set sealed_secret = ? where tenant_id = ? and id = ? and sealed_secret = ?
                """).params(resealed, tenantId, id, current).update() == 1;
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }
}
