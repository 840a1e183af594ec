package dev.canopy.identity.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes what can no longer be used: refresh tokens, MFA challenges and account tokens a day after they
 * expired, failure counters whose window and lock are over, and sessions 30 days after they ended (the
 * session list shows live ones only; the audit log keeps their history).
 */
@Component
class ExpiredCredentials {

    private static final Logger log = LoggerFactory.getLogger(ExpiredCredentials.class);

    private final JdbcClient jdbc;
    private final Lockout lockout;

    ExpiredCredentials(JdbcClient jdbc, Lockout lockout) {
        this.jdbc = jdbc;
        this.lockout = lockout;
    }

    /** Rows deleted per table. */
    record Removed(int refreshTokens, int sessions, int mfaChallenges, int accountTokens, int loginAttempts) {
    }

    @Scheduled(cron = "${canopy.auth.cleanup-cron:0 15 4 * * *}")
    void removeDaily() {
        log.info("Removed expired credentials: {}", remove());
    }

    /** Each delete on its own: nothing here needs to happen together. */
    Removed remove() {
        int refreshTokens = jdbc.sql("""
                delete from platform.refresh_tokens
                 where expires_at < now() - interval '1 day'
                    or session_id in (select id from platform.sessions where coalesce(revoked_at, expires_at) < now() - interval '30 days')
                """).update();
        int sessions = jdbc.sql("""
                delete from platform.sessions s
                 where coalesce(s.revoked_at, s.expires_at) < now() - interval '30 days'
                   and not exists (select 1 from platform.refresh_tokens t where t.session_id = s.id)
                """).update();
        int challenges = jdbc.sql("delete from platform.mfa_challenges where expires_at < now() - interval '1 day'")
                .update();
        int accountTokens = jdbc.sql("delete from platform.account_tokens where expires_at < now() - interval '1 day'")
                .update();
        int attempts = jdbc.sql("""
                delete from platform.login_attempts
                 where window_started_at < now() - make_interval(secs => ?)
                   and (locked_until is null or locked_until < now())
                """).param(lockout.window().toSeconds()).update();
        return new Removed(refreshTokens, sessions, challenges, accountTokens, attempts);
    }
}
