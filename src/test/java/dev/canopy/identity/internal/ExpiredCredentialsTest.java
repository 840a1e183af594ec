package dev.canopy.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.canopy.support.ApiTest;
import dev.canopy.support.Fixtures.Session;

/** The daily clean-up deletes what can no longer be used, and nothing that still can. */
class ExpiredCredentialsTest extends ApiTest {

    @Autowired
    private ExpiredCredentials expired;

    @Autowired
    private JdbcClient jdbc;

    @Test
    void endedSessionsAndExpiredTokensGoLiveOnesStay() {
        Session live = fixtures.userIn(fixtures.tenant(), "member");
        Session ended = fixtures.userIn(fixtures.tenant(), "member");
        Session withOldToken = fixtures.userIn(fixtures.tenant(), "member");
        UUID liveId = sessionOf(live);
        UUID endedId = sessionOf(ended);
        UUID oldTokenId = sessionOf(withOldToken);
        jdbc.sql("update platform.sessions set revoked_at = now() - interval '31 days' where id = ?")
                .param(endedId).update();
        jdbc.sql("""
                insert into platform.refresh_tokens (token_hash, session_id, expires_at)
                values (sha256(gen_random_uuid()::text::bytea), ?, now() - interval '2 days')
                """).param(oldTokenId).update();
        byte[] staleCounter = sha256("stale-" + UUID.randomUUID());
        byte[] lockedCounter = sha256("locked-" + UUID.randomUUID());
        jdbc.sql("""
                insert into platform.login_attempts (email_hash, failures, window_started_at, locked_until)
                values (?, 3, now() - interval '2 days', null), (?, 0, now() - interval '2 days', now() + interval '1 hour')
                """).params(staleCounter, lockedCounter).update();

        byte[] oldChallenge = sha256("challenge-" + UUID.randomUUID());
        byte[] liveChallenge = sha256("challenge-" + UUID.randomUUID());
        jdbc.sql("""
                insert into platform.mfa_challenges (token_hash, user_id, tenant_id, expires_at)
                values (?, ?, ?, now() - interval '2 days'), (?, ?, ?, now() + interval '5 minutes')
                """).params(oldChallenge, live.userId(), live.tenantId(), liveChallenge, live.userId(), live.tenantId())
                .update();

        ExpiredCredentials.Removed removed = expired.remove();

        assertThat(removed.sessions()).isPositive();
        assertThat(count("platform.sessions where id = ?", endedId)).isZero();
        assertThat(count("platform.refresh_tokens where session_id = ?", endedId)).isZero();
        assertThat(count("platform.sessions where id = ?", liveId)).isOne();
        assertThat(count("platform.refresh_tokens where session_id = ?", liveId)).isOne();
        assertThat(count("platform.refresh_tokens where session_id = ?", oldTokenId))
                .as("only the expired token").isOne();
        assertThat(count("platform.mfa_challenges where token_hash = ?", oldChallenge)).isZero();
        assertThat(count("platform.mfa_challenges where token_hash = ?", liveChallenge)).isOne();
        assertThat(count("platform.login_attempts where email_hash = ?", staleCounter)).isZero();
        assertThat(count("platform.login_attempts where email_hash = ?", lockedCounter)).as("still locked").isOne();
        assertThat(api.get("/api/v1/auth/me", live.accessToken()).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/auth/refresh", null, dev.canopy.support.Api.obj("refresh_token",
                live.refreshToken())).status()).isEqualTo(200);
    }

    /** A fresh user's one session. */
    private UUID sessionOf(Session session) {
        return jdbc.sql("select id from platform.sessions where user_id = ?").param(session.userId()).query(UUID.class)
                .single();
    }

    private long count(String fromWhere, Object param) {
        return jdbc.sql("select count(*) from " + fromWhere).param(param).query(Long.class).single();
    }

    private static byte[] sha256(String text) {
        return RefreshTokens.hash(text);
    }
}
