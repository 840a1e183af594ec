package dev.canopy.access.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A client tenant's grant of a role to the members of another tenant holding {@code granteeRole} there. */
public record AccessGrant(UUID id, UUID tenantId, UUID granteeTenantId, String roleKey, String granteeRole,
        @Nullable Instant expiresAt, @Nullable UUID createdBy, Instant createdAt, @Nullable Instant revokedAt) {

    public boolean live(Instant now) {
        return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }
}
