package dev.canopy.integration.internal.webhooks;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A stored webhook; its secret only as the sealed ciphertext. */
record Webhook(UUID tenantId, UUID id, String url, String description, List<String> eventTypes, byte[] sealedSecret,
        boolean enabled, @Nullable UUID createdBy, Instant createdAt, Instant updatedAt, long version) {

    boolean wants(String eventType) {
        return eventTypes.contains(KnownEventTypes.ALL) || eventTypes.contains(eventType);
    }

    @Override
    public String toString() {
        return "Webhook[" + tenantId + "/" + id + ", " + url + "]"; // never the ciphertext
    }
}
