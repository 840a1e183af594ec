package dev.canopy.provisioning.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Where deployments go (development, staging, production, ...), on a cloud account, under protection rules, and how
 * often its deployments are checked for drift (never when null).
 */
record Environment(UUID tenantId, UUID id, String name, String description, @Nullable UUID cloudAccountId,
        @Nullable UUID businessUnitId, Protection protection, @Nullable Duration driftCheck, Instant createdAt,
        Instant updatedAt, long version) {

    /** An environment that checks no drift. */
    Environment(UUID tenantId, UUID id, String name, String description, @Nullable UUID cloudAccountId,
            @Nullable UUID businessUnitId, Protection protection, Instant createdAt, Instant updatedAt, long version) {
        this(tenantId, id, name, description, cloudAccountId, businessUnitId, protection, null, createdAt, updatedAt,
                version);
    }
}
