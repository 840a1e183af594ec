package dev.canopy.cloud.internal;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.secrets.SealedSecret;
import dev.canopy.secrets.SealedSecretStore;
import dev.canopy.secrets.SecretBinding;

/** Cloud accounts' sealed credentials, for re-encryption when a tenant's data key is rotated. */
@Component
class CloudAccountSecretStore implements SealedSecretStore {

    private final CloudAccounts accounts;
    private final TenantTransactions scopes;

    CloudAccountSecretStore(CloudAccounts accounts, TenantTransactions scopes) {
        this.accounts = accounts;
        this.scopes = scopes;
    }

    @Override
    public List<SealedSecret> page(UUID ownerId, @Nullable String afterRecordId, int limit) {
        if (SecretBinding.PLATFORM.equals(ownerId)) {
            return List.of();
        }
        UUID after = afterRecordId == null ? null : UUID.fromString(afterRecordId);
        return scopes.inTenant(ownerId, () -> accounts.sealedAfter(ownerId, after, limit)).stream()
                .map(row -> new SealedSecret(CloudAccountDirectory.binding(ownerId, (UUID) row[0]), (byte[]) row[1]))
                .toList();
    }

    @Override
    public boolean replace(SealedSecret current, byte[] resealed) {
        UUID tenantId = current.binding().ownerId();
        return scopes.inTenant(tenantId, () -> accounts.replaceSealed(tenantId,
                UUID.fromString(current.binding().recordId()), current.ciphertext(), resealed));
    }
}
