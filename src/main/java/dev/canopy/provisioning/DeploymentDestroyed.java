package dev.canopy.provisioning;

import java.util.UUID;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/** A deployment's destroy run succeeded: nothing of it is left. */
@EventType("deployment.destroyed")
public record DeploymentDestroyed(UUID tenantId, UUID deploymentId, String deploymentName, UUID ownerId) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("deployment", deploymentId, deploymentName);
    }
}
