package dev.canopy.identity.sso;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code platform.sso_login_states}: logins between the redirect to the provider and its callback. */
@Repository
class SsoLoginStates {

    /** What the callback needs to finish a login it started; {@code codeVerifier} is the PKCE secret. */
    record Pending(UUID tenantId, String nonce, String codeVerifier, String redirectUri, String returnTo,
            Instant expiresAt) {

        @Override
        public String toString() {
            return "Pending[tenantId=" + tenantId + ", expiresAt=" + expiresAt + "]";
        }
    }

    private final JdbcClient jdbc;

    SsoLoginStates(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(byte[] stateHash, Pending p) {
        jdbc.sql("""
                insert into platform.sso_login_states (state_hash, tenant_id, nonce, code_verifier, redirect_uri,
                                                       return_to, expires_at)
                values (?, ?, ?, ?, ?, ?, ?)
                """)
                .params(stateHash, p.tenantId(), p.nonce(), p.codeVerifier(), p.redirectUri(), p.returnTo(),
                        Timestamp.from(p.expiresAt()))
                .update();
    }

    /** Takes the state: whoever deletes it has it, so two callbacks with one state cannot both go on. */
    Optional<Pending> take(byte[] stateHash) {
        return jdbc.sql("""
                delete from platform.sso_login_states where state_hash = ?
                returning tenant_id, nonce, code_verifier, redirect_uri, return_to, expires_at
                """)
                .param(stateHash)
                .query(Pending.class)
                .optional();
    }

    /** Forgets logins that were never finished. */
    int purgeExpired() {
        return jdbc.sql("delete from platform.sso_login_states where expires_at < now() - interval '1 hour'")
                .update();
    }
}
