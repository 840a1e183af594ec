package dev.canopy.identity.internal;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A user's membership of one tenant, with the roles it gives there. */
public record Membership(UUID tenantId, UUID userId, List<String> roles, boolean primary, Instant createdAt) {
}
