package dev.canopy.identity.internal;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A row of {@code invitations}: someone asked to join a tenant with some roles. */
public record Invitation(UUID tenantId, UUID id, String email, List<String> roles, @Nullable UUID invitedBy,
        Instant createdAt, Instant expiresAt, @Nullable Instant acceptedAt, @Nullable UUID acceptedBy,
        @Nullable Instant revokedAt) {

    public static final String PENDING = "pending";
    public static final String ACCEPTED = "accepted";
    public static final String REVOKED = "revoked";
    public static final String EXPIRED = "expired";

    public String status(Instant now) {
        if (acceptedAt != null) {
            return ACCEPTED;
        }
        if (revokedAt != null) {
            return REVOKED;
        }
        return expiresAt.isAfter(now) ? PENDING : EXPIRED;
    }
}
