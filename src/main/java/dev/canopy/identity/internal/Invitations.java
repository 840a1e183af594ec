package dev.canopy.identity.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for invitations: {@code invitations} is tenant data (call inside a tenant scope), and
 * {@code platform.invitation_tokens} finds an invitation's tenant from its token's hash.
 */
@Repository
class Invitations {

    private static final RowMapper<Invitation> INVITATION = (rs, n) -> new Invitation(
            rs.getObject("tenant_id", UUID.class), rs.getObject("id", UUID.class), rs.getString("email"),
            Arrays.asList((String[]) rs.getArray("roles").getArray()), rs.getObject("invited_by", UUID.class),
            instant(rs, "created_at"), instant(rs, "expires_at"), instant(rs, "accepted_at"),
            rs.getObject("accepted_by", UUID.class), instant(rs, "revoked_at"));

    private static final String PENDING = "accepted_at is null and revoked_at is null and expires_at > now()";

    /** Where a token leads: an invitation of a tenant. */
    record Target(UUID tenantId, UUID invitationId) {
    }

    private final JdbcClient jdbc;

    Invitations(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Invitation invitation, byte[] tokenHash) {
        jdbc.sql("""
                insert into invitations (tenant_id, id, email, roles, invited_by, created_at, expires_at)
                values (:tenant, :id, :email, :roles, :invitedBy, :createdAt, :expiresAt)
                """)
                .param("tenant", invitation.tenantId())
                .param("id", invitation.id())
                .param("email", invitation.email())
                .param("roles", invitation.roles().toArray(String[]::new))
                .param("invitedBy", invitation.invitedBy())
                .param("createdAt", Timestamp.from(invitation.createdAt()))
                .param("expiresAt", Timestamp.from(invitation.expiresAt()))
                .update();
        jdbc.sql("insert into platform.invitation_tokens (token_hash, tenant_id, invitation_id) values (?, ?, ?)")
                .params(tokenHash, invitation.tenantId(), invitation.id())
                .update();
    }

    Optional<Target> target(byte[] tokenHash) {
        return jdbc.sql("select tenant_id, invitation_id from platform.invitation_tokens where token_hash = ?")
                .param(tokenHash)
                .query(Target.class)
                .optional();
    }

    Optional<Invitation> find(UUID tenantId, UUID id) {
        return jdbc.sql("select * from invitations where tenant_id = ? and id = ?")
                .params(tenantId, id)
                .query(INVITATION)
                .optional();
    }

    /** Pending invitations (not accepted, revoked or expired) in id order after the cursor. */
    List<Invitation> pending(UUID tenantId, @Nullable UUID after, int limit) {
        return jdbc.sql("select * from invitations where tenant_id = :tenant and " + PENDING + """
                   and (cast(:after as uuid) is null or id > :after)
                 order by id
                 limit :limit
                """)
                .param("tenant", tenantId)
                .param("after", after)
                .param("limit", limit)
                .query(INVITATION)
                .list();
    }

    boolean pendingFor(UUID tenantId, String email) {
        return jdbc.sql("select exists (select 1 from invitations where tenant_id = ? and lower(email) = lower(?)"
                + " and " + PENDING + ")")
                .params(tenantId, email)
                .query(Boolean.class)
                .single();
    }

    /** Revokes an invitation not yet accepted; false when it was accepted or is already revoked. */
    boolean revoke(UUID tenantId, UUID id) {
        return jdbc.sql("""
                update invitations set revoked_at = now()
                 where tenant_id = ? and id = ? and accepted_at is null and revoked_at is null
                """)
                .params(tenantId, id)
                .update() == 1;
    }

    /**
     * Marks a pending invitation accepted; of two racing acceptances exactly one gets true (the other waits
     * for the row, then finds it no longer pending).
     */
    boolean claim(UUID tenantId, UUID id) {
        return jdbc.sql("update invitations set accepted_at = now() where tenant_id = ? and id = ? and " + PENDING)
                .params(tenantId, id)
                .update() == 1;
    }

    void acceptedBy(UUID tenantId, UUID id, UUID userId) {
        jdbc.sql("update invitations set accepted_by = ? where tenant_id = ? and id = ?")
                .params(userId, tenantId, id)
                .update();
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
