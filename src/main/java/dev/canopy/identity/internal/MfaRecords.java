package dev.canopy.identity.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.secrets.SecretBinding;
import dev.canopy.secrets.Secrets;

/**
 * SQL for TOTP credentials, recovery codes and login challenges. Recovery codes and challenge tokens
 * are kept as SHA-256 hashes only. The TOTP secret is sealed by {@link Secrets} (platform scope, bound to the
 * user id); it never leaves this class but to check a code or to show it once at enrolment.
 */
@Repository
class MfaRecords {

    static final String TOTP_TABLE = "platform.totp_credentials";

    private final JdbcClient jdbc;
    private final Secrets secrets;

    MfaRecords(JdbcClient jdbc, Secrets secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
    }

    static SecretBinding totpBinding(UUID userId) {
        return SecretBinding.platform(TOTP_TABLE, userId.toString());
    }

    /** A user's TOTP credential; {@code confirmedAt} null while the enrolment is pending. */
    record TotpCredential(UUID userId, String totpSecret, @Nullable Instant confirmedAt, @Nullable Long lastUsedStep) {

        boolean active() {
            return confirmedAt != null;
        }

        long lastStep() {
            return lastUsedStep == null ? Long.MIN_VALUE : lastUsedStep;
        }

        @Override
        public String toString() {
            return "TotpCredential[userId=" + userId + ", confirmedAt=" + confirmedAt + "]"; // never the secret
        }
    }

    /** A pending second login step, as its token's holder may complete it. */
    record Challenge(UUID userId, UUID tenantId, @Nullable String ip, @Nullable String userAgent, int attempts) {
    }

    boolean active(UUID userId) {
        return jdbc.sql("select exists (select 1 from platform.totp_credentials where user_id = ? and confirmed_at is not null)")
                .param(userId)
                .query(Boolean.class)
                .single();
    }

    /** The credential, its row locked until the transaction ends. */
    Optional<TotpCredential> lockTotp(UUID userId) {
        return jdbc.sql("""
                select user_id, sealed_secret, confirmed_at, last_used_step
                  from platform.totp_credentials where user_id = ? for update
                """)
                .param(userId)
                .query(this::totpCredential)
                .optional();
    }

    Optional<TotpCredential> findTotp(UUID userId) {
        return jdbc.sql("""
                select user_id, sealed_secret, confirmed_at, last_used_step
                  from platform.totp_credentials where user_id = ?
                """)
                .param(userId)
                .query(this::totpCredential)
                .optional();
    }

    private TotpCredential totpCredential(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        UUID userId = rs.getObject("user_id", UUID.class);
        String secret = secrets.openText(totpBinding(userId), rs.getBytes("sealed_secret"));
        Timestamp confirmed = rs.getTimestamp("confirmed_at");
        long step = rs.getLong("last_used_step");
        return new TotpCredential(userId, secret, confirmed == null ? null : confirmed.toInstant(),
                rs.wasNull() ? null : step);
    }

    /** Starts or restarts a pending enrolment; false when TOTP is already active. */
    boolean savePending(UUID userId, String secret) {
        return jdbc.sql("""
                insert into platform.totp_credentials (user_id, sealed_secret) values (?, ?)
                on conflict (user_id) do update
                   set sealed_secret = excluded.sealed_secret, created_at = now(),
                       last_used_step = null
                 where totp_credentials.confirmed_at is null
                """)
                .params(userId, secrets.sealText(totpBinding(userId), secret))
                .update() == 1;
    }

    void confirm(UUID userId, long step) {
        jdbc.sql("update platform.totp_credentials set confirmed_at = now(), last_used_step = ? where user_id = ?")
                .params(step, userId)
                .update();
    }

    /**
     * Spends a time step: true when it is later than every step used before. Two requests racing with
     * the same code cannot both win: the row update is the lock.
     */
    boolean spendStep(UUID userId, long step) {
        return jdbc.sql("""
                update platform.totp_credentials set last_used_step = :step
                 where user_id = :user and confirmed_at is not null
                   and (last_used_step is null or last_used_step < :step)
                """)
                .param("step", step)
                .param("user", userId)
                .update() == 1;
    }

    /** Removes TOTP and every recovery code of the user. */
    void deleteAll(UUID userId) {
        jdbc.sql("delete from platform.mfa_recovery_codes where user_id = ?").param(userId).update();
        jdbc.sql("delete from platform.totp_credentials where user_id = ?").param(userId).update();
    }

    void replaceRecoveryCodes(UUID userId, List<byte[]> hashes) {
        jdbc.sql("delete from platform.mfa_recovery_codes where user_id = ?").param(userId).update();
        for (byte[] hash : hashes) {
            jdbc.sql("insert into platform.mfa_recovery_codes (user_id, code_hash) values (?, ?)")
                    .params(userId, hash)
                    .update();
        }
    }

    /** Marks an unused recovery code used; false when it is unknown or was used before. */
    boolean useRecoveryCode(UUID userId, byte[] hash) {
        return jdbc.sql("""
                update platform.mfa_recovery_codes set used_at = now()
                 where user_id = ? and code_hash = ? and used_at is null
                """)
                .params(userId, hash)
                .update() == 1;
    }

    void insertChallenge(byte[] tokenHash, UUID userId, UUID tenantId, @Nullable String ip,
            @Nullable String userAgent, Instant expiresAt) {
        jdbc.sql("""
                insert into platform.mfa_challenges (token_hash, user_id, tenant_id, ip, user_agent, expires_at)
                values (?, ?, ?, ?, ?, ?)
                """)
                .params(tokenHash, userId, tenantId, ip, userAgent, Timestamp.from(expiresAt))
                .update();
    }

    /**
     * Counts an attempt on a live challenge and returns it, or empty when the token is unknown, used,
     * expired or out of attempts. Run in a transaction of its own, so that failed attempts count.
     */
    Optional<Challenge> attempt(byte[] tokenHash, int maxAttempts) {
        return jdbc.sql("""
                update platform.mfa_challenges set attempts = attempts + 1
                 where token_hash = ? and used_at is null and expires_at > now() and attempts < ?
                returning user_id, tenant_id, ip, user_agent, attempts
                """)
                .params(tokenHash, maxAttempts)
                .query(Challenge.class)
                .optional();
    }

    /** Ends a challenge; false when another request ended it first. */
    boolean finish(byte[] tokenHash) {
        return jdbc.sql("update platform.mfa_challenges set used_at = now() where token_hash = ? and used_at is null")
                .param(tokenHash)
                .update() == 1;
    }
}
