package dev.canopy.access.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A permission pattern allowed or denied to one member directly, possibly until a time. */
public record DirectGrant(UUID userId, String permission, String effect, @Nullable Instant expiresAt,
        @Nullable UUID createdBy, Instant createdAt) {

    public boolean deny() {
        return "deny".equals(effect);
    }
}
