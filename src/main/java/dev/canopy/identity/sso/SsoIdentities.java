package dev.canopy.identity.sso;

import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code sso_identities}: which user a provider's subject is, in one tenant. */
@Repository
class SsoIdentities {

    private final JdbcClient jdbc;

    SsoIdentities(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<UUID> userOf(UUID tenantId, String issuer, String subject) {
        return jdbc.sql("select user_id from sso_identities where tenant_id = ? and issuer = ? and subject = ?")
                .params(tenantId, issuer, subject)
                .query(UUID.class)
                .optional();
    }

    /** Whether the user is already linked to another subject of this issuer in the tenant. */
    boolean linkedElsewhere(UUID tenantId, String issuer, UUID userId) {
        return jdbc.sql("""
                select exists (select 1 from sso_identities where tenant_id = ? and issuer = ? and user_id = ?)
                """)
                .params(tenantId, issuer, userId)
                .query(Boolean.class)
                .single();
    }

    void link(UUID tenantId, String issuer, String subject, UUID userId, String email) {
        jdbc.sql("""
                insert into sso_identities (tenant_id, issuer, subject, user_id, email)
                values (?, ?, ?, ?, ?)
                """)
                .params(tenantId, issuer, subject, userId, email)
                .update();
    }

    void touch(UUID tenantId, String issuer, String subject, String email) {
        jdbc.sql("""
                update sso_identities set last_login_at = now(), email = ?
                 where tenant_id = ? and issuer = ? and subject = ?
                """)
                .params(email, tenantId, issuer, subject)
                .update();
    }
}
