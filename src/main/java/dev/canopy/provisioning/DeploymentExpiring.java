package dev.canopy.provisioning;

import java.time.Instant;
import java.util.UUID;

import dev.canopy.platform.events.DomainEvent;
import dev.canopy.platform.events.EventSubject;
import dev.canopy.platform.events.EventType;

/** A deployment's TTL ends soon: Canopy destroys it at {@code expiresAt} unless its owner extends it. */
@EventType("deployment.expiring")
public record DeploymentExpiring(UUID tenantId, UUID deploymentId, String deploymentName, UUID ownerId, Instant expiresAt) implements DomainEvent {

    @Override
    public EventSubject subject() {
        return new EventSubject("deployment", deploymentId, deploymentName);
    }
}
