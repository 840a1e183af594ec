package dev.canopy.integration.internal;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.secrets.SealedSecret;
import dev.canopy.secrets.SealedSecretStore;
import dev.canopy.secrets.SecretBinding;

/** Tenants' sealed GitHub webhook secrets, for re-encryption when a tenant's data key is rotated. */
@Component
class GitHubHookSecretStore implements SealedSecretStore {

    private final GitHubHookSecrets secrets;
    private final TenantTransactions scopes;

    GitHubHookSecretStore(GitHubHookSecrets secrets, TenantTransactions scopes) {
        this.secrets = secrets;
        this.scopes = scopes;
    }

    @Override
    public List<SealedSecret> page(UUID ownerId, @Nullable String afterRecordId, int limit) {
        // a tenant has one secret at most, whose record id is the tenant's id
        if (SecretBinding.PLATFORM.equals(ownerId) || afterRecordId != null || limit < 1) {
            return List.of();
        }
        return scopes.inTenant(ownerId, () -> secrets.find(ownerId)
                .map(s -> List.of(new SealedSecret(GitHubHookSecrets.binding(ownerId), s.ciphertext())))
                .orElse(List.of()));
    }

    @Override
    public boolean replace(SealedSecret current, byte[] resealed) {
        UUID tenantId = current.binding().ownerId();
        return scopes.inTenant(tenantId, () -> secrets.replace(tenantId, current.ciphertext(), resealed));
    }
}
