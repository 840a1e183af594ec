package dev.canopy.provisioning.internal;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.secrets.SealedSecret;
import dev.canopy.secrets.SealedSecretStore;
import dev.canopy.secrets.SecretBinding;

/** Deployments' sealed inputs, for re-encryption when a tenant's data key is rotated. */
@Component
class DeploymentInputsSecretStore implements SealedSecretStore {

    private final Deployments deployments;
    private final TenantTransactions scopes;

    DeploymentInputsSecretStore(Deployments deployments, TenantTransactions scopes) {
        this.deployments = deployments;
        this.scopes = scopes;
    }

    @Override
    public List<SealedSecret> page(UUID ownerId, @Nullable String afterRecordId, int limit) {
        if (SecretBinding.PLATFORM.equals(ownerId)) {
            return List.of();
        }
        UUID after = afterRecordId == null ? null : UUID.fromString(afterRecordId);
        return scopes.inTenant(ownerId, () -> deployments.sealedAfter(ownerId, after, limit));
    }

    @Override
    public boolean replace(SealedSecret current, byte[] resealed) {
        UUID tenantId = current.binding().ownerId();
        return scopes.inTenant(tenantId, () -> deployments.replaceSealed(tenantId,
                UUID.fromString(current.binding().recordId()), current.ciphertext(), resealed));
    }
}
