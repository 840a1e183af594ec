package dev.canopy.identity.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A row of {@code platform.users}. */
public record UserAccount(UUID id, String email, String fullName, @Nullable String passwordHash, boolean active,
        boolean platformAdmin, Instant createdAt, Instant updatedAt, long version) {
}
