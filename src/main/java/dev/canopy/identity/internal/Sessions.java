package dev.canopy.identity.internal;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for sessions and their refresh tokens (kept as SHA-256 hashes only). */
@Repository
public class Sessions {

    private final JdbcClient jdbc;

    Sessions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(Session session, @Nullable String ip, @Nullable String userAgent) {
        jdbc.sql("""
                insert into platform.sessions (id, user_id, tenant_id, acting_as_platform_admin, created_at,
                                               last_seen_at, expires_at, ip, user_agent)
                values (:id, :user, :tenant, :acting, :created, :created, :expires, :ip, :userAgent)
                """)
                .param("id", session.id())
                .param("user", session.userId())
                .param("tenant", session.tenantId())
                .param("acting", session.actingAsPlatformAdmin())
                .param("created", java.sql.Timestamp.from(session.createdAt()))
                .param("expires", java.sql.Timestamp.from(session.expiresAt()))
                .param("ip", ip)
                .param("userAgent", userAgent == null ? null : userAgent.substring(0, Math.min(500, userAgent.length())))
                .update();
    }

    public Optional<Session> find(UUID id) {
        return jdbc.sql("""
                select id, user_id, tenant_id, acting_as_platform_admin, created_at, last_seen_at, expires_at, revoked_at
                  from platform.sessions where id = ?
                """)
                .param(id)
                .query(Session.class)
                .optional();
    }

    /** Records activity, at most once a minute per session so the hot path rarely writes. */
    public void touch(UUID id) {
        jdbc.sql("update platform.sessions set last_seen_at = now() where id = ? and last_seen_at < now() - interval '1 minute'")
                .param(id)
                .update();
    }

    public void revoke(UUID id) {
        jdbc.sql("update platform.sessions set revoked_at = now() where id = ? and revoked_at is null")
                .param(id)
                .update();
    }

    /** Adds a refresh token and keeps the session alive as long as it. */
    public void addRefreshToken(UUID sessionId, byte[] tokenHash, Instant expiresAt) {
        jdbc.sql("insert into platform.refresh_tokens (token_hash, session_id, expires_at) values (?, ?, ?)")
                .params(tokenHash, sessionId, java.sql.Timestamp.from(expiresAt))
                .update();
        jdbc.sql("update platform.sessions set expires_at = greatest(expires_at, ?) where id = ?")
                .params(java.sql.Timestamp.from(expiresAt), sessionId)
                .update();
    }

    /**
     * Marks an unexpired, unrotated refresh token used and returns its session. Exactly one of two racing
     * callers gets the session: the row update is the lock.
     */
    public Optional<UUID> rotate(byte[] tokenHash) {
        return jdbc.sql("""
                update platform.refresh_tokens set rotated_at = now()
                 where token_hash = ? and rotated_at is null and expires_at > now()
                returning session_id
                """)
                .param(tokenHash)
                .query(UUID.class)
                .optional();
    }

    /** The session of a refresh token that was already rotated: presenting it again is reuse. */
    public Optional<UUID> sessionOfRotated(byte[] tokenHash) {
        return jdbc.sql("select session_id from platform.refresh_tokens where token_hash = ? and rotated_at is not null")
                .param(tokenHash)
                .query(UUID.class)
                .optional();
    }

}
