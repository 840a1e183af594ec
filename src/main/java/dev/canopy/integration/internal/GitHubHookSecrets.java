package dev.canopy.integration.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.canopy.secrets.SecretBinding;

/** SQL for {@code github_hook_secrets}: a tenant's sealed GitHub webhook secret, one row at most. */
@Repository
class GitHubHookSecrets {

    /** A tenant's sealed secret and when it was last set. */
    record Sealed(byte[] ciphertext, Instant updatedAt) {

        @Override
        public String toString() {
            return "Sealed[" + updatedAt + "]";
        }
    }

    private final JdbcClient jdbc;

    GitHubHookSecrets(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** What the secret of a tenant is sealed for: a ciphertext copied to another tenant does not open. */
    static SecretBinding binding(UUID tenantId) {
        return SecretBinding.tenant(tenantId, "github_hook_secrets", tenantId.toString());
    }

    Optional<Sealed> find(UUID tenantId) {
        return jdbc.sql("select sealed_secret, updated_at from github_hook_secrets where tenant_id = ?")
                .param(tenantId)
                .query((rs, n) -> new Sealed(rs.getBytes(1), rs.getTimestamp(2).toInstant())).optional();
    }

    Instant put(UUID tenantId, byte[] sealed) {
        return jdbc.sql("""
                insert into github_hook_secrets (tenant_id, sealed_secret) values (?, ?)
                on conflict (tenant_id) do update set sealed_secret = excluded.sealed_secret, updated_at = now()
                returning updated_at
                """).params(tenantId, sealed).query(Timestamp.class).single().toInstant();
    }

    boolean delete(UUID tenantId) {
        return jdbc.sql("delete from github_hook_secrets where tenant_id = ?").param(tenantId).update() == 1;
    }

    boolean replace(UUID tenantId, byte[] current, byte[] resealed) {
        return jdbc.sql("""
                update github_hook_secrets set sealed_secret = ? where tenant_id = ? and sealed_secret = ?
                """).params(resealed, tenantId, current).update() == 1;
    }
}
