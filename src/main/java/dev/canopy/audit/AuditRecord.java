package dev.canopy.audit;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** One audit event as it is appended; the chain adds its position and hashes. */
public record AuditRecord(UUID tenantId, Instant occurredAt, Actor actor, String action,
        @Nullable String resourceType, @Nullable String resourceId, boolean success, @Nullable Integer httpStatus,
        @Nullable String ip, @Nullable String userAgent, @Nullable String requestId, Map<String, Object> details) {

    /** The platform's own chain, for events that belong to no tenant. */
    public static final UUID PLATFORM = new UUID(0, 0);
}
