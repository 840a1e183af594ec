package dev.canopy.provisioning;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/** An approver rejected a run's plan; the run ended. */
@EventType("run.rejected")
public record RunRejected(UUID tenantId, UUID runId, UUID deploymentId, String deploymentName, String kind,
        @Nullable UUID requesterId, UUID rejectedBy, String comment) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("run", runId, deploymentName);
    }
}
