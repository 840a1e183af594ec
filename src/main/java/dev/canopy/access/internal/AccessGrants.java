package dev.canopy.access.internal;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for access grants and delegated sessions (the client tenant's data; run in its scope). */
@Repository
public class AccessGrants {

    private static final RowMapper<AccessGrant> GRANT = (rs, n) -> new AccessGrant(rs.getObject("id", UUID.class),
            rs.getObject("tenant_id", UUID.class), rs.getObject("grantee_tenant_id", UUID.class),
            rs.getString("role_key"), rs.getString("grantee_role"), instant(rs.getTimestamp("expires_at")),
            rs.getObject("created_by", UUID.class), rs.getTimestamp("created_at").toInstant(),
            instant(rs.getTimestamp("revoked_at")));

    /** The grant a delegated session works under, and the tenant it came from. */
    public record SessionDelegation(UUID grantId, UUID viaTenantId) {
    }

    private final JdbcClient jdbc;

    AccessGrants(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<AccessGrant> list(UUID tenantId, @Nullable UUID after, int limit) {
        return jdbc.sql("""
                select * from access_grants
                 where tenant_id = :tenant and (cast(:after as uuid) is null or id > :after)
                 order by id limit :limit
                """).param("tenant", tenantId).param("after", after).param("limit", limit).query(GRANT).list();
    }

    /** Grants in force now. */
    public List<AccessGrant> live(UUID tenantId) {
        return jdbc.sql("""
                select * from access_grants
                 where tenant_id = ? and revoked_at is null and (expires_at is null or expires_at > now())
                 order by id
                """).param(tenantId).query(GRANT).list();
    }

    /** The tenants with a grant in force to the current tenant (the grantee's scope: see tenants_granting_to). */
    public List<UUID> grantorsTo(UUID granteeTenantId) {
        return jdbc.sql("select tenants_granting_to from tenants_granting_to(?) order by 1")
                .param(granteeTenantId).query(UUID.class).list();
    }

    public Optional<AccessGrant> find(UUID tenantId, UUID id) {
        return jdbc.sql("select * from access_grants where tenant_id = ? and id = ?").params(tenantId, id)
                .query(GRANT).optional();
    }

    public void insert(UUID tenantId, UUID id, UUID granteeTenantId, String roleKey, String granteeRole,
            @Nullable Timestamp expiresAt, UUID createdBy) {
        jdbc.sql("""
                insert into access_grants (tenant_id, id, grantee_tenant_id, role_key, grantee_role,
                                                  expires_at, created_by)
                values (?, ?, ?, ?, ?, ?, ?)
                """).params(tenantId, id, granteeTenantId, roleKey, granteeRole, expiresAt, createdBy).update();
    }

    public boolean revoke(UUID tenantId, UUID id) {
        return jdbc.sql("update access_grants set revoked_at = now() where tenant_id = ? and id = ? and revoked_at is null")
                .params(tenantId, id).update() == 1;
    }

    public void recordSession(UUID tenantId, UUID sessionId, UUID grantId, UUID viaTenantId) {
        jdbc.sql("""
                insert into session_delegations (tenant_id, session_id, grant_id, via_tenant_id)
                values (?, ?, ?, ?)
                """).params(tenantId, sessionId, grantId, viaTenantId).update();
    }

    public Optional<SessionDelegation> ofSession(UUID tenantId, UUID sessionId) {
        return jdbc.sql("select grant_id, via_tenant_id from session_delegations where tenant_id = ? and session_id = ?")
                .params(tenantId, sessionId)
                .query((rs, n) -> new SessionDelegation(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)))
                .optional();
    }

    private static java.time.@Nullable Instant instant(@Nullable Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
