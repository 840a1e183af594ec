package dev.canopy.catalog.internal;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A template of a tenant: its name, engine, tags, whether it is locked, and its latest (non-yanked) version. */
public record Template(UUID tenantId, UUID id, String name, String description, String driver, List<String> tags,
        boolean locked, @Nullable String latestVersion, @Nullable UUID createdBy, Instant createdAt,
        Instant updatedAt, long version) {
}
