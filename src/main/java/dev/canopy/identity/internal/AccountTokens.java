package dev.canopy.identity.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for single-use account tokens (password reset, email verification), kept as SHA-256 hashes only. */
@Repository
class AccountTokens {

    enum Purpose {
        PASSWORD_RESET, EMAIL_VERIFICATION;

        String column() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A token just used up: whose it was, and the password a verification token carries. */
    record Used(UUID userId, @Nullable String passwordHash) {
    }

    private final JdbcClient jdbc;

    AccountTokens(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void issue(UUID userId, Purpose purpose, byte[] tokenHash, Instant expiresAt, @Nullable String passwordHash) {
        jdbc.sql("""
                insert into platform.account_tokens (token_hash, user_id, purpose, password_hash, expires_at)
                values (?, ?, ?, ?, ?)
                """)
                .params(tokenHash, userId, purpose.column(), passwordHash, Timestamp.from(expiresAt))
                .update();
    }

    /** How many tokens of the purpose the user was sent since the given time. */
    int issuedSince(UUID userId, Purpose purpose, Instant since) {
        return jdbc.sql("select count(*) from platform.account_tokens where user_id = ? and purpose = ? and created_at > ?")
                .params(userId, purpose.column(), Timestamp.from(since))
                .query(Integer.class)
                .single();
    }

    /** Ends the user's unused tokens of the purpose: a newer one replaces them, or their purpose is met. */
    void discard(UUID userId, Purpose purpose) {
        jdbc.sql("update platform.account_tokens set used_at = now() where user_id = ? and purpose = ? and used_at is null")
                .params(userId, purpose.column())
                .update();
    }

    /**
     * Uses up an unexpired, unused token. The update is the lock: of two racing callers with the same
     * token exactly one gets it.
     */
    Optional<Used> consume(byte[] tokenHash, Purpose purpose) {
        return jdbc.sql("""
                update platform.account_tokens set used_at = now()
                 where token_hash = ? and purpose = ? and used_at is null and expires_at > now()
                returning user_id, password_hash
                """)
                .params(tokenHash, purpose.column())
                .query(Used.class)
                .optional();
    }
}
