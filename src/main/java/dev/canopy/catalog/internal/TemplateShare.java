package dev.canopy.catalog.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** An MSP's template published to one client tenant, or to all of them. */
public record TemplateShare(UUID id, UUID templateId, @Nullable UUID clientTenantId, boolean allClients,
        @Nullable UUID createdBy, Instant createdAt) {
}
