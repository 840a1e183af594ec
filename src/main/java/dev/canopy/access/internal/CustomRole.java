package dev.canopy.access.internal;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A role a tenant defined itself: a named list of permission patterns. */
public record CustomRole(UUID id, String name, String description, List<String> permissions, Instant createdAt,
        Instant updatedAt, long version) {
}
