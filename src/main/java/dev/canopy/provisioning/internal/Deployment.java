package dev.canopy.provisioning.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.provisioning.DeploymentCiStatus;
import tools.jackson.databind.JsonNode;

/**
 * A pinned template version deployed into an environment. {@code inputs} are shown (secrets masked); the full
 * inputs stay sealed and are opened only for a run. {@code repository} and {@code branch} name what it is built
 * from on GitHub; {@code ciStatus} is what the last CI report for them said (null before the first).
 */
record Deployment(UUID tenantId, UUID id, String name, UUID templateOwnerId, UUID templateId, String templateName,
        String driver, String templateVersion, String templateDigest, UUID environmentId,
        @Nullable UUID businessUnitId, UUID ownerId, String ownerEmail, JsonNode inputs, byte[] sealedInputs,
        List<String> secretPointers, Map<String, String> tags, @Nullable String costCenter,
        @Nullable String projectCode, String status, @Nullable Instant expiresAt, JsonNode outputs,
        @Nullable String idempotencyKey, @Nullable String requestHash, Instant createdAt, Instant updatedAt,
        long version, @Nullable String driftStatus, @Nullable JsonNode driftChanges, @Nullable Instant driftCheckedAt,
        @Nullable String repository, @Nullable String branch, DeploymentCiStatus.@Nullable CiStatus ciStatus) {

    static final String PENDING = "pending";
    static final String ACTIVE = "active";
    static final String FAILED = "failed";
    static final String DESTROYING = "destroying";
    static final String DESTROYED = "destroyed";

    @Override
    public String toString() {
        return "Deployment[" + tenantId + "/" + id + ", " + name + ", " + status + "]";
    }
}
