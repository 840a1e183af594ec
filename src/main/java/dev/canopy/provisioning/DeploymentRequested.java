package dev.canopy.provisioning;

import java.util.UUID;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/** A deployment was requested: its first run is {@code runId}. */
@EventType("deployment.requested")
public record DeploymentRequested(UUID tenantId, UUID deploymentId, String deploymentName, String templateName,
        String templateVersion, UUID environmentId, UUID ownerId, UUID runId) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("deployment", deploymentId, deploymentName);
    }
}
