package dev.canopy.integration.internal.webhooks;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** One event sent (or to be sent) to one webhook, with what its last attempt got. */
record Delivery(UUID tenantId, UUID id, UUID webhookId, UUID eventId, String eventType, String payload,
        String status, int attempts, @Nullable Integer responseCode, @Nullable String responseBody,
        @Nullable Integer durationMs, @Nullable String lastError, @Nullable Instant nextAttemptAt,
        Instant retryUntil, Instant createdAt, @Nullable Instant lastAttemptAt, @Nullable Instant deliveredAt) {

    static final String PENDING = "pending";
    static final String DELIVERED = "delivered";
    static final String FAILED = "failed";
}
