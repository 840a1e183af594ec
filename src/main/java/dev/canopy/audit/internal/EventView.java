package dev.canopy.audit.internal;

import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonRawValue;

/**
 * An audit event as the API, the NDJSON export and the archive files show it. {@code details} is the
 * stored JSON object as it is; the hashes are hex. Together the fields are everything its hash covers,
 * so a chain can be re-verified from an export or archive alone.
 */
record EventView(UUID id, UUID tenantId, long seq, Instant occurredAt, ActorView actor, String action,
        @Nullable String resourceType, @Nullable String resourceId, String status, @Nullable Integer httpStatus,
        @Nullable String ip, @Nullable String userAgent, @Nullable String requestId, @JsonRawValue String details,
        String prevHash, String hash) {

    static final HexFormat HEX = HexFormat.of();

    record ActorView(String type, @Nullable UUID id, @Nullable String email, @Nullable UUID viaTenantId) {
    }

    static EventView of(ChainedEvent e) {
        return new EventView(e.id(), e.tenantId(), e.seq(), e.occurredAt(),
                new ActorView(e.actorType(), e.actorId(), e.actorEmail(), e.actorViaTenantId()), e.action(),
                e.resourceType(), e.resourceId(), e.status(), e.httpStatus(), e.ip(), e.userAgent(), e.requestId(),
                e.details(), HEX.formatHex(e.prevHash()), HEX.formatHex(e.hash()));
    }
}
