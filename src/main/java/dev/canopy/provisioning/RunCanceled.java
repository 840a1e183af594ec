package dev.canopy.provisioning;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/** A run was canceled, before it ran or while it ran. */
@EventType("run.canceled")
public record RunCanceled(UUID tenantId, UUID runId, UUID deploymentId, String deploymentName, String kind,
        @Nullable UUID requesterId) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("run", runId, deploymentName);
    }
}
