package dev.canopy.provisioning;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/** A run got its last required approval and goes on to apply its plan. */
@EventType("run.approved")
public record RunApproved(UUID tenantId, UUID runId, UUID deploymentId, String deploymentName, String kind,
        @Nullable UUID requesterId, List<UUID> approverIds, String planDigest) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("run", runId, deploymentName);
    }
}
