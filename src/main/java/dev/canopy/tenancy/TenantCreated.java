package dev.canopy.tenancy;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A tenant came to exist. Published inside the transaction that inserts it, so listeners that set up the
 * tenant's own data (its environments, say) commit or roll back with it.
 */
public record TenantCreated(UUID tenantId, String slug, @Nullable UUID parentTenantId) {
}
