package dev.canopy.cloud.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A stored cloud account; its credentials only as the sealed ciphertext. */
public record CloudAccount(UUID tenantId, UUID id, String name, String provider, String authType,
        Map<String, String> settings, byte[] sealedCredentials, String credentialsHint, List<String> environments,
        Map<String, String> tags, @Nullable Instant lastTestAt, @Nullable Boolean lastTestOk,
        @Nullable String lastTestDetail, @Nullable UUID createdBy, Instant createdAt, Instant updatedAt,
        long version) {

    @Override
    public String toString() {
        return "CloudAccount[" + tenantId + "/" + id + ", " + provider + ", " + name + "]"; // no ciphertext either
    }
}
