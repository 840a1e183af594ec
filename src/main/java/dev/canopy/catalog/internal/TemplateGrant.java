package dev.canopy.catalog.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A user's standing permission to provision a locked template. */
public record TemplateGrant(UUID templateId, UUID userId, @Nullable UUID grantedBy, @Nullable UUID requestId,
        Instant grantedAt) {
}
