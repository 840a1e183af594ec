package dev.canopy.identity.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Counts failures per subject within a window and locks the subject when they reach the limit: failed
 * passwords per email (known or not, so locked and unknown addresses look the same) and failed MFA codes
 * per user. Subjects are stored hashed.
 */
@Repository
public class LoginAttempts {

    private final JdbcClient jdbc;

    LoginAttempts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The state after a failure: how many in the current window, and until when the email is locked. */
    public record Failures(int count, @Nullable Instant lockedUntil) {
    }

    /** The subject of password failures for an email. */
    public static String password(String email) {
        return "login:" + email.trim().toLowerCase(Locale.ROOT);
    }

    /** The subject of MFA code failures for a user. */
    public static String mfa(UUID userId) {
        return "mfa:" + userId;
    }

    public Optional<Instant> lockedUntil(String subject) {
        return jdbc.sql("select locked_until from platform.login_attempts where email_hash = ? and locked_until > now()")
                .param(key(subject))
                .query(Instant.class)
                .optional();
    }

    public Failures recordFailure(String subject, int limit, Duration window, Duration lockFor) {
        return jdbc.sql("""
                insert into platform.login_attempts as a (email_hash, failures, window_started_at)
                values (:key, 1, now())
                on conflict (email_hash) do update set
                    failures = case when a.window_started_at < now() - make_interval(secs => :window)
                                    then 1 else a.failures + 1 end,
                    window_started_at = case when a.window_started_at < now() - make_interval(secs => :window)
                                             then now() else a.window_started_at end
                returning failures
                """)
                .param("key", key(subject))
                .param("window", window.toSeconds())
                .query(Integer.class)
                .optional()
                .map(count -> count >= limit ? lock(subject, count, lockFor) : new Failures(count, null))
                .orElseThrow();
    }

    public void clear(String subject) {
        jdbc.sql("delete from platform.login_attempts where email_hash = ?").param(key(subject)).update();
    }

    private Failures lock(String subject, int count, Duration lockFor) {
        Instant until = jdbc.sql("""
                update platform.login_attempts
                   set locked_until = now() + make_interval(secs => :lockFor), failures = 0, window_started_at = now()
                 where email_hash = :key
                returning locked_until
                """)
                .param("key", key(subject))
                .param("lockFor", lockFor.toSeconds())
                .query(Instant.class)
                .single();
        return new Failures(count, until);
    }

    private static byte[] key(String subject) {
        return RefreshTokens.hash(subject);
    }
}
