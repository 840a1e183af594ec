package dev.canopy.audit;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A verification found a tenant's audit chain broken: a row was changed, removed or inserted behind
 * Canopy's back. {@code firstBrokenId} is the first event that does not verify, or null when the chain
 * ends short of its recorded head. {@code tenantId} is {@link AuditRecord#PLATFORM} for the platform chain.
 */
public record AuditChainBroken(UUID tenantId, @Nullable UUID firstBrokenId) {
}
