package dev.canopy.provisioning;

import java.util.UUID;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventActor;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/**
 * A deployment's drift check found that what is deployed no longer matches its template version: {@code changes}
 * changes would bring it back. Published (in the check's transaction) when a deployment becomes drifted.
 */
@EventType("deployment.drifted")
public record DeploymentDrifted(UUID tenantId, UUID deploymentId, String deploymentName, UUID ownerId, int changes)
        implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("deployment", deploymentId, deploymentName);
    }

    @Override
    public EventActor actor() {
        return EventActor.system("drift");
    }
}
