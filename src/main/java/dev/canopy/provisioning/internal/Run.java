package dev.canopy.provisioning.internal;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;

/**
 * One plan, apply or destroy of a deployment, with the protection in force when it was requested and the plan
 * its approvals approve.
 */
record Run(UUID tenantId, UUID id, UUID deploymentId, String kind, RunState state, @Nullable UUID requestedBy,
        String requestedByEmail, @Nullable UUID replayOf, int requiredApprovals, List<String> approverRoles,
        boolean allowSelfApproval, java.time.Duration approvalTimeout, @Nullable Instant approvalDeadline,
        @Nullable JsonNode plan, @Nullable String planDigest, int attempts, @Nullable String error,
        Instant createdAt, @Nullable Instant startedAt, @Nullable Instant finishedAt, Instant updatedAt) {

    static final String APPLY = "apply";
    static final String DESTROY = "destroy";
    static final String PLAN = "plan";

    /** Whether the run changes what is deployed (one such run per deployment at a time). */
    boolean mutating() {
        return !kind.equals(PLAN);
    }
}
