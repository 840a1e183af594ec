package dev.canopy.provisioning.internal;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.secrets.SealedSecret;
import dev.canopy.secrets.SealedSecretStore;
import dev.canopy.secrets.SecretBinding;

/**
 * The OpenTofu driver's sealed states, for re-encryption when a tenant's data key is rotated. (Plan files live from
 * a run's plan step to its apply step only; they still open with the superseded key, which stays in the keyset.)
 */
@Component
class OpenTofuStateSecretStore implements SealedSecretStore {

    private final OpenTofuStates states;
    private final TenantTransactions scopes;

    OpenTofuStateSecretStore(OpenTofuStates states, TenantTransactions scopes) {
        this.states = states;
        this.scopes = scopes;
    }

    @Override
    public List<SealedSecret> page(UUID ownerId, @Nullable String afterRecordId, int limit) {
        if (SecretBinding.PLATFORM.equals(ownerId)) {
            return List.of();
        }
        UUID after = afterRecordId == null ? null : UUID.fromString(afterRecordId);
        return scopes.inTenant(ownerId, () -> states.sealedStatesAfter(ownerId, after, limit));
    }

    @Override
    public boolean replace(SealedSecret current, byte[] resealed) {
        UUID tenantId = current.binding().ownerId();
        return scopes.inTenant(tenantId, () -> states.replaceSealedState(tenantId,
                UUID.fromString(current.binding().recordId()), current.ciphertext(), resealed));
    }
}
