package dev.canopy.provisioning;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/** A run planned its change and waits for approval: {@code approverIds} are the members who may decide. */
@EventType("run.awaiting_approval")
public record RunAwaitingApproval(UUID tenantId, UUID runId, UUID deploymentId, String deploymentName, String kind, String environment,
        @Nullable UUID requesterId, List<UUID> approverIds, int requiredApprovals, Instant approvalDeadline) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("run", runId, deploymentName);
    }
}
