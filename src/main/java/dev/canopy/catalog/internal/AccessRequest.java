package dev.canopy.catalog.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A user's request to provision a locked template, and its decision. */
public record AccessRequest(UUID tenantId, UUID id, UUID templateId, UUID requesterId, String requesterEmail,
        String reason, @Nullable UUID businessUnitId, String status, @Nullable UUID decidedBy,
        @Nullable Instant decidedAt, @Nullable String decisionComment, Instant createdAt) {

    public static final String PENDING = "pending";
    public static final String APPROVED = "approved";
    public static final String REJECTED = "rejected";
    public static final String REVOKED = "revoked";
}
