package dev.canopy.access.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A part of a tenant (a department, a client team) with its own members, roles and groups. */
public record BusinessUnit(UUID id, String code, String name, @Nullable UUID ownerId, Instant createdAt,
        Instant updatedAt, long version) {
}
