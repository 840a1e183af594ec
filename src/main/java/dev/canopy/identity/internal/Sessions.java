package dev.canopy.identity.internal;

import java.time.Instant;
import java.util.Optional;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.platform.db.ChangeBroadcast;

/** SQL for sessions and their refresh tokens (kept as SHA-256 hashes only). */
@Repository
public class Sessions {

    private final JdbcClient jdbc;
    private final ChangeBroadcast changes;

    Sessions(JdbcClient jdbc, ChangeBroadcast changes) {
        this.jdbc = jdbc;
        this.changes = changes;
    }

    public void insert(Session session) {
        jdbc.sql("""
                insert into platform.sessions (id, user_id, tenant_id, acting_as_platform_admin, created_at,
                                               last_seen_at, expires_at, ip, user_agent, mfa, last_seen_ip, sso)
                values (:id, :user, :tenant, :acting, :created, :created, :expires, :ip, :userAgent, :mfa, :ip, :sso)
                """)
                .param("id", session.id())
                .param("user", session.userId())
                .param("tenant", session.tenantId())
                .param("acting", session.actingAsPlatformAdmin())
                .param("created", java.sql.Timestamp.from(session.createdAt()))
                .param("expires", java.sql.Timestamp.from(session.expiresAt()))
                .param("ip", session.ip())
                .param("userAgent", session.userAgent())
                .param("mfa", session.mfa())
                .param("sso", session.sso())
                .update();
    }

    public Optional<Session> find(UUID id) {
        return jdbc.sql("""
                select id, user_id, tenant_id, acting_as_platform_admin, created_at, last_seen_at, expires_at, revoked_at,
                       ip, user_agent, mfa, sso, last_seen_ip
                  from platform.sessions where id = ?
                """)
                .param(id)
                .query(Session.class)
                .optional();
    }

    /** The user's sessions that have not ended, newest first. */
    public java.util.List<Session> liveOf(UUID userId) {
        return jdbc.sql("""
                select id, user_id, tenant_id, acting_as_platform_admin, created_at, last_seen_at, expires_at, revoked_at,
                       ip, user_agent, mfa, sso, last_seen_ip
                  from platform.sessions
                 where user_id = ? and revoked_at is null and expires_at > now()
                 order by created_at desc
                """)
                .param(userId)
                .query(Session.class)
                .list();
    }

    /** Ends every live session of the user but the one given (null: all of them). */
    public void revokeAllOf(UUID userId, @Nullable UUID except) {
        jdbc.sql("""
                update platform.sessions set revoked_at = now()
                 where user_id = :user and revoked_at is null and (cast(:except as uuid) is null or id <> :except)
                returning id
                """)
                .param("user", userId)
                .param("except", except)
                .query(UUID.class)
                .list()
                .forEach(id -> changes.publish("session", id.toString()));
    }

    /**
     * Ends the live password sessions in the tenant, as a logout would (the access tokens stop at once on every
     * instance), when the tenant stops accepting passwords. SSO sessions stay, and so do platform administrators'
     * (break-glass access, which passwords still give). Returns how many ended.
     */
    public int revokePasswordSessionsIn(UUID tenantId) {
        List<UUID> ended = jdbc.sql("""
                update platform.sessions s set revoked_at = now()
                 where s.tenant_id = ? and not s.sso and s.revoked_at is null and s.expires_at > now()
                   and not exists (select 1 from platform.users u where u.id = s.user_id and u.is_platform_admin)
                returning s.id
                """)
                .param(tenantId)
                .query(UUID.class)
                .list();
        ended.forEach(id -> changes.publish("session", id.toString()));
        return ended.size();
    }

    public void revoke(UUID id) {
        jdbc.sql("update platform.sessions set revoked_at = now() where id = ? and revoked_at is null")
                .param(id)
                .update();
        changes.publish("session", id.toString());
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
     * What a refresh found: the session whose token it rotated (null: the token is unknown, expired or
     * already rotated) and, when that session is live, the same id again and whether it began with SSO.
     */
    public record Rotation(@Nullable UUID rotatedSession, @Nullable UUID liveSession, boolean sso) {
    }

    /**
     * Replaces an unexpired, unrotated refresh token by its successor in one statement: marks it used, records
     * the session's activity, keeps the session alive as long as the successor and inserts the successor
     * (only when the session is live). Exactly one of two racing callers rotates: the row update is the lock.
     */
    public Rotation rotate(byte[] tokenHash, byte[] successorHash, Instant successorExpiresAt, @Nullable String ip) {
        return jdbc.sql("""
                with rotated as (
                    update platform.refresh_tokens set rotated_at = now()
                     where token_hash = :token and rotated_at is null and expires_at > now()
                    returning session_id
                ), live as (
                    update platform.sessions set last_seen_at = now(), last_seen_ip = :ip,
                                                expires_at = greatest(expires_at, :expires)
                     where id = (select session_id from rotated) and revoked_at is null and expires_at > now()
                    returning id, sso
                ), successor as (
                    insert into platform.refresh_tokens (token_hash, session_id, expires_at)
                    select :successor, id, :expires from live
                )
                select (select session_id from rotated) as rotated_session, (select id from live) as live_session,
                       coalesce((select sso from live), false) as sso
                """)
                .param("token", tokenHash)
                .param("successor", successorHash)
                .param("expires", java.sql.Timestamp.from(successorExpiresAt))
                .param("ip", ip)
                .query(Rotation.class)
                .single();
    }

    /** The session of a refresh token that was already rotated: presenting it again is reuse. */
    public Optional<UUID> sessionOfRotated(byte[] tokenHash) {
        return jdbc.sql("select session_id from platform.refresh_tokens where token_hash = ? and rotated_at is not null")
                .param(tokenHash)
                .query(UUID.class)
                .optional();
    }

}
