package dev.canopy.access.internal;

import java.time.Instant;
import java.util.UUID;

/** A group of members of one tenant; its members hold its roles. */
public record Group(UUID id, String name, String description, Instant createdAt, Instant updatedAt, long version) {
}
