package dev.canopy.integration.internal.webhooks;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.canopy.platform.db.TenantTransactions;
import dev.canopy.secrets.SealedSecret;
import dev.canopy.secrets.SealedSecretStore;
import dev.canopy.secrets.SecretBinding;

/** Webhooks' sealed signing secrets, for re-encryption when a tenant's data key is rotated. */
@Component
class WebhookSecretStore implements SealedSecretStore {

    private final Webhooks webhooks;
    private final TenantTransactions scopes;

    WebhookSecretStore(Webhooks webhooks, TenantTransactions scopes) {
        this.webhooks = webhooks;
        this.scopes = scopes;
    }

    @Override
    public List<SealedSecret> page(UUID ownerId, @Nullable String afterRecordId, int limit) {
        if (SecretBinding.PLATFORM.equals(ownerId)) {
            return List.of();
        }
        UUID after = afterRecordId == null ? null : UUID.fromString(afterRecordId);
        return scopes.inTenant(ownerId, () -> webhooks.sealedAfter(ownerId, after, limit)).stream()
                .map(row -> new SealedSecret(DeliveryAttempts.binding(ownerId, (UUID) row[0]), (byte[]) row[1]))
                .toList();
    }

    @Override
    public boolean replace(SealedSecret current, byte[] resealed) {
        UUID tenantId = current.binding().ownerId();
        return scopes.inTenant(tenantId, () -> webhooks.replaceSealed(tenantId,
                UUID.fromString(current.binding().recordId()), current.ciphertext(), resealed));
    }
}
