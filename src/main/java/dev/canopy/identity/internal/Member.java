package dev.canopy.identity.internal;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A user as a member of the current tenant. */
public record Member(UUID id, String email, String fullName, boolean active, List<String> roles, boolean primary,
        Instant createdAt, Instant joinedAt, long version) {
}
