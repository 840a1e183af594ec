package dev.canopy.access.internal;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for direct per-user grants and denies (tenant data; run inside a tenant scope). */
@Repository
public class DirectGrants {

    private static final RowMapper<DirectGrant> GRANT = (rs, n) -> {
        Timestamp expires = rs.getTimestamp("expires_at");
        return new DirectGrant(rs.getObject("user_id", UUID.class), rs.getString("permission"),
                rs.getString("effect"), expires == null ? null : expires.toInstant(),
                rs.getObject("created_by", UUID.class), rs.getTimestamp("created_at").toInstant());
    };

    private final JdbcClient jdbc;

    DirectGrants(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Every grant and deny of the user, expired ones included (they are shown, and grant nothing). */
    public List<DirectGrant> of(UUID tenantId, UUID userId) {
        return jdbc.sql("select * from user_permissions where tenant_id = ? and user_id = ? order by permission")
                .params(tenantId, userId).query(GRANT).list();
    }

    /** The grants and denies in force now. */
    public List<DirectGrant> current(UUID tenantId, UUID userId) {
        return jdbc.sql("""
                select * from user_permissions
                 where tenant_id = ? and user_id = ? and (expires_at is null or expires_at > now())
                """).params(tenantId, userId).query(GRANT).list();
    }

    public Optional<DirectGrant> find(UUID tenantId, UUID userId, String permission) {
        return jdbc.sql("select * from user_permissions where tenant_id = ? and user_id = ? and permission = ?")
                .params(tenantId, userId, permission).query(GRANT).optional();
    }

    /** Sets the user's decision on the pattern, replacing an earlier one. */
    public void put(UUID tenantId, UUID userId, String permission, String effect, @Nullable Timestamp expiresAt,
            UUID createdBy) {
        jdbc.sql("""
                insert into user_permissions (tenant_id, user_id, permission, effect, expires_at, created_by)
                values (:tenant, :user, :permission, :effect, :expires, :by)
                on conflict (tenant_id, user_id, permission) do update
                   set effect = excluded.effect, expires_at = excluded.expires_at,
                       created_by = excluded.created_by, created_at = now()
                """)
                .param("tenant", tenantId).param("user", userId).param("permission", permission)
                .param("effect", effect).param("expires", expiresAt).param("by", createdBy)
                .update();
    }

    public boolean delete(UUID tenantId, UUID userId, String permission) {
        return jdbc.sql("delete from user_permissions where tenant_id = ? and user_id = ? and permission = ?")
                .params(tenantId, userId, permission).update() == 1;
    }
}
