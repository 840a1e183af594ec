package dev.canopy.access.internal;

import java.time.Instant;
import java.util.UUID;

/** A group of members of one tenant; its members hold its roles (only in its business unit, when it has one). */
public record Group(UUID id, String name, String description, @org.jspecify.annotations.Nullable UUID businessUnitId,
        Instant createdAt, Instant updatedAt, long version) {
}
