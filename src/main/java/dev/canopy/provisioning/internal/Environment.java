package dev.canopy.provisioning.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** Where deployments go (development, staging, production, ...), on a cloud account, under protection rules. */
record Environment(UUID tenantId, UUID id, String name, String description, @Nullable UUID cloudAccountId,
        @Nullable UUID businessUnitId, Protection protection, Instant createdAt, Instant updatedAt, long version) {
}
