package dev.canopy.identity.sso;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.secrets.SealedSecret;
import dev.canopy.secrets.SealedSecretStore;
import dev.canopy.secrets.SecretBinding;

/** The tenants' sealed SSO client secrets, for re-encryption when a tenant's data key is rotated. */
@Component
class SsoSecretStore implements SealedSecretStore {

    private final SsoConfigs configs;
    private final TenantTransactions scopes;

    SsoSecretStore(SsoConfigs configs, TenantTransactions scopes) {
        this.configs = configs;
        this.scopes = scopes;
    }

    @Override
    public List<SealedSecret> page(UUID ownerId, @Nullable String afterRecordId, int limit) {
        // one configuration per tenant, whose record id is the tenant id: a page after it is empty
        if (SecretBinding.PLATFORM.equals(ownerId) || afterRecordId != null || limit < 1) {
            return List.of();
        }
        return scopes.inTenant(ownerId, () -> configs.sealedSecret(ownerId))
                .map(sealed -> List.of(new SealedSecret(SsoClientSecrets.binding(ownerId), sealed)))
                .orElse(List.of());
    }

    @Override
    public boolean replace(SealedSecret current, byte[] resealed) {
        UUID tenantId = current.binding().ownerId();
        return scopes.inTenant(tenantId, () -> configs.replaceSealedSecret(tenantId, current.ciphertext(), resealed));
    }
}
