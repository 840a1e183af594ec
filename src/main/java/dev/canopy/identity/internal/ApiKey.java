package dev.canopy.identity.internal;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A row of {@code api_keys}: a service principal of one tenant, never its secret. */
public record ApiKey(UUID tenantId, UUID id, String name, String prefix, List<String> roles, @Nullable UUID createdBy,
        Instant createdAt, @Nullable Instant expiresAt, @Nullable Instant lastUsedAt, @Nullable Instant revokedAt) {

    /** How the key's principal is named where an email would be: {@code api-key:<name>}. */
    public String principalName() {
        return "api-key:" + name;
    }
}
